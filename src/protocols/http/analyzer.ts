/**
 * HTTP/1.x stream analyzer: turns a flow's two reassembled byte streams into
 * http-request / http-response / http-error events.
 *
 * Why an own parser instead of http-parser-js or Node's llhttp: we parse passively
 * over captured streams that may start mid-connection, contain gaps, and switch to
 * a CONNECT tunnel whose bytes must go on to another analyzer unchanged. That needs
 * byte-exact incremental parsing (resume at any byte offset), memory bounded by our
 * own caps (header section, header count, held bytes, request queue), bodies
 * skipped by count without copying or per-byte callbacks, and gap accounting —
 * none of which those parsers expose.
 *
 * Either direction may carry requests or responses (flow roles can be guessed
 * wrong); each message's role is sniffed from its first bytes. Requests are queued
 * FIFO per direction so a response on the other direction knows its request
 * (pipelining). Events are emitted after the body, so bodyBytes is the real body
 * size (chunk payload for chunked, gaps inside a body counted); `packet`/`ts` are
 * those of the frame that ended the header section. A message cut short by the end
 * of the flow or by an error is emitted with the body bytes seen so far.
 *
 * A 2xx answer to CONNECT turns the rest of both directions into a tunnel: its bytes go
 * to a child analyzer (`ctx.openChild('http')`), which sniffs them like a new flow.
 * Every error is counted as an anomaly and reported as an http-error event.
 */
import type { Direction, StreamChunk } from '../../flow/types.js';
import { malformed, type HttpAnomaly, type Malformed } from '../anomaly.js';
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { HttpRequestEvent, HttpResponseEvent } from '../events.js';
import { BodyReader } from './body.js';
import { looksLikeHttpRequest, looksLikeHttpResponse } from './detect.js';
import { contentLength, requestFraming, responseFraming, type Framing } from './framing.js';
import { HeadBuffer, headerValue, parseHead, type FirstLineVerdict, type ParsedHead } from './head.js';

/** Requests awaiting a response, per direction; beyond it new requests are not tracked. */
export const MAX_PENDING_REQUESTS = 256;
/** Bytes a client may send after CONNECT before the proxy's answer decides what they are. */
export const MAX_HELD_BYTES = 64 * 1024;
/** What a held gap counts against MAX_HELD_BYTES, so endless gaps stay bounded too. */
const HELD_GAP_COST = 64;
/** Bytes looked at to decide whether a message is a request, a response, or not HTTP. */
const SNIFF_BYTES = 64;

const CR = 0x0d;
const LF = 0x0a;
const VERSION = /^HTTP\/[0-9]\.[0-9]$/;
const STATUS_LINE = /^(HTTP\/[0-9]\.[0-9]) ([0-9]{3})(?: ([\s\S]*))?$/;

interface RequestInfo {
  packet: number;
  method: string;
  target: string;
  /** HTTP/0.9 simple request: the answer is raw bytes until close. */
  simple: boolean;
}

type Held = { kind: 'data'; chunk: StreamChunk } | { kind: 'gap'; size: number; frame: number; ts: number };

type Mode = 'start' | 'head' | 'body' | 'hold' | 'stopped';

interface Side {
  dir: Direction;
  mode: Mode;
  role: 'request' | 'response';
  sniff: Uint8Array;
  sniffLen: number;
  head: HeadBuffer;
  /** The start line was an HTTP/0.9 simple request. */
  simple: boolean;
  body: BodyReader | undefined;
  /** Event waiting for its body to end. */
  message: HttpRequestEvent | HttpResponseEvent | undefined;
  /** Requests sent on this direction, oldest first, awaiting a response on the other. */
  pending: RequestInfo[];
  /** Bytes after a CONNECT request, kept until the response says tunnel or not. */
  held: Held[];
  heldBytes: number;
  messages: number;
}

