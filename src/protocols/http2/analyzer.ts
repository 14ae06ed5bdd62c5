/**
 * HTTP/2 stream analyzer (RFC 9113): the client preface, frames per direction, one HPACK
 * decoder per direction, and per-stream pairing of request and response, emitted as the
 * same http-request / http-response events HTTP/1.x gives (version "HTTP/2", `streamId`),
 * so Go module classification, attribution and the policy checks need nothing new.
 *
 * When events are emitted (the HTTP/1 rule, per stream): a request when the client ends
 * its half of the stream (END_STREAM on HEADERS — every GET — or on its last DATA), a
 * response when the server ends its half, each carrying the exact DATA byte count
 * (padding excluded). `packet`/`ts` are those of the frame that completed the header
 * block. A response is never emitted before its request: a request still open when its
 * response ends (or at RST_STREAM / the end of the flow) is flushed first, with the bytes
 * seen so far. Interim (1xx) responses are emitted at once; trailers are decoded (HPACK
 * state) and not reported. Pushed responses (PUSH_PROMISE) pair with the promised
 * request, which emits no http-request (the client did not send it).
 *
 * RST_STREAM with a code other than NO_ERROR and GOAWAY with an error code become
 * http-error events naming the code (bounded per connection). Malformed frames, HPACK
 * errors and cap hits are counted through the context (`ctx.anomaly`, "http2: …"). A gap inside a frame is
 * skipped exactly; a gap across frames starts a bounded search for the next boundary, and
 * only a failed search (or a client without the preface) stops a direction.
 *
 * Bounds: a header block (HEADERS/PUSH_PROMISE + CONTINUATION) is kept up to
 * MAX_HEADER_BLOCK bytes (beyond: skipped, the direction's HPACK context forgotten);
 * at most MAX_STREAMS streams are tracked at once (the oldest is flushed and dropped to
 * make room); DATA is counted, never copied.
 */
import type { Direction, StreamChunk } from '../../flow/types.js';
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { HttpRequestEvent, HttpResponseEvent } from '../events.js';
import { headerValue } from '../http/head.js';
import { ByteQueue } from '../tls/byte-queue.js';
import { CLIENT_PREFACE } from './detect.js';
import {
  DEFAULT_MAX_FRAME_SIZE, errorCodeName, findFrameBoundary, Flag, FrameReader, FrameType, keepBytes, LARGEST_FRAME_SIZE, Setting,
  type FrameHeader,
} from './frames.js';
import { HpackDecoder, type HpackErrorKind } from './hpack.js';

/** Largest header block kept for decoding. */
export const MAX_HEADER_BLOCK = 128 * 1024;
/** Streams tracked at once per connection (servers typically allow 100–250 concurrent ones). */
export const MAX_STREAMS = 1024;
/** http-error events for resets and GOAWAYs per connection (a rapid-reset flood is counted, not listed). */
export const MAX_ERROR_EVENTS = 64;
/** Bytes held while searching for a frame boundary after a gap (three 16 KiB frames fit). */
export const MAX_HUNT_BYTES = 64 * 1024;
/** GOAWAY debug data shown in the error reason. */
const MAX_DEBUG_TEXT = 256;

/** The connection began as HTTP/1.1 with `Upgrade: h2c` (RFC 7540 §3.2): stream 1 answers that request. */
export interface Http2Upgrade {
  /** Frame, method and target of the HTTP/1.1 request that asked for the upgrade (already reported). */
  requestPacket: number;
  method: string;
  target: string;
  /** Its HTTP2-Settings header (base64url SETTINGS payload), if any. */
  settings?: string;
}

export interface Http2AnalyzerOptions {
  upgrade?: Http2Upgrade;
}

interface RequestInfo {
  packet: number;
  method: string;
  target: string;
}

interface Stream {
  id: number;
  /** What the response pairs with (undefined: the request's headers could not be read). */
  info?: RequestInfo;
  request?: HttpRequestEvent;
  response?: HttpResponseEvent;
  /** A final (non-1xx) response's headers were seen: later HEADERS are trailers. */
  answered: boolean;
  requestBytes: number;
  responseBytes: number;
  ended: [boolean, boolean];
}

interface Block {
  kind: 'headers' | 'push';
  streamId: number;
  promisedId: number;
  endStream: boolean;
  bytes: ByteQueue;
  /** Part of the block could not be kept (too large, a gap): it will not be decoded. */
  lost: boolean;
}

