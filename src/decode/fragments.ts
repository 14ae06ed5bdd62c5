/**
 * IP fragment reassembly shared by IPv4 and IPv6. Queues are keyed by the caller
 * ((src, dst, protocol, id) for IPv4, (src, dst, id) for IPv6), expire after a timeout in
 * capture time (Linux ipfrag_time), and are bounded in number and buffered bytes: when a
 * cap is hit the oldest queue is evicted, as Linux does. Fragments may arrive in any
 * order. Overlaps follow Linux since 4.19 (inet_frag_queue_insert, RFC 5722 as amended by
 * erratum 3089, applied to IPv4 too): a fragment wholly inside bytes already queued is a
 * duplicate and ignored (the first copy stays, counted separately when its bytes differ);
 * any other overlap drops the whole datagram. A non-final IPv4 fragment whose length is
 * not a multiple of 8 is trimmed to one (ip_frag_queue), an IPv6 one is dropped
 * (RFC 8200 §4.5). The reassembled payload is a fresh copy owned by the caller.
 */
import type { Counter } from '../util/counter.js';

export interface FragmentLimits {
  timeoutSec: number;
  maxQueues: number;
  maxBytes: number;
  maxDatagram: number;
}

/** Bytes charged per stored piece for its bookkeeping, so many tiny pieces cannot dodge the cap. */
const PIECE_OVERHEAD = 64;

interface Piece {
  start: number;
  end: number;
  data: Uint8Array;
}

interface Queue {
  family: string;
  created: number;
  /** Non-overlapping, sorted by start. */
  pieces: Piece[];
  covered: number;
  /** Memory charged against maxBytes: covered bytes plus a per-piece overhead. */
  charge: number;
  /** Datagram payload length, known once the last fragment (M=0) arrived; -1 before. */
  total: number;
  /** Upper-layer protocol from the fragment at offset 0; -1 before it arrived. */
  protocol: number;
}

export class FragmentReassembler {
  private readonly queues = new Map<string, Queue>();
  private buffered = 0;
  /** Upper-layer protocol of the datagram the last successful add() completed. */
  completedProtocol = -1;

  constructor(
    private readonly limits: FragmentLimits,
    private readonly problems: Counter,
  ) {}

  /** Queues waiting for fragments. */
  get pending(): number {
    return this.queues.size;
  }

  /** Memory held by pending queues (data plus per-piece overhead). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Drop queues older than the timeout at capture time `now` (oldest first, cheap when none). */
  expire(now: number): void {
    for (const [key, q] of this.queues) {
      if (now - q.created <= this.limits.timeoutSec) return;
      this.drop(key, q, `${q.family}: fragment queue timed out`);
    }
  }

  /** Count every pending queue as never completed and release it (end of capture). */
  finish(): void {
    for (const [key, q] of this.queues) this.drop(key, q, `${q.family}: fragment queue incomplete at end of capture`);
  }

  /**
   * Add one fragment's data (a view; copied if kept). `protocol` is the upper-layer protocol
   * the fragment header names (meaningful at offset 0). Returns the reassembled payload when
   * this fragment completed the datagram.
   */
  add(
    family: string,
    key: string,
    offset: number,
    more: boolean,
    data: Uint8Array,
    protocol: number,
    now: number,
  ): Uint8Array | undefined {
    if (more && data.length % 8 !== 0) {
      if (family !== 'IPv4' || data.length < 8) {
        this.problems.add(`${family}: non-final fragment length not a multiple of 8`);
        return undefined;
      }
      this.problems.add('IPv4: non-final fragment length not a multiple of 8 (trimmed, as Linux does)');
      data = data.subarray(0, data.length & ~7);
    }
    const end = offset + data.length;
    if (end > this.limits.maxDatagram) {
      this.problems.add(`${family}: fragment beyond maximum datagram size`);
      return undefined;
    }
    if (data.length + PIECE_OVERHEAD > this.limits.maxBytes) {
      this.problems.add(`${family}: fragment larger than the fragment memory limit`);
      return undefined;
    }
    let q = this.queues.get(key);
    if (q === undefined) {
      while (this.queues.size >= this.limits.maxQueues) {
        if (this.evictOldest('queue limit') === undefined) break;
      }
      q = { family, created: now, pieces: [], covered: 0, charge: 0, total: -1, protocol: -1 };
      this.queues.set(key, q);
    }
    if (!more) {
      const last = q.pieces[q.pieces.length - 1];
      if ((q.total >= 0 && q.total !== end) || (last !== undefined && last.end > end)) {
        this.drop(key, q, `${family}: conflicting datagram end`);
        return undefined;
      }
      q.total = end;
    } else if (q.total >= 0 && end > q.total) {
      this.drop(key, q, `${family}: conflicting datagram end`);
      return undefined;
    }
    if (offset === 0) q.protocol = protocol;
    // Reserve for the worst case: the fragment fills every hole between the queue's pieces.
    const reserve = data.length + (q.pieces.length + 1) * PIECE_OVERHEAD;
    while (this.buffered + reserve > this.limits.maxBytes) {
      const evicted = this.evictOldest('memory limit');
      if (evicted === q || evicted === undefined) return undefined;
    }
    if (!this.insert(q, offset, data)) {
      this.drop(key, q, `${family}: overlapping fragments (datagram dropped, as Linux does)`);
      return undefined;
    }
    if (q.total < 0 || q.covered !== q.total) return undefined;
    const whole = new Uint8Array(q.total);
    for (const p of q.pieces) whole.set(p.data, p.start);
    this.completedProtocol = q.protocol;
    this.queues.delete(key);
    this.buffered -= q.charge;
    return whole;
  }

  /**
   * Queue [offset, offset+data.length): false when it partly overlaps queued bytes (the
   * datagram must be dropped); a fragment wholly inside queued bytes is a duplicate.
   */
  private insert(q: Queue, offset: number, data: Uint8Array): boolean {
    const end = offset + data.length;
    const pieces = q.pieces;
    let i = 0;
    while (i < pieces.length && pieces[i]!.end <= offset) i++;
    const p = pieces[i];
    if (p === undefined || p.start >= end) {
      pieces.splice(i, 0, { start: offset, end, data: data.slice() });
      q.covered += end - offset;
      q.charge += end - offset + PIECE_OVERHEAD;
      this.buffered += end - offset + PIECE_OVERHEAD;
      return true;
    }
    // Overlaps p: a duplicate only if p and the pieces contiguous after it cover it all.
    let differs = false;
    for (let pos = offset, j = i; pos < end; j++) {
      const c = pieces[j];
      if (c === undefined || c.start > pos) return false;
      const stop = Math.min(end, c.end);
      for (let b = pos; b < stop && !differs; b++) differs = c.data[b - c.start] !== data[b - offset];
      pos = stop;
    }
    this.problems.add(differs ? `${q.family}: duplicate fragment with different data (first kept, as Linux does)` : `${q.family}: duplicate fragment`);
    return true;
  }

  /** Evict the oldest queue, counted by the cap that forced it; returns it. */
  private evictOldest(cap: string): Queue | undefined {
    for (const [key, q] of this.queues) {
      this.drop(key, q, `${q.family}: fragment queue evicted (${cap})`);
      return q;
    }
    return undefined;
  }

  private drop(key: string, q: Queue, kind: string): void {
    this.queues.delete(key);
    this.buffered -= q.charge;
    this.problems.add(kind);
  }
}
