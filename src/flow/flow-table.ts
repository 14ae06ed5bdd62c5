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
 *
 * Before a packet reaches a reassembler the table decides, per direction, whether the
 * receiving Linux stack would accept it (docs/reassembly.md): network-layer drops from the
 * decoder, link-layer destination, TCP MD5/AO, RFC 5961 SYN/RST rules, the ACK flag, the
 * receive window the peer advertised, PAWS (RFC 7323 §5), data before the handshake, and
 * the TCP/UDP checksum — verified only where a verdict needs it: the first
 * EAGER_VERIFY_BYTES of each direction (handshakes, certificates, HTTP heads) and any
 * segment off the in-order fast path. Dropped packets are counted by kind in `drops` and
 * their bytes handed to the reassembler for comparison with the copy kept.
 */
import { BufferBudget, pieceCapFor } from './buffer-budget.js';
import { FlowIndex } from './flow-index.js';
import { RecencyList } from './recency-list.js';
import { serverSideByPort } from './roles.js';
import { TcpReassembler } from './tcp-reassembler.js';
import { ShadowPool } from './ambiguity.js';
import { CHECKSUM_BAD, CHECKSUM_UNKNOWN } from '../decode/checksum.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, TCP_URG, type DecodedPacket, type DropKind, type TcpHeader } from '../decode/types.js';
import { Counter } from '../util/counter.js';
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

/** Stream bytes per direction whose checksums are always verified: where handshakes and headers live. */
export const EAGER_VERIFY_BYTES = 64 * 1024;
/** RFC 7323 §5.5: a ts_recent idle this long no longer rejects older timestamps (Linux TCP_PAWS_24DAYS). */
const PAWS_IDLE_SEC = 24 * 24 * 3600;
const UNSET = -2;

/** What the receiver of one direction knows about that direction's sender. */
interface SenderState {
  /** Link-layer destination and VLAN of the direction's first packet (UNSET before it). */
  linkDst: number;
  vlan: number;
  /** Right edge of the receive window the peer advertised, as a stream offset; -1 unknown. */
  edge: number;
  /** PAWS: last timestamp accepted in order, and when; -1 none. */
  tsRecent: number;
  tsRecentAt: number;
  /** Options of this direction's SYN: window shift (-1 absent), timestamps. UNSET before the SYN. */
  synWscale: number;
  synTs: boolean;
}

function newSenderState(): SenderState {
  return { linkDst: UNSET, vlan: UNSET, edge: -1, tsRecent: -1, tsRecentAt: 0, synWscale: UNSET, synTs: false };
}

/**
 * Remember the link destination of a direction's first accepted packet (the handshake, in a
 * full capture): a decoy dropped for another reason never decides which MAC is the host's.
 */
function learnLink(s: SenderState, p: DecodedPacket): void {
  s.linkDst = p.linkDst;
  s.vlan = p.vlan;
}