interface Side {
  dir: Direction;
  reader: FrameReader;
  hpack: HpackDecoder;
  /** Client: preface bytes still to match. */
  preface: number;
  stopped: boolean;
  /** The peer's SETTINGS_MAX_FRAME_SIZE (largest seen): frames this side may send. */
  maxFrameSize: number;
  block: Block | undefined;
  /** After a gap across frames: bytes held while searching for a frame boundary. */
  hunt: Hunt | undefined;
}

interface Hunt {
  bytes: ByteQueue;
  chunks: { data: Uint8Array; frame: number; ts: number }[];
  /** Where the search goes on. */
  from: number;
}

const who = (dir: Direction): string => (dir === 0 ? 'client' : 'server');

/** Decimal digits only, as RFC 9110 §8.6 allows for Content-Length. */
function contentLength(v: string | undefined): number | undefined {
  return v !== undefined && /^[0-9]{1,15}$/.test(v) ? Number(v) : undefined;
}

/** Every anomaly this analyzer counts (as `http2: <kind>`). */
export type Http2Problem =
  | 'CONTINUATION without a header block'
  | 'DATA on stream 0'
  | 'HEADERS from the client on a closed or server stream'
  | 'HEADERS from the server on an unknown stream'
  | 'HEADERS or PUSH_PROMISE on stream 0'
  | 'PUSH_PROMISE from the client'
  | 'PUSH_PROMISE with an invalid promised stream'
  | 'SETTINGS ACK with a payload'
  | 'header block cut by a gap'
  | 'header block over the size cap'
  | 'header block interrupted by another frame'
  | 'SETTINGS frame over the cap (rest ignored)'
  | 'SETTINGS length not a multiple of 6'
  | 'SETTINGS on a stream'
  | 'connection ended inside a frame'
  | 'control frame cut by a gap'
  | 'frame larger than SETTINGS_MAX_FRAME_SIZE'
  | 'gap across a frame boundary'
  | 'gap in the client preface'
  | 'header field refers to a table entry lost earlier'
  | 'header list over the cap (later fields dropped)'
  | 'invalid SETTINGS_MAX_FRAME_SIZE'
  | 'malformed GOAWAY'
  | 'malformed PING'
  | 'malformed PRIORITY'
  | 'malformed RST_STREAM'
  | 'malformed WINDOW_UPDATE'
  | 'more stream errors than reported'
  | 'padding longer than the frame'
  | 'request without :method or :path'
  | 'response without a valid :status'
  | 'resynchronised after a gap'
  | 'too many open streams (oldest dropped)'
  | `HPACK: ${HpackErrorKind}`;

