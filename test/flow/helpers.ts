/**
 * Test helpers for the flow stage: DecodedPackets built in code (the decoder is another
 * stage) and an observer that records everything the table delivers, copying chunks
 * because their views are only valid during the call.
 */
import { CHECKSUM_UNKNOWN, type ChecksumVerdict } from '../../src/decode/checksum.js';
import type { DecodedPacket, DropKind } from '../../src/decode/types.js';
import type { Direction, Flow, FlowHandler, FlowObserver, StreamAmbiguity } from '../../src/flow/types.js';

export interface Side {
  addr: string;
  port: number;
}

export const CLIENT: Side = { addr: '10.0.0.2', port: 50123 };
export const SERVER: Side = { addr: '10.0.0.1', port: 443 };

let frameCounter = 0;

export interface TcpOpts {
  ack?: number;
  ts?: number;
  frame?: number;
  wireLen?: number;
  window?: number;
  windowScale?: number;
  tsVal?: number;
  tsEcr?: number;
  urgPtr?: number;
  signature?: boolean;
  linkDst?: number;
  vlan?: number;
  drop?: DropKind;
  checksum?: ChecksumVerdict;
}

export function tcpPacket(from: Side, to: Side, seq: number, flags: number, payload: Uint8Array | string = '', o: TcpOpts = {}): DecodedPacket {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return {
    frame: o.frame ?? ++frameCounter,
    ts: o.ts ?? 1000,
    ipVersion: from.addr.includes(':') ? 6 : 4,
    src: from.addr,
    dst: to.addr,
    protocol: 6,
    ttl: 64,
    srcPort: from.port,
    dstPort: to.port,
    tcp: {
      seq: seq >>> 0,
      ack: (o.ack ?? 0) >>> 0,
      flags,
      window: o.window ?? 65535,
      mss: undefined,
      windowScale: o.windowScale,
      sackPermitted: undefined,
      tsVal: o.tsVal,
      tsEcr: o.tsVal === undefined ? undefined : (o.tsEcr ?? 0),
      urgPtr: o.urgPtr ?? 0,
      signature: o.signature ?? false,
    },
    payload: data,
    payloadTruncated: false,
    wireLen: o.wireLen ?? 54 + data.length,
    linkDst: o.linkDst ?? -1,
    vlan: o.vlan ?? -1,
    drop: o.drop,
    checksum: () => o.checksum ?? CHECKSUM_UNKNOWN,
  };
}

export function udpPacket(from: Side, to: Side, payload: Uint8Array | string, ts = 1000): DecodedPacket {
  const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return {
    frame: ++frameCounter,
    ts,
    ipVersion: from.addr.includes(':') ? 6 : 4,
    src: from.addr,
    dst: to.addr,
    protocol: 17,
    ttl: 64,
    srcPort: from.port,
    dstPort: to.port,
    payload: data,
    payloadTruncated: false,
    wireLen: 42 + data.length,
    linkDst: -1,
    vlan: -1,
    drop: undefined,
    checksum: () => CHECKSUM_UNKNOWN,
  };
}

export interface GapRecord {
  offset: number;
  size: number;
  frame: number;
}

export interface FlowRecord {
  flow: Flow;
  /** Delivered bytes per direction, gaps filled with nothing. */
  bytes: [number[], number[]];
  chunks: [{ offset: number; length: number; frame: number }[], { offset: number; length: number; frame: number }[]];
  gaps: [GapRecord[], GapRecord[]];
  datagrams: { dir: Direction; text: string; frame: number }[];
  ambiguities: (StreamAmbiguity & { dir: Direction })[];
  /** Next expected offset per direction, checked for contiguity on every call. */
  position: [number, number];
  /** Sequence of 'end' (handler) and 'ended' (observer) calls. */
  calls: string[];
}

/** Records every flow and fails loudly (throws) if delivery is ever not contiguous. */
export class Recorder implements FlowObserver {
  readonly flows: FlowRecord[] = [];
  readonly log: string[] = [];

  flowStarted(flow: Flow): FlowHandler {
    const r: FlowRecord = {
      flow,
      bytes: [[], []],
      chunks: [[], []],
      gaps: [[], []],
      datagrams: [],
      ambiguities: [],
      position: [0, 0],
      calls: [],
    };
    this.flows.push(r);
    this.log.push(`start ${flow.id}`);
    return {
      data: (dir, chunk) => {
        // An urgent byte the receiver removes is a 1-byte step in offsets, reported as an ambiguity.
        const urgent = r.ambiguities.some((a) => a.dir === dir && a.kind === 'urgent-byte' && a.offset === r.position[dir]);
        if (urgent && chunk.offset === r.position[dir] + 1) r.position[dir]++;
        if (chunk.offset !== r.position[dir]) throw new Error(`flow ${flow.id} dir ${dir}: chunk at ${chunk.offset}, expected ${r.position[dir]}`);
        if (chunk.data.length === 0) throw new Error('empty chunk');
        r.position[dir] += chunk.data.length;
        for (const b of chunk.data) r.bytes[dir].push(b);
        r.chunks[dir].push({ offset: chunk.offset, length: chunk.data.length, frame: chunk.frame });
      },
      gap: (dir, offset, size, frame) => {
        if (offset !== r.position[dir]) throw new Error(`flow ${flow.id} dir ${dir}: gap at ${offset}, expected ${r.position[dir]}`);
        if (size <= 0) throw new Error('empty gap');
        r.position[dir] += size;
        r.gaps[dir].push({ offset, size, frame });
      },
      ambiguity: (dir, a) => {
        r.ambiguities.push({ ...a, dir });
      },
      datagram: (dir, payload, frame) => {
        r.datagrams.push({ dir, text: new TextDecoder().decode(payload), frame });
      },
      end: (f) => {
        r.calls.push('end');
        this.log.push(`end ${f.id} ${f.endReason}`);
      },
    };
  }

  flowEnded(flow: Flow): void {
    const r = this.flows.find((x) => x.flow === flow);
    r?.calls.push('ended');
  }

  text(i: number, dir: Direction): string {
    return new TextDecoder().decode(Uint8Array.from(this.flows[i]?.bytes[dir] ?? []));
  }
}

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A segmentation of [0, n) from cut points (any naturals, taken modulo n). */
export function ranges(n: number, cuts: number[]): [number, number][] {
  const points = [...new Set(cuts.map((c) => c % n).filter((c) => c > 0))].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let prev = 0;
  for (const p of [...points, n]) {
    out.push([prev, p]);
    prev = p;
  }
  return out;
}

/** Segments in the order of random sort keys; keys beyond the segments repeat (duplicate) segments. */
export function permuted(segs: [number, number][], order: number[]): [number, number][] {
  const keyed = segs.map((s, i) => ({ s, k: order[i] ?? i }));
  for (const i of order.slice(segs.length)) keyed.push({ s: segs[i % segs.length] as [number, number], k: i });
  keyed.sort((x, y) => x.k - y.k);
  return keyed.map((x) => x.s);
}
