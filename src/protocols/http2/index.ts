/**
 * HTTP/2 (RFC 9113): the connection preface probe and a frame-layer analyzer.
 *
 * A client starts every HTTP/2 connection (h2 after ALPN, or h2c with prior knowledge)
 * with the fixed 24-byte preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (§3.4), which an
 * HTTP/1.x sniffer would take for a request line, so it has its own registration ahead
 * of HTTP/1. This analyzer walks frames (§4.1: 24-bit length, type, flags, stream id) by
 * length without copying and counts them; HEADERS/HPACK, streams and the request/response
 * events belong to the full HTTP/2 analyzer that replaces this file.
 */
import type { Direction, StreamChunk } from '../../flow/types.js';
import type { ParseStep } from '../anomaly.js';
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';

export const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const FRAME_HEADER = 9;

/** true: the head starts with the whole preface; undefined: it is a proper prefix of it; false: it is not HTTP/2. */
export function looksLikeHttp2Preface(head: Uint8Array): boolean | undefined {
  const n = Math.min(head.length, HTTP2_PREFACE.length);
  for (let i = 0; i < n; i++) if (head[i] !== HTTP2_PREFACE.charCodeAt(i)) return false;
  return head.length >= HTTP2_PREFACE.length ? true : undefined;
}

/** Frame walking for one direction: the preface (client only), then 9-byte headers and skipped payloads. */
class FrameWalker {
  frames = 0;
  payloadBytes = 0;
  stopped = false;
  private prefaceLeft: number;
  private readonly header = new Uint8Array(FRAME_HEADER);
  private headerLength = 0;
  private payloadLeft = 0;

  constructor(client: boolean) {
    this.prefaceLeft = client ? HTTP2_PREFACE.length : 0;
  }

  /** Consumes what it can of data[from..]. */
  step(data: Uint8Array, from: number): ParseStep<void> {
    let i = from;
    if (this.prefaceLeft > 0) {
      const take = Math.min(this.prefaceLeft, data.length - i);
      this.prefaceLeft -= take;
      i += take;
    }
    while (i < data.length) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, data.length - i);
        this.payloadLeft -= take;
        this.payloadBytes += take;
        i += take;
        continue;
      }
      const take = Math.min(FRAME_HEADER - this.headerLength, data.length - i);
      this.header.set(data.subarray(i, i + take), this.headerLength);
      this.headerLength += take;
      i += take;
      if (this.headerLength < FRAME_HEADER) break;
      this.headerLength = 0;
      this.frames++;
      this.payloadLeft = (this.header[0]! << 16) | (this.header[1]! << 8) | this.header[2]!;
    }
    const needed = this.prefaceLeft + (this.payloadLeft > 0 ? this.payloadLeft : FRAME_HEADER - this.headerLength);
    return { status: 'incomplete', consumed: i - from, needed };
  }
}

export function createHttp2Analyzer(ctx: AnalyzerContext): StreamAnalyzer {
  const walkers: [FrameWalker, FrameWalker] = [new FrameWalker(true), new FrameWalker(false)];
  return {
    data(dir: Direction, chunk: StreamChunk) {
      const w = walkers[dir];
      if (!w.stopped) w.step(chunk.data, 0);
    },
    gap(dir) {
      const w = walkers[dir];
      if (w.stopped) return;
      w.stopped = true;
      ctx.anomaly('http2: gap in the stream');
    },
    end() {},
  };
}
