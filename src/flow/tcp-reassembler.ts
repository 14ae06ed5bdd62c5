/**
 * One direction of a TCP connection turned into an in-order byte stream.
 *
 * Sequence numbers are 32-bit and wrap, so every position is computed as a signed
 * serial-number difference from the next expected sequence number and kept as a plain
 * stream offset (a JS number, exact far beyond 2^32). Segments behind the stream are
 * retransmissions (the receiver keeps its first copy); segments ahead of a hole are
 * copied into a sorted, non-overlapping queue. Overlaps follow the Linux receiver
 * (tcp_data_queue, tcp_data_queue_ofo, tcp_ofo_queue), not Zeek's first-copy rule:
 * in-order data replaces queued out-of-order bytes; in the out-of-order queue a segment
 * wholly inside one queued segment is dropped, otherwise the overlapping bytes of the
 * segment that starts first win (an equal start: the newer, covering one). Linux's
 * coalescing of adjacent queued segments is not modelled. Every overlap with different
 * bytes, and every dropped copy (see flow-table.ts) whose bytes differ from the copy
 * kept, is reported through `FlowHandler.ambiguity`. A hole becomes a gap — reported
 * with its exact offset and size, then delivery resumes — when the peer acknowledges past
 * it, when a buffer cap is hit, or when the flow ends.
 */
import { CHECKSUM_UNKNOWN, type ChecksumVerdict } from '../decode/checksum.js';
import type { DropKind } from '../decode/types.js';
import type { Counter } from '../util/counter.js';
import {
  MAX_AMBIGUITIES_PER_DIRECTION,
  SHADOW_MAX_BYTES,
  SHADOW_MAX_PIECES,
  ShadowPool,
  diff,
  diffSpan,
  version,
  type Copy,
  type Shadow,
} from './ambiguity.js';
import type { BufferBudget, BufferHolder } from './buffer-budget.js';
import type { AmbiguityKind, AmbiguityVersion, Direction, DirectionStats, FlowHandler } from './types.js';

interface Piece extends Copy {
  off: number;
  end: number;
  data: Uint8Array;
  frame: number;
  ts: number;
  /** Stream offset where the segment that supplied these bytes started (Linux's overlap rule compares starts). */
  segStart: number;
  checksum: ChecksumVerdict;
}

