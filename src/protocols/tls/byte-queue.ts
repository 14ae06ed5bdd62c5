/**
 * A bounded FIFO of bytes for reassembling handshake messages that span records and
 * TCP segments. Memory grows only as far as the pending data needs, never past `cap`.
 */
/** Every empty queue shares this (queues exist per flow and direction; most stay empty). */
const EMPTY = new Uint8Array(0);

export class ByteQueue {
  private buf = EMPTY;
  private start = 0;
  private end = 0;

  constructor(private readonly cap: number) {}

  get length(): number {
    return this.end - this.start;
  }

  /** The pending bytes; valid until the next append. */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** false (and nothing appended) when the queue would exceed its cap. */
  append(bytes: Uint8Array): boolean {
    const pending = this.length;
    if (pending + bytes.length > this.cap) return false;
    if (this.end + bytes.length > this.buf.length) {
      if (pending + bytes.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        // Start small and double: a flow waiting for the rest of a ClientHello (a scan, a
        // stalled handshake) should hold about what it was sent, not a fixed 4 KiB.
        const next = new Uint8Array(Math.min(this.cap, Math.max(256, 2 * this.buf.length, pending + bytes.length)));
        next.set(this.view());
        this.buf = next;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
    return true;
  }

  consume(n: number): void {
    this.start = Math.min(this.start + n, this.end);
    if (this.start === this.end) this.start = this.end = 0;
  }

  /** Drops the pending bytes and frees the buffer. */
  release(): void {
    this.buf = EMPTY;
    this.start = this.end = 0;
  }
}
