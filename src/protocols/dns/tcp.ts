/**
 * DNS over TCP (RFC 7766): each message is preceded by a 2-byte length; one segment
 * may carry several messages and one message may span several segments.
 *
 * Whole messages inside a chunk are parsed straight from the chunk's view (the
 * common case, no copy); only a message split across chunks is copied, into a
 * buffer of exactly its announced size (at most 65535 + 2 bytes). After a gap the
 * direction stops: the length prefixes cannot be found again safely, and a guess
 * would turn payload bytes into fake DNS messages (the dispatcher also feeds a direction
 * nothing more after its first gap: this registration does not accept gaps).
 */
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { Direction, StreamChunk } from '../../flow/types.js';
import { DnsSession, type DnsAnalyzerOptions } from './session.js';

/** Reassembles length-prefixed messages of one direction. */
class Framer {
  private stopped = false;
  /** A lone first byte of a length prefix, or -1. */
  private prefixByte = -1;
  /** A message being reassembled: prefix + body, sized exactly. */
  private partial: Uint8Array | undefined;
  private have = 0;

  constructor(private readonly deliver: (msg: Uint8Array, frame: number, ts: number) => void) {}

  get midMessage(): boolean {
    return !this.stopped && (this.prefixByte >= 0 || this.partial !== undefined);
  }

  stop(): void {
    this.stopped = true;
    this.prefixByte = -1;
    this.partial = undefined;
  }

  push(chunk: StreamChunk): void {
    if (this.stopped) return;
    const data = chunk.data;
    let off = 0;
    if (this.prefixByte >= 0 && data.length > 0) {
      const partial = this.startPartial((this.prefixByte << 8) | (data[0] ?? 0));
      partial[0] = this.prefixByte;
      partial[1] = data[0] ?? 0;
      this.have = 2;
      this.prefixByte = -1;
      off = 1;
    }
    if (this.partial) {
      const take = Math.min(this.partial.length - this.have, data.length - off);
      this.partial.set(data.subarray(off, off + take), this.have);
      this.have += take;
      off += take;
      if (this.have < this.partial.length) return;
      const done = this.partial;
      this.partial = undefined;
      this.deliver(done.subarray(2), chunk.frame, chunk.ts);
    }
    // Fast path: complete messages in this chunk are parsed in place.
    while (data.length - off >= 2) {
      const len = ((data[off] ?? 0) << 8) | (data[off + 1] ?? 0);
      if (data.length - off < 2 + len) break;
      this.deliver(data.subarray(off + 2, off + 2 + len), chunk.frame, chunk.ts);
      off += 2 + len;
    }
    const rest = data.length - off;
    if (rest === 1) this.prefixByte = data[off] ?? 0;
    else if (rest >= 2) {
      this.startPartial(((data[off] ?? 0) << 8) | (data[off + 1] ?? 0)).set(data.subarray(off), 0);
      this.have = rest;
    }
  }

  /** The announced length bounds the copy: at most 65535 + 2 bytes. */
  private startPartial(len: number): Uint8Array {
    this.partial = new Uint8Array(2 + len);
    this.have = 0;
    return this.partial;
  }
}

export function createDnsTcpAnalyzer(ctx: AnalyzerContext, options: DnsAnalyzerOptions = {}): StreamAnalyzer {
  const session = new DnsSession(ctx, 'tcp', options);
  const framers = [0, 1].map(
    (dir) => new Framer((msg, frame, ts) => session.message(dir as Direction, msg, frame, ts)),
  ) as [Framer, Framer];
  return {
    data(dir, chunk) {
      framers[dir].push(chunk);
    },
    gap(dir) {
      if (framers[dir].midMessage) ctx.anomaly('dns: tcp message cut by a gap');
      ctx.anomaly('dns: tcp gap (direction stopped)');
      framers[dir].stop();
    },
    end() {
      for (const f of framers) if (f.midMessage) ctx.anomaly('dns: tcp stream ended inside a message');
      session.end();
    },
  };
}
