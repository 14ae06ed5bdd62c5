/**
 * Contracts of the flow stage: a 5-tuple table with per-direction, in-order TCP
 * byte streams. Observers register per flow; the table never interprets payload.
 */
import type { DropKind } from '../decode/types.js';

/** 0: client → server (the side that sent the SYN, or our best guess), 1: server → client. */
export type Direction = 0 | 1;

export interface Endpoint {
  addr: string;
  port: number;
}

export interface DirectionStats {
  packets: number;
  /** Sum of frame lengths on the wire. */
  wireBytes: number;
  /** Sum of transport payload bytes seen, retransmissions included. */
  payloadBytes: number;
  /** TCP only: bytes delivered in order to observers (each stream byte once). */
  streamBytes: number;
  /** TCP only: holes skipped in the stream. */
  gaps: number;
  gapBytes: number;
  /** TCP only: segments wholly or partly already delivered/queued. */
  retransmissions: number;
  /** TCP only: overlapping bytes that differed from the bytes kept (first copy wins, as in Zeek). */
  conflictingOverlapBytes: number;
  /** TCP only: segments that arrived ahead of a hole and were queued. */
  outOfOrder: number;
  /** TCP only: segments dropped because the per-flow buffer cap was hit. */
  capDrops: number;
}

export type FlowEndReason =
  /** Both directions sent FIN (or one FIN and the capture/timeout ended it). */
  | 'fin'
  | 'rst'
  | 'idle-timeout'
  /** Pushed out of a full flow table (oldest idle first). */
  | 'evicted'
  /** Still open when the capture ended. */
  | 'capture-end';

export interface Flow {
  /** 1-based, in order of first packet. */
  id: number;
  protocol: 'tcp' | 'udp';
  ipVersion: 4 | 6;
  client: Endpoint;
  server: Endpoint;
  /** How the client/server roles were decided. */
  roleBy: 'syn' | 'syn-ack' | 'port' | 'first-packet';
  firstTs: number;
  lastTs: number;
  firstFrame: number;
  lastFrame: number;
  /** TCP: a SYN was seen from the client (otherwise the capture started mid-connection). */
  synSeen: boolean;
  synAckSeen: boolean;
  finSeen: [boolean, boolean];
  rstSeen: boolean;
  /** Indexed by Direction. */
  stats: [DirectionStats, DirectionStats];
  /** Set when the flow has ended. */
  endReason?: FlowEndReason;
  /**
   * Application protocol recognised by the analyzers ('dns', 'http', 'tls', 'http>tls' for a
   * CONNECT tunnel carrying TLS); set by the protocol dispatcher, never by the flow table.
   */
  app?: string;
}

export interface StreamChunk {
  /** In-order bytes; a view valid only during the call. Copy to keep. */
  data: Uint8Array;
  /**
   * Offset of data[0] in this direction's byte stream (0 = first byte after the SYN, or first
   * byte seen). An urgent byte the receiver removes (docs/reassembly.md) leaves a 1-byte step
   * between chunks without a gap: offsets stay sequence positions.
   */
  offset: number;
  /** The frame these bytes were carried in. */
  frame: number;
  ts: number;
}

/**
 * What made two versions of the same stream bytes: the drop rule that rejected one copy,
 * or a Linux overlap rule choosing between two accepted copies.
 */
export type AmbiguityKind =
  | DropKind
  /** Two accepted copies of bytes with different content (the receiver's overlap rule picks one). */
  | 'conflicting-overlap'
  /** Queued out-of-order bytes replaced by a different in-order copy (Linux keeps the in-order one). */
  | 'out-of-order-replaced'
  /** The byte at the urgent pointer: removed from the stream by a Linux receiver without SO_OOBINLINE. */
  | 'urgent-byte';

export interface AmbiguityVersion {
  /** Frames that carried this version (bounded). */
  frames: number[];
  /** The first bytes of this version of the range (at most AMBIGUITY_PREVIEW_BYTES), hex and printable ASCII ('.' otherwise). */
  hex: string;
  ascii: string;
  /** Checksum of the carrying segment as far as it was verified. */
  checksum: 'ok' | 'offload' | 'bad' | 'unverified';
  /** Why a receiver drops this version, when it does. */
  drop?: DropKind;
}

/** Bytes of one direction that had two different versions on the wire. */
export interface StreamAmbiguity {
  kind: AmbiguityKind;
  /** Stream offset and length of the contested range. */
  offset: number;
  length: number;
  versions: [AmbiguityVersion, AmbiguityVersion];
  /**
   * Index of the version a Linux receiver keeps, or 'unknown' when the capture cannot tell
   * (e.g. one copy carries an offload checksum: sent by the capturing host, or forged).
   */
  receiverChoice: 0 | 1 | 'unknown';
  /** The frame that revealed the ambiguity and its time. */
  frame: number;
  ts: number;
}

/** Receives one flow's traffic. All methods optional. */
export interface FlowHandler {
  /** TCP: in-order stream bytes of one direction. */
  data?(dir: Direction, chunk: StreamChunk): void;
  /** TCP: `size` bytes at `offset` were never seen; delivery resumes after them. */
  gap?(dir: Direction, offset: number, size: number, frame: number, ts: number): void;
  /** TCP: bytes of one direction had two versions on the wire (after the kept version was delivered). */
  ambiguity?(dir: Direction, a: StreamAmbiguity): void;
  /** UDP: one datagram. */
  datagram?(dir: Direction, payload: Uint8Array, frame: number, ts: number): void;
  /** The flow ended (after all its data was delivered). */
  end?(flow: Flow): void;
}

export interface FlowObserver {
  /** Called once per new flow; return a handler to receive its traffic, or undefined to ignore it. */
  flowStarted(flow: Flow): FlowHandler | undefined;
  /** Called once per flow when it ends, after its handler's end(). */
  flowEnded?(flow: Flow): void;
}

export interface FlowTableLimits {
  /** Flows kept at once; beyond it the least recently active flow is evicted. */
  maxFlows: number;
  /** Out-of-order bytes buffered per direction; beyond it the hole is declared a gap. */
  maxBufferedBytesPerDirection: number;
  /** Out-of-order bytes buffered across all flows; beyond it the flow buffering the most declares its hole a gap. */
  maxBufferedBytesTotal: number;
  /** Idle time (capture seconds) after which a TCP flow ends. */
  tcpIdleTimeoutSec: number;
  /** Idle time after which a UDP flow ends. */
  udpIdleTimeoutSec: number;
  /** After FIN from both sides or RST, time to wait for stragglers before ending. */
  closeLingerSec: number;
}

export interface FlowTableCounters {
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  evicted: number;
  idleTimeouts: number;
  /** Segments dropped because a flow's buffer cap was hit. */
  bufferCapHits: number;
  /** Peak number of flows alive at once. */
  peakFlows: number;
  /** Peak total out-of-order bytes buffered across all flows. */
  peakBufferedBytes: number;
}
