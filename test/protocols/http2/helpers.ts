/** Test scaffolding for the HTTP/2 analyzer: frame and HPACK builders, an event recorder. */
import { createHttp2Analyzer, type Http2AnalyzerOptions } from '../../../src/protocols/http2/index.js';
import { CLIENT_PREFACE } from '../../../src/protocols/http2/detect.js';
import { huffmanCode } from '../../../src/protocols/http2/huffman.js';
import { concat } from '../../bytes.js';
import { RecordingHarness } from '../http/helpers.js';

export { CLIENT_PREFACE, concat };

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

export function frame(type: number, flags: number, streamId: number, payload: ArrayLike<number> = []): Uint8Array {
  const n = payload.length;
  return concat([n >>> 16, (n >> 8) & 0xff, n & 0xff, type, flags, (streamId >>> 24) & 0x7f, (streamId >> 16) & 0xff, (streamId >> 8) & 0xff, streamId & 0xff], payload);
}

export const u32 = (v: number): number[] => [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

export function settings(...pairs: [number, number][]): Uint8Array {
  return frame(4, 0, 0, pairs.flatMap(([id, v]) => [id >> 8, id & 0xff, ...u32(v)]));
}

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1). */
export function hpackInt(v: number, prefix: number, first = 0): number[] {
  const max = (1 << prefix) - 1;
  if (v < max) return [first | v];
  const out = [first | max];
  v -= max;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

export function huffmanEncode(s: string): number[] {
  const out: number[] = [];
  let acc = 0n;
  let bits = 0;
  for (const b of latin1(s)) {
    const { code, bits: n } = huffmanCode(b);
    acc = (acc << BigInt(n)) | BigInt(code);
    bits += n;
  }
  const pad = (8 - (bits % 8)) % 8;
  acc = (acc << BigInt(pad)) | ((1n << BigInt(pad)) - 1n);
  bits += pad;
  for (let i = bits - 8; i >= 0; i -= 8) out.push(Number((acc >> BigInt(i)) & 0xffn));
  return out;
}

export function hpackString(s: string, huffman = false): number[] {
  if (huffman) {
    const h = huffmanEncode(s);
    return [...hpackInt(h.length, 7, 0x80), ...h];
  }
  return [...hpackInt(s.length, 7), ...latin1(s)];
}

/** A header block of literals with incremental indexing and new names (or without indexing). */
export function block(fields: [string, string][], opts: { index?: boolean; huffman?: boolean } = {}): Uint8Array {
  const out: number[] = [];
  for (const [n, v] of fields) out.push(opts.index ? 0x40 : 0x00, ...hpackString(n, opts.huffman), ...hpackString(v, opts.huffman));
  return Uint8Array.from(out);
}

export const FLAGS = { END_STREAM: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 };

export function headers(streamId: number, fields: [string, string][], endStream = true): Uint8Array {
  return frame(1, FLAGS.END_HEADERS | (endStream ? FLAGS.END_STREAM : 0), streamId, block(fields));
}

export const GET = (path: string, authority = 'proxy.golang.org'): [string, string][] => [
  [':method', 'GET'], [':scheme', 'http'], [':authority', authority], [':path', path], ['user-agent', 'Go-http-client/2.0'],
];

export class Harness extends RecordingHarness {
  constructor(opts: Http2AnalyzerOptions = {}) {
    super((ctx) => createHttp2Analyzer(ctx, opts));
  }
}
