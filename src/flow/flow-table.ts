/**
 * The 5-tuple flow table: keys packets to flows regardless of direction, decides
 * client/server roles, feeds each TCP direction to its reassembler and each UDP
 * datagram to the flow's handlers, and ends flows (FIN/RST linger, idle timeout,
 * eviction, capture end) so memory stays bounded by the configured limits.
 *
 * All time is capture time, read through a monotonic table clock: small backwards steps
 * in real files are ignored, and a jump of more than an hour either way (a mis-stamped
 * packet, merged files, a capture paused overnight) is treated as a discontinuity the
 * clock steps over, so one bogus timestamp can neither expire every flow nor freeze
 * timeouts. Each protocol's flows are
 * also linked in recency order (least recently active first), so eviction is O(1) and
 * the periodic sweep only visits flows that actually expire.
 */
import { BufferBudget, pieceCapFor } from './buffer-budget.js';
import { FlowIndex } from './flow-index.js';
import { RecencyList } from './recency-list.js';
import { serverSideByPort } from './roles.js';
import { TcpReassembler } from './tcp-reassembler.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type DecodedPacket } from '../decode/types.js';
import type {
  Direction,
  DirectionStats,
  Flow,
  FlowEndReason,
  FlowHandler,
  FlowObserver,
  FlowTableCounters,
  FlowTableLimits,
} from './types.js';

/**
 * Timeouts follow Zeek's defaults (tcp_inactivity_timeout 5 min, udp_inactivity_timeout
 * 1 min, tcp_close_delay/tcp_reset_delay 5 s): long enough for an idle keep-alive HTTP/2
 * connection to the module proxy, short enough that DNS-sized UDP flows do not pile up.
 * 1 MiB per direction holds a full receive window of reordering; 64 MiB bounds the worst case.
 * 16,384 flows open at once (3.5–6.5 KB of state each with their analyzers) keeps the whole
 * process near 150 MB however large the capture (docs/performance.md).
 */
export const DEFAULT_FLOW_LIMITS: Readonly<FlowTableLimits> = Object.freeze({
  maxFlows: 16_384,
  maxBufferedBytesPerDirection: 1 << 20,
  maxBufferedBytesTotal: 64 << 20,
  tcpIdleTimeoutSec: 300,
  udpIdleTimeoutSec: 60,
  closeLingerSec: 5,
});

/** Timeouts are checked at most once per second of capture time. */
const SWEEP_INTERVAL_SEC = 1;
/** A jump in capture time larger than this (either way) is a discontinuity, not elapsed time. */
const CLOCK_JUMP_SEC = 3600;
/** A SYN with a different ISN on an open flow idle this long starts a new connection. */
const PORT_REUSE_IDLE_SEC = 30;
/** Without a known ISN, a SYN this far from the stream's position is a different connection. */
const PORT_REUSE_SEQ_DISTANCE = 1 << 24;

const NO_HANDLERS: readonly FlowHandler[] = Object.freeze([]);

interface FlowEntry {
  readonly flow: Flow;
  readonly table: ProtocolFlows;
  prev: FlowEntry | null;
  next: FlowEntry | null;
  readonly handlers: readonly FlowHandler[];
  /** Per-direction reassemblers (TCP only). */
  readonly rx: readonly [TcpReassembler, TcpReassembler] | null;
  /** Table clock at the last packet: recency for eviction and idle timeouts. */
  lastActive: number;
  /** Table clock when FIN both ways or RST was seen; NaN while open. */
  closeAt: number;
  ended: boolean;
}

/** One protocol's flows: lookup by 5-tuple, and recency order for eviction and idle timeouts. */
interface ProtocolFlows {
  readonly index: FlowIndex<FlowEntry>;
  readonly recency: RecencyList<FlowEntry>;
  readonly idleTimeoutSec: number;
}

/** Zeroed per-direction counters for a new flow. */
export function emptyDirectionStats(): DirectionStats {
  return {
    packets: 0,
    wireBytes: 0,
    payloadBytes: 0,
    streamBytes: 0,
    gaps: 0,
    gapBytes: 0,
    retransmissions: 0,
    conflictingOverlapBytes: 0,
    outOfOrder: 0,
    capDrops: 0,
  };
}

