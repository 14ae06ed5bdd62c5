/**
 * Exact conversion of pcapng 64-bit timestamps (in if_tsresol units) to whole seconds
 * plus nanoseconds. A nanosecond count since the epoch (~1.7e18) is far above 2^53, so
 * plain float math would lose the last digits; BigInt is exact but slow. The common
 * resolutions therefore use integer-exact double arithmetic (one division when the value
 * fits in 53 bits, else a 16-bit-limb long division) and only exotic resolutions fall
 * back to BigInt.
 */

/** Result of a conversion; the converter writes into a caller-owned object (no allocation per packet). */
export interface SecNsec {
  sec: number;
  nsec: number;
}

const TWO_32 = 4294967296;
/** Units up to 2^36 keep every intermediate product of the double paths below 2^53. */
const MAX_SAFE_UNITS = 2 ** 36;
/** Below 2^11 units the limb quotient of a >2^53 timestamp could itself exceed 2^53. */
const MIN_LIMB_UNITS = 2 ** 11;
/** ts < 2^53 - 2^37: ts + units stays exact for any units <= 2^36. */
const FAST_HIGH_LIMIT = 0x1fffe0;
/** rem * 1e9 stays below 2^53 - 2^36 for rem below this. */
const MULDIV_REM_LIMIT = 9_000_000;
const NS = 1_000_000_000;

export class TsConverter {
  /** Units per second as a number (approximate only for absurd resolutions such as 10^-40). */
  readonly unitsPerSec: number;
  private readonly units: number;
  private readonly unitsBig: bigint;
  /** Nanoseconds per unit when the unit divides a second into whole nanoseconds (µs, ms, ns …), else 0. */
  private readonly nsPerUnit: number;
  private readonly doubleSafe: boolean;
  private readonly limbSafe: boolean;

  /**
   * @param tsresol the if_tsresol option byte (high bit: power of 2, else power of 10), or undefined for µs.
   * @param offsetSec if_tsoffset, added to every converted timestamp.
   */
  constructor(
    tsresol: number | undefined,
    readonly offsetSec = 0,
  ) {
    const v = tsresol === undefined ? 6 : tsresol & 0x7f;
    const pow2 = tsresol !== undefined && (tsresol & 0x80) !== 0;
    this.unitsBig = pow2 ? 1n << BigInt(v) : 10n ** BigInt(v);
    this.unitsPerSec = pow2 ? 2 ** v : 10 ** v;
    this.units = this.unitsPerSec;
    this.doubleSafe = this.units <= MAX_SAFE_UNITS;
    this.limbSafe = this.doubleSafe && this.units >= MIN_LIMB_UNITS;
    this.nsPerUnit = !pow2 && v <= 9 ? 10 ** (9 - v) : pow2 && v === 0 ? NS : 0;
  }

  /** Converts the timestamp high:low (unsigned 32-bit halves) into out. */
  convert(high: number, low: number, out: SecNsec): void {
    const u = this.units;
    let sec: number;
    let rem: number;
    if (this.doubleSafe && high < FAST_HIGH_LIMIT) {
      // Fast path (µs timestamps until the year 2255 and anything smaller): the value is an exact double.
      const ts = high * TWO_32 + low;
      sec = Math.floor(ts / u);
      rem = ts - sec * u;
      if (rem < 0) {
        sec--;
        rem += u;
      } else if (rem >= u) {
        sec++;
        rem -= u;
      }
    } else if (this.limbSafe) {
      // ns since the epoch and other values above 2^53: long division by 16-bit limbs, all exact.
      sec = 0;
      rem = 0;
      for (let i = 0; i < 4; i++) {
        const limb = i === 0 ? high >>> 16 : i === 1 ? high & 0xffff : i === 2 ? low >>> 16 : low & 0xffff;
        const cur = rem * 65536 + limb;
        let q = Math.floor(cur / u);
        rem = cur - q * u;
        if (rem < 0) {
          q--;
          rem += u;
        } else if (rem >= u) {
          q++;
          rem -= u;
        }
        sec = sec * 65536 + q;
      }
    } else {
      this.convertBig(high, low, out);
      return;
    }
    out.sec = sec + this.offsetSec;
    out.nsec = this.nsPerUnit > 0 ? rem * this.nsPerUnit : this.fractionToNs(rem);
  }

  /** floor(rem * 1e9 / units) for 0 <= rem < units, exactly. */
  private fractionToNs(rem: number): number {
    if (rem < MULDIV_REM_LIMIT) {
      const a = rem * NS;
      let q = Math.floor(a / this.units);
      if (q * this.units > a) q--;
      else if ((q + 1) * this.units <= a) q++;
      return q;
    }
    return Number((BigInt(rem) * 1_000_000_000n) / this.unitsBig);
  }

  private convertBig(high: number, low: number, out: SecNsec): void {
    const ts = (BigInt(high) << 32n) | BigInt(low);
    out.sec = Number(ts / this.unitsBig) + this.offsetSec;
    out.nsec = Number(((ts % this.unitsBig) * 1_000_000_000n) / this.unitsBig);
  }
}
