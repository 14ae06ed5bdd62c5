/**
 * A bounds-checked big-endian reader over attacker-controlled bytes. Reads past the
 * end never throw: they return 0 / empty and set `failed`, so a parser can read a
 * whole structure and check once (the style of Go's cryptobyte), instead of
 * wrapping every field access in a length test.
 */
export class Reader {
  private pos: number;
  /** A read ran past the end; everything read since is zero/empty. */
  failed = false;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Start of n bytes, or -1 (and failed) when fewer remain. */
  private take(n: number): number {
    if (this.failed || n > this.end - this.pos) {
      this.failed = true;
      this.pos = this.end;
      return -1;
    }
    const p = this.pos;
    this.pos += n;
    return p;
  }

  u8(): number {
    const p = this.take(1);
    return p < 0 ? 0 : this.buf[p]!;
  }

  u16(): number {
    const p = this.take(2);
    return p < 0 ? 0 : (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u24(): number {
    const p = this.take(3);
    return p < 0 ? 0 : (this.buf[p]! << 16) | (this.buf[p + 1]! << 8) | this.buf[p + 2]!;
  }

  /** A view (not a copy) of the next n bytes. */
  bytes(n: number): Uint8Array {
    const p = this.take(n);
    return p < 0 ? new Uint8Array(0) : this.buf.subarray(p, p + n);
  }

  skip(n: number): void {
    this.take(n);
  }

  /** A reader over the next n bytes; on truncation both readers are failed. */
  sub(n: number): Reader {
    const p = this.take(n);
    const r = new Reader(this.buf, p < 0 ? this.end : p, p < 0 ? this.end : p + n);
    r.failed = p < 0;
    return r;
  }

  /** Vectors with a 1-, 2- or 3-byte length prefix (TLS `<0..2^8-1>` etc.). */
  vec8(): Reader {
    return this.sub(this.u8());
  }

  vec16(): Reader {
    return this.sub(this.u16());
  }

  vec24(): Reader {
    return this.sub(this.u24());
  }
}

/** Bytes as a string one char per byte (lossless; sanitising is the views' job). */
export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}