/** The reason a flow ends with when a timer or the capture ends it: FIN/RST take precedence. */
function endReason(flow: Flow, otherwise: FlowEndReason): FlowEndReason {
  if (flow.rstSeen) return 'rst';
  if (flow.finSeen[0] || flow.finSeen[1]) return 'fin';
  return otherwise;
}

export class FlowTable {
  private readonly limits: FlowTableLimits;
  private readonly budget: BufferBudget;
  private readonly maxPiecesPerDirection: number;
  private readonly tcpFlows: ProtocolFlows;
  private readonly udpFlows: ProtocolFlows;
  /** Flows that closed (FIN both ways or RST), in close order, waiting out the linger. */
  private readonly closing = new Set<FlowEntry>();
  private readonly observers: FlowObserver[] = [];
  /** Table clock (capture time minus clockShift), never decreasing. */
  private clock = -Infinity;
  /** Sum of the discontinuities stepped over, and its value before the latest one. */
  private clockShift = 0;
  private previousShift = 0;
  private nextSweepAt = -Infinity;
  private readonly stats: FlowTableCounters = {
    flows: 0,
    tcpFlows: 0,
    udpFlows: 0,
    evicted: 0,
    idleTimeouts: 0,
    bufferCapHits: 0,
    peakFlows: 0,
    peakBufferedBytes: 0,
  };

  constructor(limits?: Partial<FlowTableLimits>) {
    const l = { ...DEFAULT_FLOW_LIMITS, ...limits };
    this.limits = {
      maxFlows: Math.max(1, Math.floor(l.maxFlows)),
      maxBufferedBytesPerDirection: Math.max(0, l.maxBufferedBytesPerDirection),
      maxBufferedBytesTotal: Math.max(0, l.maxBufferedBytesTotal),
      tcpIdleTimeoutSec: Math.max(0, l.tcpIdleTimeoutSec),
      udpIdleTimeoutSec: Math.max(0, l.udpIdleTimeoutSec),
      closeLingerSec: Math.max(0, l.closeLingerSec),
    };
    this.budget = new BufferBudget(this.limits.maxBufferedBytesTotal);
    this.maxPiecesPerDirection = pieceCapFor(this.limits.maxBufferedBytesPerDirection, 64);
    this.tcpFlows = { index: new FlowIndex(), recency: new RecencyList(), idleTimeoutSec: this.limits.tcpIdleTimeoutSec };
    this.udpFlows = { index: new FlowIndex(), recency: new RecencyList(), idleTimeoutSec: this.limits.udpIdleTimeoutSec };
  }

  get counters(): FlowTableCounters {
    this.stats.bufferCapHits = this.budget.capHits;
    this.stats.peakBufferedBytes = this.budget.peakBytes;
    return this.stats;
  }

  /** Out-of-order bytes currently buffered across all flows. */
  get bufferedBytes(): number {
    return this.budget.totalBytes;
  }

  /** Flows currently open. */
  get size(): number {
    return this.tcpFlows.index.size + this.udpFlows.index.size;
  }

  addObserver(o: FlowObserver): void {
    this.observers.push(o);
  }

