import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TsConverter, type SecNsec } from '../../src/capture/timestamp.js';

/** The reference: exact BigInt arithmetic. */
function reference(ts: bigint, tsresol: number | undefined, offset: number): [number, number] {
  const v = tsresol === undefined ? 6 : tsresol & 0x7f;
  const units = tsresol !== undefined && tsresol & 0x80 ? 1n << BigInt(v) : 10n ** BigInt(v);
  return [Number(ts / units) + offset, Number(((ts % units) * 1_000_000_000n) / units)];
}

function convert(ts: bigint, tsresol: number | undefined, offset = 0): [number, number] {
  const out: SecNsec = { sec: -1, nsec: -1 };
  new TsConverter(tsresol, offset).convert(Number(ts >> 32n), Number(ts & 0xffffffffn), out);
  return [out.sec, out.nsec];
}

describe('TsConverter', () => {
  it('converts nanoseconds since the epoch above 2^53 exactly', () => {
    expect(convert(1_732_000_000_123_456_789n, 9)).toEqual([1_732_000_000, 123_456_789]);
    expect(convert(0xffffffffffffffffn, 9)).toEqual([18_446_744_073, 709_551_615]);
    expect(convert(1_732_000_000_123_456n, undefined)).toEqual([1_732_000_000, 123_456_000]);
  });

  it('matches exact BigInt arithmetic for every resolution and 64-bit value', () => {
    const resolutions = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 0, max: 127 }),
      fc.integer({ min: 0, max: 127 }).map((v) => v | 0x80),
    );
    const ts = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 53n }), fc.constantFrom(0n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n));
    fc.assert(
      fc.property(ts, resolutions, fc.integer({ min: -1_000_000, max: 1_000_000 }), (t, r, off) => {
        expect(convert(t, r, off)).toEqual(reference(t, r, off));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exact around every unit boundary for the common resolutions', () => {
    for (const r of [undefined, 3, 6, 9, 0x80 | 20, 0x80 | 30, 12]) {
      const v = r === undefined ? 6 : r & 0x7f;
      const units = r !== undefined && r & 0x80 ? 1n << BigInt(v) : 10n ** BigInt(v);
      for (const sec of [0n, 1n, 1_732_000_000n, 4_294_967_295n, 18_000_000_000n]) {
        for (const d of [-1n, 0n, 1n]) {
          const t = sec * units + d;
          if (t < 0n || t >= 1n << 64n) continue;
          expect(convert(t, r)).toEqual(reference(t, r, 0));
        }
      }
    }
  });
});
