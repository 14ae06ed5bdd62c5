/**
 * Test helpers: a Flow to hand the analyzer, a driver that feeds (direction, bytes)
 * segments through it with any chunking, the recorded fixtures, and builders for
 * TLS records and handshake messages.
 */
import { testContext } from '../context.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Direction, DirectionStats, Flow } from '../../../src/flow/types.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { createTlsAnalyzer } from '../../../src/protocols/tls/index.js';

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function stats(): DirectionStats {
  return { packets: 0, wireBytes: 0, payloadBytes: 0, streamBytes: 0, gaps: 0, gapBytes: 0, retransmissions: 0, conflictingOverlapBytes: 0, outOfOrder: 0, capDrops: 0 };
}

export function makeFlow(id = 7): Flow {
  return {
    id,
    protocol: 'tcp',
    ipVersion: 4,
    client: { addr: '127.0.0.1', port: 40000 },
    server: { addr: '127.0.0.1', port: 443 },
    roleBy: 'syn',
    firstTs: 1000,
    lastTs: 1000,
    firstFrame: 1,
    lastFrame: 1,
    synSeen: true,
    synAckSeen: true,
    finSeen: [false, false],
    rstSeen: false,
    stats: [stats(), stats()],
  };
}

export type Segment = [Direction, Uint8Array];

/** Splits n bytes into chunk sizes; the default keeps each segment whole. */
export type Chunker = (n: number) => number[];

export const whole: Chunker = (n) => [n];
export const byteByByte: Chunker = (n) => Array.from({ length: n }, () => 1);

/** Feeds segments in order (segment i is frame i+1 at ts 1000+i), each cut by `chunker`, then ends the flow. */
export function run(segments: Segment[], chunker: Chunker = whole, startOffset = 0): GotapEvent[] {
  const events: GotapEvent[] = [];
  const a = createTlsAnalyzer(testContext(makeFlow(), (e) => events.push(e)));
  const offsets = [startOffset, startOffset];
  segments.forEach(([dir, bytes], i) => {
    let p = 0;
    for (const size of chunker(bytes.length)) {
      const n = Math.min(size, bytes.length - p);
      if (n <= 0) break;
      a.data(dir, { data: bytes.subarray(p, p + n), offset: offsets[dir]!, frame: i + 1, ts: 1000 + i });
      offsets[dir]! += n;
      p += n;
    }
    if (p < bytes.length) {
      a.data(dir, { data: bytes.subarray(p), offset: offsets[dir]!, frame: i + 1, ts: 1000 + i });
      offsets[dir]! += bytes.length - p;
    }
  });
  a.end(2000, segments.length + 1);
  return events;
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixturesDir, name)));
}

/** A session fixture: [dir u8][len u32 BE][bytes] repeated. */
export function session(name: string): Segment[] {
  const b = Buffer.from(fixture(name));
  const out: Segment[] = [];
  let p = 0;
  while (p + 5 <= b.length) {
    const len = b.readUInt32BE(p + 1);
    out.push([b[p] === 0 ? 0 : 1, new Uint8Array(b.subarray(p + 5, p + 5 + len))]);
    p += 5 + len;
  }
  return out;
}

// ------------------------------------------------------------------ builders

export const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
export const u8 = (...v: number[]): Uint8Array => new Uint8Array(v);
export const u16 = (...v: number[]): Uint8Array => new Uint8Array(v.flatMap((x) => [x >> 8, x & 0xff]));
export const u24 = (v: number): Uint8Array => u8(v >> 16, (v >> 8) & 0xff, v & 0xff);
export const vec8 = (b: Uint8Array): Uint8Array => concat(u8(b.length), b);
export const vec16 = (b: Uint8Array): Uint8Array => concat(u16(b.length), b);
export const vec24 = (b: Uint8Array): Uint8Array => concat(u24(b.length), b);
export const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export function ext(type: number, data: Uint8Array): Uint8Array {
  return concat(u16(type), vec16(data));
}

export const sniExt = (name: string): Uint8Array => ext(0x0000, vec16(concat(u8(0), vec16(ascii(name)))));
export const alpnExt = (...protos: string[]): Uint8Array => ext(0x0010, vec16(concat(...protos.map((p) => vec8(ascii(p))))));
export const groupsExt = (...g: number[]): Uint8Array => ext(0x000a, vec16(u16(...g)));
export const pointFormatsExt = (...f: number[]): Uint8Array => ext(0x000b, vec8(u8(...f)));
export const sigAlgsExt = (...s: number[]): Uint8Array => ext(0x000d, vec16(u16(...s)));
export const versionsExt = (...v: number[]): Uint8Array => ext(0x002b, vec8(u16(...v)));
export const keyShareExt = (...groups: number[]): Uint8Array =>
  ext(0x0033, vec16(concat(...groups.map((g) => concat(u16(g), vec16(new Uint8Array(32).fill(g & 0xff)))))));

/** A ClientHello handshake body. `extensions` undefined: no extensions block at all. */
export function clientHelloBody(o: { version?: number; sessionId?: number; ciphers: number[]; extensions?: Uint8Array[] }): Uint8Array {
  return concat(
    u16(o.version ?? 0x0303),
    new Uint8Array(32).fill(0x11),
    vec8(new Uint8Array(o.sessionId ?? 32).fill(0x22)),
    vec16(u16(...o.ciphers)),
    vec8(u8(0)),
    o.extensions === undefined ? new Uint8Array(0) : vec16(concat(...o.extensions)),
  );
}

export function serverHelloBody(o: { version?: number; random?: Uint8Array; cipher: number; extensions?: Uint8Array[] }): Uint8Array {
  return concat(
    u16(o.version ?? 0x0303),
    o.random ?? new Uint8Array(32).fill(0x33),
    vec8(new Uint8Array(32).fill(0x44)),
    u16(o.cipher),
    u8(0),
    o.extensions === undefined ? new Uint8Array(0) : vec16(concat(...o.extensions)),
  );
}

export const handshake = (type: number, body: Uint8Array): Uint8Array => concat(u8(type), u24(body.length), body);

/** TLS records of `type` carrying payload, fragmented every `fragment` bytes (one empty record for an empty payload). */
export function records(type: number, payload: Uint8Array, fragment = 16384, version = 0x0303): Uint8Array {
  const parts: Uint8Array[] = [];
  let p = 0;
  do {
    const piece = payload.subarray(p, p + fragment);
    parts.push(concat(u8(type), u16(version), u16(piece.length), piece));
    p += fragment;
  } while (p < payload.length);
  return concat(...parts);
}