  /** Account one packet to its flow; TCP and UDP only (anything else returns undefined). */
  packet(p: DecodedPacket): Flow | undefined {
    const tcp = p.protocol === 6 ? p.tcp : undefined;
    if (tcp === undefined && p.protocol !== 17) return undefined;
    this.advanceClock(p.ts);
    if (this.clock >= this.nextSweepAt) this.sweep();

    const flows = tcp ? this.tcpFlows : this.udpFlows;
    let e = flows.index.get(p.src, p.srcPort, p.dst, p.dstPort);
    if (e !== undefined && tcp !== undefined && this.startsNewConnection(e, p)) {
      this.end(e, endReason(e.flow, 'idle-timeout'));
      e = undefined;
    }
    if (e === undefined) e = this.create(flows, p);
    else flows.recency.touch(e);
    e.lastActive = this.clock;
    const flow = e.flow;
    flow.lastTs = p.ts;
    flow.lastFrame = p.frame;
    const dir: Direction = p.src === flow.client.addr && p.srcPort === flow.client.port ? 0 : 1;
    const st = flow.stats[dir];
    st.packets++;
    st.wireBytes += p.wireLen;
    st.payloadBytes += p.payload.length;

    if (e.rx !== null && tcp !== undefined) {
      const f = tcp.flags;
      const syn = (f & TCP_SYN) !== 0;
      if (syn) {
        if ((f & TCP_ACK) === 0) {
          if (dir === 0) flow.synSeen = true;
        } else {
          flow.synAckSeen = true;
        }
      }
      if ((f & TCP_RST) !== 0) {
        flow.rstSeen = true;
        this.startClosing(e);
        return flow;
      }
      e.rx[dir].segment(tcp.seq, syn, p.payload, p.frame, p.ts);
      if ((f & TCP_ACK) !== 0) e.rx[dir === 0 ? 1 : 0].ack(tcp.ack, p.frame, p.ts);
      if ((f & TCP_FIN) !== 0) {
        flow.finSeen[dir] = true;
        if (flow.finSeen[dir === 0 ? 1 : 0]) this.startClosing(e);
      }
    } else {
      for (const h of e.handlers) h.datagram?.(dir, p.payload, p.frame, p.ts);
    }
    return flow;
  }

  /** The capture ended: end every open flow, delivering queued data (holes become gaps). */
  finish(): void {
    const open = [...this.tcpFlows.index.values(), ...this.udpFlows.index.values()].sort((a, b) => a.flow.id - b.flow.id);
    for (const e of open) this.end(e, endReason(e.flow, 'capture-end'));
  }

  private advanceClock(ts: number): void {
    if (!Number.isFinite(ts)) return;
    let t = ts - this.clockShift;
    if (this.clock === -Infinity) {
      this.clock = t;
      return;
    }
    if (Math.abs(t - this.clock) > CLOCK_JUMP_SEC) {
      const back = ts - this.previousShift;
      if (Math.abs(back - this.clock) <= CLOCK_JUMP_SEC) {
        // Back on the timeline from before the latest jump (that jump was an outlier).
        [this.clockShift, this.previousShift] = [this.previousShift, this.clockShift];
        t = back;
      } else {
        this.previousShift = this.clockShift;
        this.clockShift += t - this.clock;
        return;
      }
    }
    if (t > this.clock) this.clock = t;
  }