const NOT_VERIFIED = (): ChecksumVerdict => CHECKSUM_UNKNOWN;
const DEFAULT_POOL = new ShadowPool();

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
  /** Dropped copies waiting for the copy the receiver keeps (null: none, the common case). */
  private shadows: Shadow[] | null = null;
  /** Stream offset of the urgent byte the receiver will remove, -1 when none is pending. */
  private urgentAt = -1;
  private reports = 0;
  /** Checksum probe of the segment being processed (valid only during segment()). */
  private verify: () => ChecksumVerdict = NOT_VERIFIED;

  constructor(
    private readonly dir: Direction,
    private readonly stats: DirectionStats,
    private readonly handlers: readonly FlowHandler[],
    private readonly budget: BufferBudget,
    private readonly maxBytes: number,
    private readonly maxPieces: number,
    private readonly pool: ShadowPool = DEFAULT_POOL,
    /** Where reports beyond the per-direction cap and shadows beyond the budget are counted. */
    private readonly notes?: Counter,
  ) {}

  /** Highest stream offset the peer acknowledged. */
  get acked(): number {
    return this.ackedOffset;
  }

  /** Stream offset of sequence number `seq` (meaningful once hasBase). */
  offsetOf(seq: number): number {
    return this.nextOffset + ((seq - this.nextSeq) | 0);
  }

  /** The next segment at `seq` would go straight out (in order, nothing queued): the fast path. */
  isFastPath(seq: number): boolean {
    return seq === this.nextSeq && (this.queue === null || this.queue.length === 0) && this.shadows === null;
  }

  /**
   * One segment of this direction (RST segments are not passed: their payload is ignored).
   * `verify` is the packet's lazy checksum probe, asked only when the segment overlaps another copy.
   */
  segment(seq: number, syn: boolean, payload: Uint8Array, frame: number, ts: number, verify: () => ChecksumVerdict = NOT_VERIFIED): void {
    this.base(seq, syn);
    const len = payload.length;
    if (len === 0) return;
    this.verify = verify;
    try {
      this.place(syn ? (seq + 1) >>> 0 : seq, payload, frame, ts);
    } finally {
      this.verify = NOT_VERIFIED;
    }
  }

  private base(seq: number, syn: boolean): void {
    if (this.hasBase) return;
    this.hasBase = true;
    if (syn) this.isn = seq;
    this.nextSeq = syn ? (seq + 1) >>> 0 : seq;
  }

  /**
   * A copy of stream bytes the receiver drops (`kind` says why). It is compared with the
   * copy kept — queued now, or delivered later — and reported when the bytes differ.
   */
  dropped(kind: DropKind, seq: number, syn: boolean, payload: Uint8Array, frame: number, ts: number, checksum: ChecksumVerdict): void {
    if (payload.length === 0) return;
    const dataSeq = syn ? (seq + 1) >>> 0 : seq;
    if (this.hasBase) {
      const off = this.offsetOf(dataSeq);
      const end = off + payload.length;
      if (end <= this.nextOffset) return; // behind the stream: the receiver's copy is long delivered
      const q = this.queue;
      if (q !== null) {
        const decoy: Copy = { data: payload, off, frame, checksum, drop: kind };
        for (let i = this.lowerBound(off); i < q.length && q[i]!.off < end; i++) {
          const p = q[i]!;
          this.contest(kind, decoy, p, Math.max(off, p.off), Math.min(end, p.end), 1, frame, ts);
        }
      }
    }
    // Kept (by sequence number: the stream may not have a base yet) until the kept copy arrives.
    const list = (this.shadows ??= []);
    const keep = Math.min(payload.length, SHADOW_MAX_BYTES);
    if (list.length >= SHADOW_MAX_PIECES || this.pool.bytes + keep > this.pool.maxBytes) {
      this.notes?.add('TCP: dropped copy not kept for comparison (cap reached)');
      return;
    }
    this.pool.bytes += keep;
    list.push({ seq: dataSeq, data: payload.slice(0, keep), frame, kind, checksum, charge: keep });
  }

  /** Compare two copies over [from, to) and report the span where they differ; returns the differing byte count. */
  private contest(kind: AmbiguityKind, a: Copy, b: Copy, from: number, to: number, keeps: 0 | 1, frame: number, ts: number): number {
    const n = diff(a, b, from, to);
    if (n > 0) {
      const at = diffSpan.first;
      const len = diffSpan.last + 1 - at;
      this.report(kind, at, len, version(a, at, len), version(b, at, len), keeps, frame, ts);
    }
    return n;
  }

  /** The sender's urgent pointer marks the byte at `offset`: a Linux receiver removes it from the stream. */
  urgent(offset: number): void {
    // Linux keeps one urgent mark; a newer pointer replaces an undelivered one (tcp_check_urg).
    if (offset >= this.nextOffset && offset > this.urgentAt) this.urgentAt = offset;
  }

  private place(dataSeq: number, payload: Uint8Array, frame: number, ts: number): void {
    const len = payload.length;
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
    this.pruneShadows(Infinity);
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
      this.pruneShadows(off);
    }
    this.drain();
  }

  /**
   * A segment starting at or before the next expected byte and ending after it. The
   * receiver keeps its own first copy of bytes before nextOffset; queued out-of-order
   * bytes it covers are replaced by it (tcp_ofo_queue drops or trims them).
   */
  private inOrder(payload: Uint8Array, off: number, frame: number, ts: number): void {
    const q = this.queue;
    if (off < this.nextOffset) this.stats.retransmissions++;
    // Fast path: nothing queued, so the new bytes go straight out as a view (no copy).
    if (q === null || q.length === 0) {
      this.emit(off < this.nextOffset ? payload.subarray(this.nextOffset - off) : payload, frame, ts);
      return;
    }
    const end = off + payload.length;
    let overlapped = false;
    let mine: Copy | undefined;
    for (let head = q[0]; head !== undefined && head.off < end; head = q[0]) {
      overlapped = true;
      mine ??= { data: payload, off, frame, checksum: CHECKSUM_UNKNOWN };
      const from = Math.max(head.off, this.nextOffset);
      const to = Math.min(end, head.end);
      if (diff(head, mine, from, to) > 0) {
        mine.checksum = this.verify();
        this.stats.conflictingOverlapBytes += this.contest('out-of-order-replaced', head, mine, from, to, 1, frame, ts);
      }
      if (head.end <= end) {
        q.shift();
        this.release(head.data.length, 1);
      } else {
        const cut = end - head.off;
        head.data = head.data.subarray(cut);
        head.off = end;
        this.release(cut, 0);
        break;
      }
    }
    if (overlapped && off >= this.nextOffset) this.stats.retransmissions++;
    this.emit(payload.subarray(this.nextOffset - off), frame, ts);
    this.drain();
  }

  private release(bytes: number, pieces: number): void {
    this.buffered -= bytes;
    this.budget.changed(this, -bytes, -pieces);
  }

  /** Deliver queued pieces while they are contiguous with the stream. */
  private drain(): void {
    const q = this.queue;
    if (q === null) return;
    while (q.length > 0 && (q[0] as Piece).off <= this.nextOffset) this.popAndEmit();
  }

  private popAndEmit(): void {
    const p = (this.queue as Piece[]).shift() as Piece;
    this.release(p.data.length, 1);
    // Pieces never start behind the stream (gaps stop at them), but trim defensively.
    const skip = this.nextOffset - p.off;
    if (skip < p.data.length) this.emit(skip > 0 ? p.data.subarray(skip) : p.data, p.frame, p.ts);
  }

  private emit(data: Uint8Array, frame: number, ts: number): void {
    if (this.shadows !== null) this.compareShadows(data, frame, ts);
    const u = this.urgentAt - this.nextOffset;
    if (u >= 0 && u < data.length) {
      // Linux without SO_OOBINLINE: recv() stops before the urgent byte and skips it.
      this.urgentAt = -1;
      if (u > 0) this.deliver(data.subarray(0, u), frame, ts);
      const at = this.nextOffset;
      const inline: Copy = { data, off: at - u, frame, checksum: CHECKSUM_UNKNOWN };
      const removed: Copy = { data, off: at - u - 1, frame, checksum: CHECKSUM_UNKNOWN };
      this.report('urgent-byte', at, 1, version(inline, at, data.length - u), version(removed, at, data.length - u - 1), 1, frame, ts);
      this.nextOffset++;
      this.nextSeq = (this.nextSeq + 1) >>> 0;
      if (u + 1 < data.length) this.deliver(data.subarray(u + 1), frame, ts);
      return;
    }
    this.deliver(data, frame, ts);
  }

  private deliver(data: Uint8Array, frame: number, ts: number): void {
    const chunk = { data, offset: this.nextOffset, frame, ts };
    this.nextOffset += data.length;
    this.nextSeq = (this.nextSeq + data.length) >>> 0;
    this.stats.streamBytes += data.length;
    for (const h of this.handlers) h.data?.(this.dir, chunk);
  }

  /** Bytes about to be delivered at nextOffset: report dropped copies of them that differ, then forget those passed. */
  private compareShadows(data: Uint8Array, frame: number, ts: number): void {
    const list = this.shadows as Shadow[];
    const at = this.nextOffset;
    const end = at + data.length;
    const kept: Copy = { data, off: at, frame, checksum: CHECKSUM_UNKNOWN };
    for (const sh of list) {
      const off = this.offsetOf(sh.seq);
      const from = Math.max(at, off);
      const to = Math.min(end, off + sh.data.length);
      if (to > from && this.contest(sh.kind, { data: sh.data, off, frame: sh.frame, checksum: sh.checksum, drop: sh.kind }, kept, from, to, 1, frame, ts) > 0) {
        sh.data = sh.data.subarray(0, 0); // reported once (its pool bytes are released when pruned)
      }
    }
    this.pruneShadows(end);
  }

  /** Forget dropped copies that end at or before `upTo`. */
  private pruneShadows(upTo: number): void {
    const list = this.shadows;
    if (list === null) return;
    let w = 0;
    for (const sh of list) {
      if (sh.data.length > 0 && this.offsetOf(sh.seq) + sh.data.length > upTo) list[w++] = sh;
      else this.pool.bytes -= sh.charge;
    }
    list.length = w;
    if (w === 0) this.shadows = null;
  }

  private report(
    kind: AmbiguityKind,
    offset: number,
    length: number,
    first: AmbiguityVersion,
    second: AmbiguityVersion,
    keeps: 0 | 1,
    frame: number,
    ts: number,
  ): void {
    if (this.reports >= MAX_AMBIGUITIES_PER_DIRECTION) {
      this.notes?.add('TCP: stream ambiguities beyond the per-direction report cap');
      return;
    }
    this.reports++;
    // Between two accepted copies, an offload checksum may be a forged packet the receiver dropped.
    const accepted = kind === 'conflicting-overlap' || kind === 'out-of-order-replaced';
    const unsure = accepted && (first.checksum === 'offload' || second.checksum === 'offload');
    const a = { kind, offset, length, versions: [first, second] as [AmbiguityVersion, AmbiguityVersion], receiverChoice: unsure ? ('unknown' as const) : keeps, frame, ts };
    for (const h of this.handlers) h.ambiguity?.(this.dir, a);
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

  /**
   * Queue [off, end) out of order with Linux's overlap rule (tcp_data_queue_ofo): wholly
   * inside one queued segment → dropped; otherwise, where it overlaps, the copy whose
   * segment starts first wins (an equal start: the new, covering one).
   */
  private enqueue(payload: Uint8Array, off: number, end: number, frame: number, ts: number): void {
    const q = (this.queue ??= []);
    const i = this.lowerBound(off);
    let j = i;
    let contiguous = true;
    let pos = off;
    const seg = q[i]?.segStart ?? off;
    for (; j < q.length && q[j]!.off < end; j++) {
      const p = q[j]!;
      if (p.off > pos || p.segStart !== seg) contiguous = false;
      pos = Math.max(pos, p.end);
    }
    const inside = contiguous && pos >= end && seg <= off;
    const piece = (from: number, to: number): Piece => ({
      off: from,
      end: to,
      data: payload.slice(from - off, to - off),
      frame,
      ts,
      segStart: off,
      checksum: this.verify(),
    });
    if (j === i) {
      q.splice(i, 0, piece(off, end));
      this.buffered += end - off;
      this.budget.changed(this, end - off, 1);
      this.stats.outOfOrder++;
      return;
    }
    this.stats.retransmissions++;
    const out: Piece[] = [];
    const mine: Copy = { data: payload, off, frame, checksum: CHECKSUM_UNKNOWN };
    let cur = off;
    for (let k = i; k < j; k++) {
      const p = q[k]!;
      if (p.off > cur) out.push(piece(cur, p.off));
      const from = Math.max(p.off, off);
      const to = Math.min(p.end, end);
      const newWins = !inside && p.segStart >= off;
      if (diff(p, mine, from, to) > 0) {
        mine.checksum = this.verify();
        this.stats.conflictingOverlapBytes += this.contest('conflicting-overlap', p, mine, from, to, newWins ? 1 : 0, frame, ts);
      }
      if (newWins) {
        if (p.off < from) out.push({ ...p, end: from, data: p.data.subarray(0, from - p.off) });
        out.push(piece(from, to));
        if (p.end > to) out.push({ ...p, off: to, data: p.data.subarray(to - p.off) });
      } else {
        out.push(p);
      }
      cur = Math.max(cur, to);
    }
    if (cur < end && !inside) out.push(piece(cur, end));
    let bytes = 0;
    for (const p of out) bytes += p.data.length;
    for (let k = i; k < j; k++) bytes -= q[k]!.data.length;
    const pieces = out.length - (j - i);
    q.splice(i, j - i, ...out);
    this.buffered += bytes;
    this.budget.changed(this, bytes, pieces);
    if (bytes > 0) this.stats.outOfOrder++;
  }
}