/** Group address: the I/G bit of the first octet (broadcast and multicast reach every host). */
function isUnicast(mac: number): boolean {
  return Math.floor(mac / 0x10000000000) % 2 === 0;
}
interface FlowEntry {
  readonly flow: Flow;
  readonly table: ProtocolFlows;
  prev: FlowEntry | null;
  next: FlowEntry | null;
  readonly handlers: readonly FlowHandler[];
  /** Per-direction reassemblers (TCP only). */
  readonly rx: readonly [TcpReassembler, TcpReassembler] | null;
  /** Per-direction receiver knowledge (TCP: all fields; UDP: link destination only). */
  readonly snd: readonly [SenderState, SenderState];
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
  /** Packets a Linux receiver drops, by kind ("TCP: dropped as a Linux receiver would (no-ack)"). */
  readonly drops = new Counter();
  private readonly shadowPool = new ShadowPool();
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
      const rx = e.rx[dir];
      const drop = this.tcpDrop(e, dir, p, tcp);
      if (drop !== undefined) {
        this.drops.add(`TCP: dropped as a Linux receiver would (${drop})`);
        rx.dropped(drop, tcp.seq, syn, p.payload, p.frame, p.ts, drop === 'checksum' ? CHECKSUM_BAD : CHECKSUM_UNKNOWN);
        return flow;
      }
      const s = e.snd[dir];
      if (s.linkDst === UNSET) learnLink(s, p);
      if (syn) {
        if ((f & TCP_ACK) === 0) {
          if (dir === 0) flow.synSeen = true;
        } else {
          flow.synAckSeen = true;
        }
        if (s.synWscale === UNSET) {
          s.synWscale = tcp.windowScale ?? -1;
          s.synTs = tcp.tsVal !== undefined;
        }
      }
      if ((f & TCP_RST) !== 0) {
        flow.rstSeen = true;
        this.startClosing(e);
        return flow;
      }
      if (tcp.tsVal !== undefined && p.payload.length > 0 && rx.hasBase && rx.offsetOf(tcp.seq) <= rx.nextOffset) {
        if (s.tsRecent < 0 || ((tcp.tsVal - s.tsRecent) | 0) >= 0) {
          s.tsRecent = tcp.tsVal;
          s.tsRecentAt = p.ts;
        }
      }
      if ((f & TCP_URG) !== 0 && tcp.urgPtr > 0 && rx.hasBase) rx.urgent(rx.offsetOf(tcp.seq) + tcp.urgPtr - 1 + (syn ? 1 : 0));
      rx.segment(tcp.seq, syn, p.payload, p.frame, p.ts, p.checksum);
      if ((f & TCP_ACK) !== 0) {
        const other = dir === 0 ? 1 : 0;
        e.rx[other].ack(tcp.ack, p.frame, p.ts);
        this.advertised(e, dir, tcp, syn);
      }
      if ((f & TCP_FIN) !== 0) {
        flow.finSeen[dir] = true;
        if (flow.finSeen[dir === 0 ? 1 : 0]) this.startClosing(e);
      }
    } else {
      const drop = p.drop ?? this.linkDrop(e.snd[dir], p) ?? (p.checksum() === CHECKSUM_BAD ? 'checksum' : undefined);
      if (drop !== undefined) {
        this.drops.add(`UDP: dropped as a Linux receiver would (${drop})`);
        return flow;
      }
      if (e.snd[dir].linkDst === UNSET) learnLink(e.snd[dir], p);
      for (const h of e.handlers) h.datagram?.(dir, p.payload, p.frame, p.ts);
    }
    return flow;
  }

  /** An Ethernet unicast destination or VLAN other than that of this direction's first accepted packet. */
  private linkDrop(s: SenderState, p: DecodedPacket): DropKind | undefined {
    if (s.linkDst === UNSET) return undefined;
    if (p.vlan !== s.vlan) return 'link-destination';
    if (p.linkDst !== s.linkDst && p.linkDst >= 0 && isUnicast(p.linkDst)) return 'link-destination';
    return undefined;
  }

  /** Why the receiver of direction `dir` drops this segment, or undefined when it accepts it. */
  private tcpDrop(e: FlowEntry, dir: Direction, p: DecodedPacket, tcp: TcpHeader): DropKind | undefined {
    if (p.drop !== undefined) return p.drop;
    const s = e.snd[dir];
    const link = this.linkDrop(s, p);
    if (link !== undefined) return link;
    if (tcp.signature) return 'tcp-signature';
    const rx = (e.rx as [TcpReassembler, TcpReassembler])[dir];
    const f = tcp.flags;
    const flow = e.flow;
    if ((f & TCP_RST) !== 0) {
      if (!rx.hasBase) return undefined;
      // RFC 5961 §3.2: only a RST at exactly the next expected sequence resets (also the one
      // after a FIN, tcp_reset_check); the receiver's own ACKs say where that is when the capture lost data.
      const off = rx.offsetOf(tcp.seq);
      const ok = off === rx.nextOffset || off === rx.acked || (flow.finSeen[dir] && off === rx.nextOffset + 1);
      return ok ? undefined : 'rst-sequence';
    }
    const syn = (f & TCP_SYN) !== 0;
    if (syn) return rx.hasBase && tcp.seq !== rx.isn ? 'syn' : undefined;
    const len = p.payload.length;
    if (len === 0 && (f & TCP_FIN) === 0) return undefined;
    const handshake = flow.synSeen && flow.synAckSeen;
    // Server data before its SYN-ACK: the client in SYN-SENT drops it. (Client data before the
    // SYN-ACK is kept: one-sided captures miss SYN-ACKs; data before the SYN restarts the flow.)
    if (!handshake) return dir === 1 && flow.synSeen ? 'before-handshake' : undefined;
    if ((f & TCP_ACK) === 0) return 'no-ack';
    if (!rx.hasBase) return undefined;
    const off = rx.offsetOf(tcp.seq);
    if (len > 0 && s.edge >= 0 && off >= s.edge) return 'out-of-window';
    const peer = e.snd[dir === 0 ? 1 : 0];
    if (s.synTs && peer.synTs && tcp.tsVal !== undefined && s.tsRecent >= 0 && ((s.tsRecent - tcp.tsVal) | 0) > 0) {
      if (p.ts - s.tsRecentAt < PAWS_IDLE_SEC) return 'paws';
    }
    if (len > 0 && (off < EAGER_VERIFY_BYTES || !rx.isFastPath(tcp.seq)) && p.checksum() === CHECKSUM_BAD) return 'checksum';
    return undefined;
  }

  /** Direction `dir` acknowledged with a window: the right edge the other direction's data must stay below. */
  private advertised(e: FlowEntry, dir: Direction, tcp: TcpHeader, syn: boolean): void {
    const flow = e.flow;
    if (!flow.synSeen || !flow.synAckSeen) return;
    const other = dir === 0 ? 1 : 0;
    const peerRx = (e.rx as [TcpReassembler, TcpReassembler])[other];
    if (!peerRx.hasBase) return;
    const mine = e.snd[dir];
    const theirs = e.snd[other];
    // RFC 7323 §2.2: scaling applies when both SYNs carried the option, never to a SYN's own window.
    const shift = !syn && mine.synWscale >= 0 && theirs.synWscale >= 0 ? mine.synWscale : 0;
    const edge = peerRx.offsetOf(tcp.ack) + tcp.window * 2 ** shift;
    // Linux never shrinks the window it offered (tcp_select_window).
    if (edge > theirs.edge) theirs.edge = edge;
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
    // Segments before any SYN were not part of this connection (a mid-capture start, or forged).
    if (!flow.synSeen && !flow.synAckSeen) {
      if (flow.stats[0].payloadBytes + flow.stats[1].payloadBytes > 0) this.drops.add('TCP: data before the handshake (flow restarted at the SYN)');
      return true;
    }
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
            new TcpReassembler(
              d,
              flow.stats[d],
              hs,
              this.budget,
              l.maxBufferedBytesPerDirection,
              this.maxPiecesPerDirection,
              this.shadowPool,
              this.drops,
            ),
        )
      : null;
    const e: FlowEntry = {
      flow,
      table: flows,
      prev: null,
      next: null,
      handlers: hs,
      rx: rx as [TcpReassembler, TcpReassembler] | null,
      snd: [newSenderState(), newSenderState()],
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
