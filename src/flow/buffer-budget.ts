/**
 * The global budget for out-of-order TCP bytes across all flows. Memory must be bounded
 * by configuration, never by input, so every queued segment is charged here; when the
 * budget is exhausted the direction buffering the most must give up its first hole.
 * Finding that direction is an indexed max-heap (O(log n) per change) rather than a scan
 * of every flow, because under attack the cap can be hit on every packet.
 */

/** What the budget needs to know about one direction's queue. */
export interface BufferHolder {
  /** Out-of-order payload bytes this direction holds. */
  readonly buffered: number;
  /** Position in the budget's heap, -1 when absent; owned by the budget. */
  heapIndex: number;
}

/** Queued segments are charged a piece as well as bytes: many tiny segments cost memory too. */
export const BYTES_PER_PIECE_ALLOWANCE = 256;

/** Pieces allowed for a byte cap: one per 256 bytes, with a floor so tiny caps still reorder. */
export function pieceCapFor(byteCap: number, floor: number): number {
  return Math.max(floor, Math.ceil(byteCap / BYTES_PER_PIECE_ALLOWANCE));
}

export class BufferBudget {
  totalBytes = 0;
  totalPieces = 0;
  peakBytes = 0;
  /** Segments whose arrival hit a cap (per-direction or global). */
  capHits = 0;
  readonly maxPieces: number;
  private readonly heap: BufferHolder[] = [];

  constructor(readonly maxBytes: number) {
    this.maxPieces = pieceCapFor(maxBytes, 1024);
  }

  fits(bytes: number, pieces: number): boolean {
    return this.totalBytes + bytes <= this.maxBytes && this.totalPieces + pieces <= this.maxPieces;
  }

  /** The direction buffering the most bytes, if any buffers at all. */
  largest(): BufferHolder | undefined {
    return this.heap[0];
  }

  /** Record that `h` gained (or lost, when negative) bytes and pieces; h.buffered is already updated. */
  changed(h: BufferHolder, deltaBytes: number, deltaPieces: number): void {
    this.totalBytes += deltaBytes;
    this.totalPieces += deltaPieces;
    if (this.totalBytes > this.peakBytes) this.peakBytes = this.totalBytes;
    if (h.heapIndex < 0) {
      if (h.buffered > 0) {
        h.heapIndex = this.heap.length;
        this.heap.push(h);
        this.up(h.heapIndex);
      }
    } else if (h.buffered <= 0) {
      this.remove(h);
    } else if (deltaBytes > 0) {
      this.up(h.heapIndex);
    } else {
      this.down(h.heapIndex);
    }
  }

  private remove(h: BufferHolder): void {
    const i = h.heapIndex;
    const last = this.heap.pop() as BufferHolder;
    h.heapIndex = -1;
    if (last === h) return;
    this.heap[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }

  private up(i: number): void {
    const heap = this.heap;
    const h = heap[i] as BufferHolder;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as BufferHolder;
      if (parent.buffered >= h.buffered) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = h;
    h.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const h = heap[i] as BufferHolder;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const right = heap[c + 1];
      if (right && right.buffered > (heap[c] as BufferHolder).buffered) c++;
      const child = heap[c] as BufferHolder;
      if (child.buffered <= h.buffered) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = h;
    h.heapIndex = i;
  }
}