function newSide(dir: Direction): Side {
  return {
    dir,
    mode: 'start',
    role: 'request',
    sniff: new Uint8Array(SNIFF_BYTES),
    sniffLen: 0,
    head: new HeadBuffer(),
    simple: false,
    body: undefined,
    message: undefined,
    pending: [],
    held: [],
    heldBytes: 0,
    messages: 0,
  };
}

/** An anomaly whose event reason is its own text after "http: ". */
function fault(anomaly: HttpAnomaly): Malformed<HttpAnomaly> {
  return malformed(anomaly, anomaly.slice('http: '.length));
}

function subChunk(chunk: StreamChunk, from: number): StreamChunk {
  if (from === 0) return chunk;
  return { data: chunk.data.subarray(from), offset: chunk.offset + from, frame: chunk.frame, ts: chunk.ts };
}

export function createHttpAnalyzer(ctx: AnalyzerContext): StreamAnalyzer {
  const sides: [Side, Side] = [newSide(0), newSide(1)];
  let tunnel: StreamAnalyzer | undefined;
  let ended = false;

  const other = (s: Side): Side => sides[s.dir === 0 ? 1 : 0];

  function stop(s: Side): void {
    s.mode = 'stopped';
    s.head.reset();
    s.held = [];
    s.heldBytes = 0;
    s.body = undefined;
    s.message = undefined;
  }

  function flush(s: Side): void {
    const ev = s.message;
    if (ev === undefined) return;
    ev.bodyBytes = s.body?.bytes ?? 0;
    s.message = undefined;
    ctx.emit(ev);
  }

  function fail(s: Side, problem: Pick<Malformed<HttpAnomaly>, 'anomaly' | 'reason'>, frame: number, ts: number): void {
    flush(s);
    ctx.anomaly(problem.anomaly);
    ctx.emit({ type: 'http-error', ts, packet: frame, flowId: ctx.flow.id, dir: s.dir, reason: problem.reason });
    stop(s);
  }

  /** The message's body has ended (or it has none): emit it and get ready for the next. */
  function finish(s: Side): void {
    const ev = s.message;
    flush(s);
    s.body = undefined;
    s.mode = ev?.type === 'http-request' && ev.method === 'CONNECT' ? 'hold' : 'start';
  }

  function startBody(s: Side, ev: HttpRequestEvent | HttpResponseEvent, framing: Framing, seen = 0): void {
    s.messages++;
    s.message = ev;
    s.body = new BodyReader(framing, seen);
    if (s.body.done) finish(s);
    else s.mode = 'body';
  }

  function decideRole(s: Side): 'request' | 'response' | 'raw' | 'garbage' | undefined {
    const bytes = s.sniff.subarray(0, s.sniffLen);
    const resp = looksLikeHttpResponse(bytes);
    if (resp === true) return 'response';
    if (resp === false && other(s).pending[0]?.simple === true) return 'raw';
    const req = looksLikeHttpRequest(bytes);
    if (req === true) return 'request';
    if (req === false && resp === false) return 'garbage';
    return s.sniffLen < SNIFF_BYTES ? undefined : 'garbage';
  }

  /** Sniffs the first bytes of a message; returns the index to continue from. */
  function sniff(s: Side, chunk: StreamChunk, from: number): number {
    const data = chunk.data;
    let i = from;
    while (i < data.length) {
      const b = data[i++]!;
      // Empty lines between messages are allowed (RFC 9112 §2.2); a raw HTTP/0.9 answer keeps them.
      if (s.sniffLen === 0 && (b === CR || b === LF) && other(s).pending[0]?.simple !== true) continue;
      s.sniff[s.sniffLen++] = b;
      const role = decideRole(s);
      if (role === undefined) continue;
      const sniffed = s.sniffLen;
      s.sniffLen = 0;
      if (role === 'garbage') {
        const problem = s.messages > 0 ? fault('http: data after a message is not HTTP') : fault('http: not an HTTP message');
        fail(s, problem, chunk.frame, chunk.ts);
        return data.length;
      }
      if (role === 'raw') {
        startRawResponse(s, chunk, sniffed);
        return i;
      }
      s.role = role;
      s.simple = false;
      s.mode = 'head';
      // The sniffed bytes hold no line end (a line end always decides 'garbage' or
      // 'raw'), so pushing them can neither end nor overflow the section.
      s.head.push(s.sniff, 0, sniffed, () => 'more');
      return i;
    }
    return i;
  }

  /** The answer to an HTTP/0.9 request: no status line, bytes until close. */
  function startRawResponse(s: Side, chunk: StreamChunk, seen: number): void {
    const req = other(s).pending.shift();
    const ev: HttpResponseEvent = {
      type: 'http-response',
      ts: chunk.ts,
      packet: chunk.frame,
      flowId: ctx.flow.id,
      version: 'HTTP/0.9',
      status: 0,
      reason: '',
      bodyBytes: 0,
      requestPacket: req?.packet,
      method: req?.method,
      target: req?.target,
      headers: [],
    };
    startBody(s, ev, { kind: 'close' }, seen);
  }

  function firstLine(s: Side, raw: string): FirstLineVerdict {
    const line = raw.replace(/\r?\n$/, '');
    if (s.role === 'response') return STATUS_LINE.test(line) ? 'more' : fault('http: malformed status line');
    const sp = line.indexOf(' ');
    const lastSp = line.lastIndexOf(' ');
    if (sp === lastSp) {
      // "GET /path": an HTTP/0.9 simple request, which has no header section.
      if (sp + 1 === line.length) return fault('http: malformed request line');
      s.simple = true;
      return 'end';
    }
    if (!VERSION.test(line.slice(lastSp + 1)) || lastSp === sp + 1) return fault('http: malformed request line');
    return 'more';
  }

  function onHead(s: Side, frame: number, ts: number): void {
    const parsed = parseHead(s.head.content());
    s.head.reset();
    if ('anomaly' in parsed) {
      fail(s, parsed, frame, ts);
      return;
    }
    if (s.role === 'request') onRequest(s, parsed, frame, ts);
    else onResponse(s, parsed, frame, ts);
  }

  function onRequest(s: Side, head: ParsedHead, frame: number, ts: number): void {
    const line = head.startLine;
    const sp = line.indexOf(' ');
    const lastSp = s.simple ? line.length : line.lastIndexOf(' ');
    const method = line.slice(0, sp);
    const target = line.slice(sp + 1, lastSp);
    const version = s.simple ? 'HTTP/0.9' : line.slice(lastSp + 1);
    const framing = s.simple ? { kind: 'none' as const } : requestFraming(head.headers);
    if ('anomaly' in framing) {
      fail(s, framing, frame, ts);
      return;
    }
    if (s.pending.length < MAX_PENDING_REQUESTS) s.pending.push({ packet: frame, method, target, simple: s.simple });
    const ev: HttpRequestEvent = {
      type: 'http-request',
      ts,
      packet: frame,
      flowId: ctx.flow.id,
      method,
      target,
      version,
      host: headerValue(head.headers, 'host'),
      userAgent: headerValue(head.headers, 'user-agent'),
      contentType: headerValue(head.headers, 'content-type'),
      bodyBytes: 0,
      headers: head.headers,
    };
    if (method === 'CONNECT') ev.connectTarget = target;
    startBody(s, ev, framing);
  }

  function onResponse(s: Side, head: ParsedHead, frame: number, ts: number): void {
    const m = STATUS_LINE.exec(head.startLine)!;
    const status = Number(m[2]);
    const requests = other(s).pending;
    // Interim (1xx) responses precede the final one to the same request.
    const req = status < 200 && status !== 101 ? requests[0] : requests.shift();
    const framing = responseFraming(status, req?.method, head.headers);
    if ('anomaly' in framing) {
      fail(s, framing, frame, ts);
      return;
    }
    const cl = contentLength(head.headers);
    const ev: HttpResponseEvent = {
      type: 'http-response',
      ts,
      packet: frame,
      flowId: ctx.flow.id,
      version: m[1]!,
      status,
      reason: m[3] ?? '',
      location: headerValue(head.headers, 'location'),
      contentType: headerValue(head.headers, 'content-type'),
      contentLength: typeof cl === 'number' ? cl : undefined,
      bodyBytes: 0,
      server: headerValue(head.headers, 'server'),
      requestPacket: req?.packet,
      method: req?.method,
      target: req?.target,
      headers: head.headers,
    };
    startBody(s, ev, framing);
    if (status === 101) {
      // Switching Protocols: what follows is not HTTP/1.x on either side.
      stop(sides[0]);
      stop(sides[1]);
    } else if (req?.method === 'CONNECT' && status >= 200) {
      const client = other(s);
      if (status < 300) tunnel = ctx.openChild('http');
      release(client);
    }
  }

  function hold(s: Side, item: Held, size: number): void {
    s.held.push(item);
    s.heldBytes += size;
    if (s.heldBytes > MAX_HELD_BYTES) {
      const frame = item.kind === 'data' ? item.chunk.frame : item.frame;
      const ts = item.kind === 'data' ? item.chunk.ts : item.ts;
      fail(s, fault('http: too much data before the CONNECT response'), frame, ts);
    }
  }

  /** The CONNECT was answered: replay the held bytes, into the tunnel or as HTTP. */
  function release(s: Side): void {
    if (s.mode !== 'hold') return;
    s.mode = 'start';
    const items = s.held;
    s.held = [];
    s.heldBytes = 0;
    for (const item of items) {
      if (item.kind === 'data') analyzer.data(s.dir, item.chunk);
      else analyzer.gap(s.dir, item.size, item.frame, item.ts);
    }
  }

  function feed(s: Side, chunk: StreamChunk): void {
    const data = chunk.data;
    let i = 0;
    while (i < data.length) {
      if (tunnel !== undefined) {
        tunnel.data(s.dir, subChunk(chunk, i));
        return;
      }
      switch (s.mode) {
        case 'stopped':
          return;
        case 'hold': {
          const rest = subChunk(chunk, i);
          hold(s, { kind: 'data', chunk: { ...rest, data: rest.data.slice() } }, rest.data.length);
          return;
        }
        case 'start':
          i = sniff(s, chunk, i);
          break;
        case 'head': {
          const r = s.head.push(data, i, data.length, (line) => firstLine(s, line));
          if (r.status === 'error') {
            fail(s, r, chunk.frame, chunk.ts);
            return;
          }
          i += r.consumed;
          if (r.status === 'done') onHead(s, chunk.frame, chunk.ts);
          break;
        }
        case 'body': {
          const r = s.body!.consume(data, i);
          if (typeof r === 'object') {
            fail(s, r, chunk.frame, chunk.ts);
            return;
          }
          i = r;
          if (s.body!.done) finish(s);
          break;
        }
      }
    }
  }

  const analyzer: StreamAnalyzer = {
    data(dir, chunk) {
      if (ended) return;
      if (tunnel !== undefined) tunnel.data(dir, chunk);
      else feed(sides[dir], chunk);
    },

    gap(dir, size, frame, ts) {
      if (ended || size <= 0) return;
      if (tunnel !== undefined) {
        tunnel.gap(dir, size, frame, ts);
        return;
      }
      const s = sides[dir];
      if (s.mode === 'stopped') return;
      if (s.mode === 'hold') {
        hold(s, { kind: 'gap', size, frame, ts }, HELD_GAP_COST);
        return;
      }
      if (s.mode === 'body' && s.body!.gap(size)) {
        if (s.body!.done) finish(s);
        return;
      }
      fail(s, malformed('http: gap outside a body of known length', 'gap in the stream outside a body of known length'), frame, ts);
    },

    end(ts, frame) {
      if (ended) return;
      ended = true;
      if (tunnel !== undefined) {
        tunnel.end(ts, frame);
        return;
      }
      for (const s of sides) {
        if (s.mode === 'body') flush(s);
        else if (s.mode === 'head') fail(s, fault('http: connection ended inside a header section'), frame, ts);
        stop(s);
      }
    },
  };
  return analyzer;
}
