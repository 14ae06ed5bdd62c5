/**
 * One direction of a TCP connection turned into an in-order byte stream.
 *
 * Sequence numbers are 32-bit and wrap, so every position is computed as a signed
 * serial-number difference from the next expected sequence number and kept as a plain
 * stream offset (a JS number, exact far beyond 2^32). Segments behind the stream are
 * retransmissions; segments ahead of a hole are copied into a sorted, non-overlapping
 * queue (first copy wins, as in Zeek; differing overlapping bytes are counted). A hole
 * becomes a gap — reported with its exact offset and size, then delivery resumes — when
 * the peer acknowledges past it, when a buffer cap is hit, or when the flow ends.
 */
import type { BufferBudget, BufferHolder } from './buffer-budget.js';
import type { Direction, DirectionStats, FlowHandler } from './types.js';

interface Piece {
  off: number;
  end: number;
  data: Uint8Array;
  frame: number;
  ts: number;
}

export class TcpReassembler implements BufferHolder {
  buffered = 0;
  heapIndex = -1;
  /** A base sequence number is known (from a SYN, or the first segment seen). */
  hasBase = false;
  /** ISN from a SYN, -1 when the stream started mid-connection. */
  isn = -1;
  /** Next expected sequence number (uint32) and its stream offset. */
  nextSeq = 0;
  nextOffset = 0;
  /** Highest stream offset the peer acknowledged. */
  private ackedOffset = 0;
  private queue: Piece[] | null = null;

  constructor(
    private readonly dir: Direction,
    private readonly stats: DirectionStats,
    private readonly handlers: readonly FlowHandler[],
    private readonly budget: BufferBudget,
    private readonly maxBytes: number,
    private readonly maxPieces: number,
  ) {}

  /** One segment of this direction (RST segments are not passed: their payload is ignored). */
  segment(seq: number, syn: boolean, payload: Uint8Array, frame: number, ts: number): void {
    if (!this.hasBase) {
      this.hasBase = true;
      if (syn) this.isn = seq;
      this.nextSeq = syn ? (seq + 1) >>> 0 : seq;
    }
    const len = payload.length;
    if (len === 0) return;
    const dataSeq = syn ? (seq + 1) >>> 0 : seq;
    let capCounted = false;
    // Each pass either finishes or frees queued data (a cap was hit), so this terminates.
    for (;;) {
      const off = this.nextOffset + ((dataSeq - this.nextSeq) | 0);
      const end = off + len;
      if (end <= this.nextOffset) {
        this.stats.retransmissions++;
        return;
      }
      if (off <= this.nextOffset) {
        this.inOrder(payload, off, frame, ts);
        return;
      }
      if (off <= this.ackedOffset) {
        // The receiver already has the bytes before this segment: the capture missed them.
        this.confirmHolesBefore(off, frame, ts);
        continue;
      }
      const [bytes, pieces] = this.plan(payload, off, end);
      const fitsHere = this.buffered + bytes <= this.maxBytes && this.queued + pieces <= this.maxPieces;
      if (fitsHere && this.budget.fits(bytes, pieces)) {
        this.enqueue(payload, off, end, frame, ts);
        return;
      }
      if (!capCounted) {
        capCounted = true;
        this.stats.capDrops++;
        this.budget.capHits++;
      }
      const victim = fitsHere ? (this.budget.largest() as TcpReassembler | undefined) : this;
      if (victim !== undefined && victim !== this) {
        victim.skipFirstHole(frame, ts);
      } else {
        // Give up this direction's first hole; if the segment lies before any queued data
        // (or nothing is queued) it becomes in-order and needs no buffering at all.
        const first = this.queue?.[0];
        this.skipTo(first !== undefined && first.off < off ? first.off : off, frame, ts);
      }
    }
  }

  /** The peer acknowledged `ack` (its ACK flag was set). */
  ack(ack: number, frame: number, ts: number): void {
    if (!this.hasBase) return;
    const rel = (ack - this.nextSeq) | 0;
    if (rel <= 0) return;
    const acked = this.nextOffset + rel;
    if (acked <= this.ackedOffset) return;
    this.ackedOffset = acked;
    const q = this.queue;
    if (q === null) return;
    // Queued data the receiver acknowledged: the holes before it were lost by the capture.
    for (let first = q[0]; first !== undefined && first.off <= acked; first = q[0]) this.skipTo(first.off, frame, ts);
  }

  /** The flow ends: every remaining hole is a gap and all queued data is delivered. */
  flush(frame: number, ts: number): void {
    while (this.queued > 0) this.skipFirstHole(frame, ts);
  }

  /** Declare the first hole a gap and deliver the queued data contiguous after it. */
  skipFirstHole(frame: number, ts: number): void {
    const first = this.queue?.[0];
    if (first) this.skipTo(first.off, frame, ts);
  }

  private get queued(): number {
    return this.queue === null ? 0 : this.queue.length;
  }

  /** Declare holes gaps and deliver queued data until everything before `off` is settled. */
  private confirmHolesBefore(off: number, frame: number, ts: number): void {
    while (this.nextOffset < off) {
      const first = this.queue?.[0];
      if (first === undefined || first.off >= off) {
        this.skipTo(off, frame, ts);
        return;
      }
      this.skipTo(first.off, frame, ts);
    }
  }