  /** A SYN (no ACK) that opens a new connection on the tuple of an existing flow (port reuse). */
  private startsNewConnection(e: FlowEntry, p: DecodedPacket): boolean {
    const t = p.tcp;
    if (t === undefined || e.rx === null || (t.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return false;
    const flow = e.flow;
    if (flow.rstSeen || (flow.finSeen[0] && flow.finSeen[1])) return true;
    if (this.clock - e.lastActive < PORT_REUSE_IDLE_SEC) return false;
    const r = e.rx[p.src === flow.client.addr && p.srcPort === flow.client.port ? 0 : 1];
    if (!r.hasBase) return false;
    if (r.isn >= 0) return t.seq !== r.isn;
    return Math.abs(((t.seq + 1) - r.nextSeq) | 0) > PORT_REUSE_SEQ_DISTANCE;
  }

  private create(flows: ProtocolFlows, p: DecodedPacket): FlowEntry {
    if (this.size >= this.limits.maxFlows) this.evictOne();
    const tcp = flows === this.tcpFlows;
    const src = { addr: p.src, port: p.srcPort };
    const dst = { addr: p.dst, port: p.dstPort };
    let srcIsClient: boolean;
    let roleBy: Flow['roleBy'];
    const flags = p.tcp?.flags ?? 0;
    if (tcp && (flags & TCP_SYN) !== 0) {
      srcIsClient = (flags & TCP_ACK) === 0;
      roleBy = srcIsClient ? 'syn' : 'syn-ack';
    } else {
      const byPort = serverSideByPort(p.srcPort, p.dstPort);
      srcIsClient = byPort <= 0;
      roleBy = byPort === 0 ? 'first-packet' : 'port';
    }
    const flow: Flow = {
      id: ++this.stats.flows,
      protocol: tcp ? 'tcp' : 'udp',
      ipVersion: p.ipVersion,
      client: srcIsClient ? src : dst,
      server: srcIsClient ? dst : src,
      roleBy,
      firstTs: p.ts,
      lastTs: p.ts,
      firstFrame: p.frame,
      lastFrame: p.frame,
      synSeen: false,
      synAckSeen: false,
      finSeen: [false, false],
      rstSeen: false,
      stats: [emptyDirectionStats(), emptyDirectionStats()],
    };
    if (tcp) this.stats.tcpFlows++;
    else this.stats.udpFlows++;
    let handlers: FlowHandler[] | undefined;
    for (const o of this.observers) {
      const h = o.flowStarted(flow);
      if (h !== undefined) (handlers ??= []).push(h);
    }
    const hs = handlers ?? NO_HANDLERS;
    const l = this.limits;
    const rx = tcp
      ? ([0, 1] as const).map(
          (d) =>
            new TcpReassembler(d, flow.stats[d], hs, this.budget, l.maxBufferedBytesPerDirection, this.maxPiecesPerDirection),
        )
      : null;
    const e: FlowEntry = {
      flow,
      table: flows,
      prev: null,
      next: null,
      handlers: hs,
      rx: rx as [TcpReassembler, TcpReassembler] | null,
      lastActive: this.clock,
      closeAt: NaN,
      ended: false,
    };
    flows.index.set(p.src, p.srcPort, p.dst, p.dstPort, e);
    flows.recency.push(e);
    if (this.size > this.stats.peakFlows) this.stats.peakFlows = this.size;
    return e;
  }

  private startClosing(e: FlowEntry): void {
    if (!Number.isNaN(e.closeAt)) return;
    e.closeAt = this.clock;
    this.closing.add(e);
  }

  /** Push out the least recently active flow of either protocol. */
  private evictOne(): void {
    const t = this.tcpFlows.recency.head;
    const u = this.udpFlows.recency.head;
    const victim = t === null ? u : u === null ? t : u.lastActive < t.lastActive ? u : t;
    if (victim === null) return;
    this.stats.evicted++;
    this.end(victim, 'evicted');
  }

  /** End lingering closed flows and idle flows; visits only flows that expire (plus one per list). */
  private sweep(): void {
    const now = this.clock;
    this.nextSweepAt = now + SWEEP_INTERVAL_SEC;
    for (const e of this.closing) {
      if (now - e.closeAt < this.limits.closeLingerSec) break;
      this.end(e, endReason(e.flow, 'idle-timeout'));
    }
    this.expireIdle(this.tcpFlows);
    this.expireIdle(this.udpFlows);
  }

  private expireIdle(flows: ProtocolFlows): void {
    const now = this.clock;
    for (let e = flows.recency.head; e !== null; e = flows.recency.head) {
      if (now - e.lastActive <= flows.idleTimeoutSec) break;
      this.stats.idleTimeouts++;
      this.end(e, endReason(e.flow, 'idle-timeout'));
    }
  }

  private end(e: FlowEntry, reason: FlowEndReason): void {
    if (e.ended) return;
    e.ended = true;
    const flow = e.flow;
    e.table.index.delete(flow.client.addr, flow.client.port, flow.server.addr, flow.server.port, e);
    e.table.recency.remove(e);
    this.closing.delete(e);
    if (e.rx !== null) {
      e.rx[0].flush(flow.lastFrame, flow.lastTs);
      e.rx[1].flush(flow.lastFrame, flow.lastTs);
    }
    flow.endReason = reason;
    for (const h of e.handlers) h.end?.(flow);
    for (const o of this.observers) o.flowEnded?.(flow);
  }
}