export function createHttp2Analyzer(ctx: AnalyzerContext, opts: Http2AnalyzerOptions = {}): StreamAnalyzer {
  const streams = new Map<number, Stream>();
  let lastClientStream = 0;
  let lastPromised = 0;
  let errorEvents = 0;
  let ended = false;

  const problem = (kind: Http2Problem): void => ctx.anomaly(`http2: ${kind}`);

  function newSide(dir: Direction): Side {
    const side: Side = {
      dir,
      reader: undefined as unknown as FrameReader,
      hpack: new HpackDecoder(),
      preface: dir === 0 ? CLIENT_PREFACE.length : 0,
      stopped: false,
      maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
      block: undefined,
      hunt: undefined,
    };
    side.reader = new FrameReader(
      { header: (h) => onHeader(side, h), frame: (h, kept, frame, ts, damaged) => onFrame(side, h, kept, frame, ts, damaged) },
      MAX_HEADER_BLOCK,
    );
    return side;
  }
  const sides: [Side, Side] = [newSide(0), newSide(1)];

  function stop(s: Side, reason: string, frame: number, ts: number): void {
    if (s.stopped) return;
    s.stopped = true;
    s.block = undefined;
    s.hunt = undefined;
    s.reader.release();
    ctx.emit({ type: 'http-error', ts, packet: frame, flowId: ctx.flow.id, dir: s.dir, reason });
  }

  function reportError(dir: Direction, reason: string, frame: number, ts: number): void {
    if (errorEvents >= MAX_ERROR_EVENTS) {
      problem('more stream errors than reported');
      return;
    }
    errorEvents++;
    ctx.emit({ type: 'http-error', ts, packet: frame, flowId: ctx.flow.id, dir, reason });
  }

  // ------------------------------------------------------------ messages

  function flushRequest(st: Stream): void {
    const ev = st.request;
    if (ev === undefined) return;
    st.request = undefined;
    ev.bodyBytes = st.requestBytes;
    ctx.emit(ev);
  }

  function flushResponse(st: Stream): void {
    flushRequest(st);
    const ev = st.response;
    if (ev === undefined) return;
    st.response = undefined;
    ev.bodyBytes = st.responseBytes;
    ctx.emit(ev);
  }

  function endHalf(st: Stream, dir: Direction): void {
    st.ended[dir] = true;
    if (dir === 0) flushRequest(st);
    else flushResponse(st);
    if (st.ended[0] && st.ended[1]) streams.delete(st.id);
  }

  function openStream(id: number, info?: RequestInfo): Stream {
    if (streams.size >= MAX_STREAMS) {
      // The oldest stream goes (Map order is insertion order): a peer that never answers
      // (or a direction stopped by a gap) must not silence every later request.
      const [oldest] = streams.values();
      problem('too many open streams (oldest dropped)');
      flushResponse(oldest!);
      streams.delete(oldest!.id);
    }
    const st: Stream = { id, info, answered: false, requestBytes: 0, responseBytes: 0, ended: [false, false] };
    streams.set(id, st);
    return st;
  }

  function onRequestHeaders(id: number, fields: [string, string][] | undefined, endStream: boolean, frame: number, ts: number): void {
    let st = streams.get(id);
    if (st === undefined) {
      if (id % 2 === 0 || id <= lastClientStream) {
        problem('HEADERS from the client on a closed or server stream');
        return;
      }
      lastClientStream = id;
      st = openStream(id);
      if (fields !== undefined) st.request = requestEvent(st, fields, frame, ts);
    }
    if (endStream) endHalf(st, 0);
  }

  function requestEvent(st: Stream, fields: [string, string][], frame: number, ts: number): HttpRequestEvent | undefined {
    const method = headerValue(fields, ':method');
    const authority = headerValue(fields, ':authority');
    const target = method === 'CONNECT' ? authority : headerValue(fields, ':path');
    if (method === undefined || target === undefined) {
      problem('request without :method or :path');
      return undefined;
    }
    st.info = { packet: frame, method, target };
    const ev: HttpRequestEvent = {
      type: 'http-request',
      ts,
      packet: frame,
      flowId: ctx.flow.id,
      method,
      target,
      version: 'HTTP/2',
      host: authority ?? headerValue(fields, 'host'),
      userAgent: headerValue(fields, 'user-agent'),
      contentType: headerValue(fields, 'content-type'),
      bodyBytes: 0,
      headers: fields,
      streamId: st.id,
    };
    if (method === 'CONNECT') ev.connectTarget = target;
    return ev;
  }

  function onResponseHeaders(id: number, fields: [string, string][] | undefined, endStream: boolean, frame: number, ts: number): void {
    const st = streams.get(id);
    if (st === undefined) {
      problem('HEADERS from the server on an unknown stream');
      return;
    }
    if (!st.answered && fields !== undefined) {
      const ev = responseEvent(st, fields, frame, ts);
      if (ev !== undefined && ev.status < 200) {
        flushRequest(st);
        ctx.emit(ev);
      } else {
        st.answered = true;
        st.response = ev;
      }
    }
    if (endStream) endHalf(st, 1);
  }

  function responseEvent(st: Stream, fields: [string, string][], frame: number, ts: number): HttpResponseEvent | undefined {
    const status = headerValue(fields, ':status');
    if (status === undefined || !/^[0-9]{3}$/.test(status)) {
      problem('response without a valid :status');
      return undefined;
    }
    return {
      type: 'http-response',
      ts,
      packet: frame,
      flowId: ctx.flow.id,
      version: 'HTTP/2',
      status: Number(status),
      reason: '',
      location: headerValue(fields, 'location'),
      contentType: headerValue(fields, 'content-type'),
      contentLength: contentLength(headerValue(fields, 'content-length')),
      bodyBytes: 0,
      server: headerValue(fields, 'server'),
      requestPacket: st.info?.packet,
      method: st.info?.method,
      target: st.info?.target,
      headers: fields,
      streamId: st.id,
    };
  }

  function onPushPromise(promisedId: number, fields: [string, string][] | undefined, frame: number): void {
    if (promisedId === 0 || promisedId % 2 !== 0 || promisedId <= lastPromised) {
      problem('PUSH_PROMISE with an invalid promised stream');
      return;
    }
    lastPromised = promisedId;
    const method = fields && headerValue(fields, ':method');
    const target = fields && headerValue(fields, ':path');
    openStream(promisedId, method !== undefined && target !== undefined ? { packet: frame, method, target } : undefined).ended[0] = true;
  }

  // ------------------------------------------------------------ header blocks

  function blockDone(s: Side, frame: number, ts: number): void {
    const block = s.block!;
    s.block = undefined;
    let fields: [string, string][] | undefined;
    if (!block.lost) {
      const decoded = s.hpack.decode(block.bytes.view());
      if ('error' in decoded) {
        problem(`HPACK: ${decoded.error}`);
        s.hpack.forget();
      } else {
        if (decoded.overflow) problem('header list over the cap (later fields dropped)');
        // Fields that are known stay usable: after a gap, Go's encoder keeps referring to
        // the :authority it indexed at the start, while :method and :path still decode.
        if (decoded.unknown) problem('header field refers to a table entry lost earlier');
        fields = decoded.fields;
      }
    }
    if (block.kind === 'push') onPushPromise(block.promisedId, fields, frame);
    else if (s.dir === 0) onRequestHeaders(block.streamId, fields, block.endStream, frame, ts);
    else onResponseHeaders(block.streamId, fields, block.endStream, frame, ts);
  }

  function loseBlock(s: Side, kind: Http2Problem): void {
    problem(kind);
    if (s.block) {
      s.block.lost = true;
      s.block.bytes.release();
    }
    s.hpack.forget();
  }

  /** A HEADERS or PUSH_PROMISE payload: strips padding and priority, starts a block. */
  function startBlock(s: Side, h: FrameHeader, kept: Uint8Array, damaged: boolean, frame: number, ts: number): void {
    let off = 0;
    let pad = 0;
    if (h.flags & Flag.PADDED) {
      pad = kept[0] ?? 0;
      off = 1;
    }
    if (h.type === FrameType.HEADERS && h.flags & Flag.PRIORITY) off += 5;
    let promisedId = 0;
    if (h.type === FrameType.PUSH_PROMISE) {
      promisedId = kept.length >= off + 4 ? ((kept[off]! & 0x7f) << 24) | (kept[off + 1]! << 16) | (kept[off + 2]! << 8) | kept[off + 3]! : 0;
      off += 4;
    }
    s.block = {
      kind: h.type === FrameType.PUSH_PROMISE ? 'push' : 'headers',
      streamId: h.streamId,
      promisedId,
      endStream: (h.flags & Flag.END_STREAM) !== 0 && h.type === FrameType.HEADERS,
      bytes: new ByteQueue(MAX_HEADER_BLOCK),
      lost: false,
    };
    if (h.streamId === 0) problem('HEADERS or PUSH_PROMISE on stream 0');
    if (damaged) loseBlock(s, 'header block cut by a gap');
    else if (kept.length < h.length) loseBlock(s, 'header block over the size cap');
    else if (off + pad > h.length) loseBlock(s, 'padding longer than the frame');
    else s.block.bytes.append(kept.subarray(off, h.length - pad));
    if (h.flags & Flag.END_HEADERS) blockDone(s, frame, ts);
  }

  function continueBlock(s: Side, h: FrameHeader, kept: Uint8Array, damaged: boolean, frame: number, ts: number): void {
    const block = s.block;
    if (block === undefined) {
      problem('CONTINUATION without a header block');
      return;
    }
    if (!block.lost) {
      if (damaged) loseBlock(s, 'header block cut by a gap');
      else if (kept.length < h.length || !block.bytes.append(kept)) loseBlock(s, 'header block over the size cap');
    }
    if (h.flags & Flag.END_HEADERS) blockDone(s, frame, ts);
  }

  // ------------------------------------------------------------ frames

  function onHeader(s: Side, h: FrameHeader): number {
    if (h.length > s.maxFrameSize) problem('frame larger than SETTINGS_MAX_FRAME_SIZE');
    if (s.block !== undefined && (h.type !== FrameType.CONTINUATION || h.streamId !== s.block.streamId)) {
      // RFC 9113 §6.10: nothing may interleave a header block. Its fields are unknowable.
      loseBlock(s, 'header block interrupted by another frame');
      s.block = undefined;
    }
    const room = h.type === FrameType.CONTINUATION && s.block ? MAX_HEADER_BLOCK - s.block.bytes.length : MAX_HEADER_BLOCK;
    return keepBytes(h, room);
  }

  function onFrame(s: Side, h: FrameHeader, kept: Uint8Array, frame: number, ts: number, damaged: boolean): void {
    switch (h.type) {
      case FrameType.DATA:
        return onData(s, h, kept);
      case FrameType.HEADERS:
      case FrameType.PUSH_PROMISE:
        if (h.type === FrameType.PUSH_PROMISE && s.dir === 0) problem('PUSH_PROMISE from the client');
        return startBlock(s, h, kept, damaged, frame, ts);
      case FrameType.CONTINUATION:
        return continueBlock(s, h, kept, damaged, frame, ts);
    }
    if (damaged) {
      problem('control frame cut by a gap');
      return;
    }
    switch (h.type) {
      case FrameType.SETTINGS:
        return onSettings(s, h, kept);
      case FrameType.RST_STREAM:
        if (h.length !== 4 || h.streamId === 0) return problem('malformed RST_STREAM');
        return onReset(s, h.streamId, u32(kept, 0), frame, ts);
      case FrameType.GOAWAY:
        if (h.length < 8 || h.streamId !== 0) return problem('malformed GOAWAY');
        return onGoaway(s, kept, frame, ts);
      case FrameType.PING:
        if (h.length !== 8 || h.streamId !== 0) problem('malformed PING');
        return;
      case FrameType.WINDOW_UPDATE:
        if (h.length !== 4) problem('malformed WINDOW_UPDATE');
        return;
      case FrameType.PRIORITY:
        if (h.length !== 5 || h.streamId === 0) problem('malformed PRIORITY');
        return;
      default:
        // RFC 9113 §4.1: frames of unknown type are ignored.
        return;
    }
  }

  function onData(s: Side, h: FrameHeader, kept: Uint8Array): void {
    let bytes = h.length;
    if (h.flags & Flag.PADDED) {
      const pad = kept[0] ?? 0;
      if (h.length === 0 || 1 + pad > h.length) {
        problem('padding longer than the frame');
        bytes = 0;
      } else {
        bytes -= 1 + pad;
      }
    }
    if (h.streamId === 0) return problem('DATA on stream 0');
    const st = streams.get(h.streamId);
    if (st === undefined) return;
    if (s.dir === 0) st.requestBytes += bytes;
    else st.responseBytes += bytes;
    if (h.flags & Flag.END_STREAM) endHalf(st, s.dir);
  }

  function onSettings(s: Side, h: FrameHeader, kept: Uint8Array): void {
    if (h.streamId !== 0) return problem('SETTINGS on a stream');
    if (h.flags & Flag.ACK) {
      if (h.length !== 0) problem('SETTINGS ACK with a payload');
      return;
    }
    if (h.length % 6 !== 0) return problem('SETTINGS length not a multiple of 6');
    if (kept.length < h.length) problem('SETTINGS frame over the cap (rest ignored)');
    applySettings(s, kept.subarray(0, kept.length - (kept.length % 6)));
  }

  /** Settings sent by `s` bind what the other side may send. */
  function applySettings(s: Side, list: Uint8Array): void {
    const peer = sides[s.dir === 0 ? 1 : 0];
    for (let i = 0; i + 6 <= list.length; i += 6) {
      const id = (list[i]! << 8) | list[i + 1]!;
      const value = u32(list, i + 2);
      if (id === Setting.HEADER_TABLE_SIZE) {
        peer.hpack.allowTableSize(value);
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME_SIZE || value > LARGEST_FRAME_SIZE) problem('invalid SETTINGS_MAX_FRAME_SIZE');
        else peer.maxFrameSize = Math.max(peer.maxFrameSize, value);
      }
    }
  }

  function onReset(s: Side, id: number, code: number, frame: number, ts: number): void {
    const st = streams.get(id);
    if (st !== undefined) {
      flushResponse(st);
      streams.delete(id);
    }
    if (code !== 0) reportError(s.dir, `HTTP/2 stream ${id} reset by the ${who(s.dir)}: ${errorCodeName(code)}`, frame, ts);
  }

  function onGoaway(s: Side, kept: Uint8Array, frame: number, ts: number): void {
    const code = u32(kept, 4);
    if (code === 0) return;
    const last = u32(kept, 0) & 0x7fffffff;
    const debug = Buffer.from(kept.subarray(8, 8 + MAX_DEBUG_TEXT)).toString('latin1');
    reportError(s.dir, `HTTP/2 GOAWAY from the ${who(s.dir)}: ${errorCodeName(code)} (last stream ${last})${debug ? `: ${debug}` : ''}`, frame, ts);
  }

  // ------------------------------------------------------------ the connection

  if (opts.upgrade !== undefined) {
    const { requestPacket, method, target, settings } = opts.upgrade;
    lastClientStream = 1;
    openStream(1, { packet: requestPacket, method, target }).ended[0] = true;
    if (settings !== undefined) applySettings(sides[0], Uint8Array.from(Buffer.from(settings, 'base64url')));
  }

  function matchPreface(s: Side, chunk: StreamChunk): number {
    const data = chunk.data;
    const at = CLIENT_PREFACE.length - s.preface;
    const n = Math.min(s.preface, data.length);
    for (let i = 0; i < n; i++) {
      if (data[i] !== CLIENT_PREFACE[at + i]) {
        stop(s, 'not an HTTP/2 client connection preface', chunk.frame, chunk.ts);
        return data.length;
      }
    }
    s.preface -= n;
    return n;
  }

  /**
   * A gap crossed a frame boundary: what follows is searched for a boundary (frames.ts,
   * findFrameBoundary) instead of giving the direction up. The header block in progress
   * and the HPACK context are lost; DATA counts of streams in the gap are short.
   */
  function startHunt(s: Side): void {
    problem('gap across a frame boundary');
    if (s.block !== undefined) loseBlock(s, 'header block cut by a gap');
    s.block = undefined;
    s.hpack.forget();
    s.reader.reset();
    s.hunt = { bytes: new ByteQueue(MAX_HUNT_BYTES), chunks: [], from: 0 };
  }

  function hunt(s: Side, h: Hunt, chunk: StreamChunk): void {
    const room = MAX_HUNT_BYTES - h.bytes.length;
    const taken = chunk.data.length > room ? chunk.data.subarray(0, room) : chunk.data;
    h.bytes.append(taken);
    h.chunks.push({ data: taken.slice(), frame: chunk.frame, ts: chunk.ts });
    const view = h.bytes.view();
    const r = findFrameBoundary(view, h.from, s.maxFrameSize);
    if (r !== 'none' && r.found) {
      s.hunt = undefined;
      problem('resynchronised after a gap');
      let skip = r.at;
      for (const c of h.chunks) {
        if (skip >= c.data.length) {
          skip -= c.data.length;
          continue;
        }
        s.reader.push(skip > 0 ? c.data.subarray(skip) : c.data, c.frame, c.ts);
        skip = 0;
        if (s.stopped) return;
      }
      if (taken.length < chunk.data.length) s.reader.push(chunk.data.subarray(taken.length), chunk.frame, chunk.ts);
      return;
    }
    h.from = r === 'none' ? Math.max(0, view.length - 8) : r.at;
    if (h.bytes.length >= MAX_HUNT_BYTES) stop(s, 'gap in the stream and no frame boundary found after it', chunk.frame, chunk.ts);
  }

  return {
    data(dir, chunk) {
      const s = sides[dir];
      if (ended || s.stopped) return;
      if (s.hunt !== undefined) return hunt(s, s.hunt, chunk);
      const from = s.preface > 0 ? matchPreface(s, chunk) : 0;
      if (s.stopped || from === chunk.data.length) return;
      s.reader.push(from === 0 ? chunk.data : chunk.data.subarray(from), chunk.frame, chunk.ts);
    },

    gap(dir, size, frame, ts) {
      const s = sides[dir];
      if (ended || s.stopped || size <= 0) return;
      if (s.preface > 0) {
        problem('gap in the client preface');
        stop(s, 'gap in the HTTP/2 client preface', frame, ts);
      } else if (s.hunt !== undefined) {
        // Bytes before this gap cannot chain into bytes after it.
        s.hunt = { bytes: new ByteQueue(MAX_HUNT_BYTES), chunks: [], from: 0 };
      } else if (!s.reader.skip(size, frame, ts)) {
        startHunt(s);
      }
    },

    end() {
      if (ended) return;
      ended = true;
      for (const s of sides) if (!s.stopped && s.hunt === undefined && (s.block !== undefined || !s.reader.atBoundary)) problem('connection ended inside a frame');
      for (const st of [...streams.values()].sort((a, b) => a.id - b.id)) flushResponse(st);
      streams.clear();
    },
  };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) * 2 ** 24) + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0));
}