  /** Report [nextOffset, off) as a gap (never past queued data), then deliver what became contiguous. */
  private skipTo(off: number, frame: number, ts: number): void {
    const size = off - this.nextOffset;
    if (size > 0) {
      const at = this.nextOffset;
      this.nextOffset = off;
      this.nextSeq = (this.nextSeq + size) >>> 0;
      this.stats.gaps++;
      this.stats.gapBytes += size;
      for (const h of this.handlers) h.gap?.(this.dir, at, size, frame, ts);
    }
    this.drain();
  }

  /** A segment starting at or before the next expected byte and ending after it. */
  private inOrder(payload: Uint8Array, off: number, frame: number, ts: number): void {
    const q = this.queue;
    // Fast path: nothing queued, so the new bytes go straight out as a view (no copy).
    if (q === null || q.length === 0) {
      if (off < this.nextOffset) {
        this.stats.retransmissions++;
        this.emit(payload.subarray(this.nextOffset - off), frame, ts);
      } else {
        this.emit(payload, frame, ts);
      }
      return;
    }
    let overlapped = off < this.nextOffset;
    const end = off + payload.length;
    while (this.nextOffset < end) {
      const head = q[0];
      if (head === undefined || head.off >= end) {
        this.emit(payload.subarray(this.nextOffset - off), frame, ts);
        break;
      }
      if (head.off > this.nextOffset) this.emit(payload.subarray(this.nextOffset - off, head.off - off), frame, ts);
      // Queued bytes were first: they win; count where the new copy differs.
      overlapped = true;
      this.stats.conflictingOverlapBytes += differing(payload, head.off - off, head.data, 0, Math.min(end, head.end) - head.off);
      this.popAndEmit();
    }
    if (overlapped) this.stats.retransmissions++;
    this.drain();
  }

  /** Deliver queued pieces while they are contiguous with the stream. */
  private drain(): void {
    const q = this.queue;
    if (q === null) return;
    while (q.length > 0 && (q[0] as Piece).off <= this.nextOffset) this.popAndEmit();
  }

  private popAndEmit(): void {
    const p = (this.queue as Piece[]).shift() as Piece;
    this.buffered -= p.data.length;
    this.budget.changed(this, -p.data.length, -1);
    // Pieces never start behind the stream (gaps stop at them), but trim defensively.
    const skip = this.nextOffset - p.off;
    if (skip < p.data.length) this.emit(skip > 0 ? p.data.subarray(skip) : p.data, p.frame, p.ts);
  }

  private emit(data: Uint8Array, frame: number, ts: number): void {
    const chunk = { data, offset: this.nextOffset, frame, ts };
    this.nextOffset += data.length;
    this.nextSeq = (this.nextSeq + data.length) >>> 0;
    this.stats.streamBytes += data.length;
    for (const h of this.handlers) h.data?.(this.dir, chunk);
  }

  /** Index of the first queued piece ending after `off`. */
  private lowerBound(off: number): number {
    const q = this.queue as Piece[];
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((q[mid] as Piece).end <= off) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** New bytes and pieces [off, end) would add to the queue (parts already queued excluded). */
  private plan(payload: Uint8Array, off: number, end: number): [number, number] {
    const q = this.queue;
    if (q === null || q.length === 0) return [payload.length, 1];
    let bytes = 0;
    let pieces = 0;
    let cur = off;
    for (let i = this.lowerBound(off); i < q.length && cur < end; i++) {
      const p = q[i] as Piece;
      if (p.off >= end) break;
      if (p.off > cur) {
        bytes += p.off - cur;
        pieces++;
      }
      if (p.end > cur) cur = p.end;
    }
    if (cur < end) {
      bytes += end - cur;
      pieces++;
    }
    return [bytes, pieces];
  }

  /** Queue the parts of [off, end) not already queued (copied), comparing the overlaps. */
  private enqueue(payload: Uint8Array, off: number, end: number, frame: number, ts: number): void {
    if (this.queue === null) this.queue = [];
    const q = this.queue;
    let i = this.lowerBound(off);
    let cur = off;
    let added = 0;
    let overlapped = false;
    const add = (from: number, to: number): void => {
      q.splice(i++, 0, { off: from, end: to, data: payload.slice(from - off, to - off), frame, ts });
      added += to - from;
      this.buffered += to - from;
      this.budget.changed(this, to - from, 1);
    };
    while (cur < end) {
      const p = q[i];
      if (p === undefined || p.off >= end) {
        add(cur, end);
        break;
      }
      if (p.off > cur) add(cur, p.off);
      const from = Math.max(cur, p.off);
      const to = Math.min(end, p.end);
      if (to > from) {
        overlapped = true;
        this.stats.conflictingOverlapBytes += differing(payload, from - off, p.data, from - p.off, to - from);
      }
      if (p.end > cur) cur = p.end;
      i++;
    }
    if (overlapped) this.stats.retransmissions++;
    if (added > 0) this.stats.outOfOrder++;
  }
}

/** Count positions where a[aStart + k] and b[bStart + k] differ, k < len. */
function differing(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, len: number): number {
  let n = 0;
  for (let k = 0; k < len; k++) if (a[aStart + k] !== b[bStart + k]) n++;
  return n;
}
