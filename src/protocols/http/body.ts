/**
 * Skips one message body over stream chunks without copying it. Content-Length
 * and chunk payloads are skipped by count (no per-byte work — body bytes are most
 * of the traffic); only chunk-size lines and trailers, which are small and
 * bounded, are looked at byte by byte.
 */
import { malformed, type HttpAnomaly, type Malformed } from '../anomaly.js';
import type { Framing } from './framing.js';
import { MAX_HEAD_BYTES } from './head.js';

/** Longest chunk-size line accepted, extensions included. */
export const MAX_CHUNK_LINE = 4096;

const LF = 0x0a;
const CR = 0x0d;

const chunkError = (reason: string): Malformed<HttpAnomaly> => malformed('http: malformed chunked body', reason);

type State = 'length' | 'close' | 'size' | 'data' | 'data-end' | 'trailer' | 'done';

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

export class BodyReader {
  /** Body bytes so far (chunk payload only, for chunked), gaps included. */
  bytes = 0;
  private state: State;
  /** Bytes left in the Content-Length body or the current chunk. */
  private remaining = 0;
  // Chunk-size line / trailer parsing.
  private digits = 0;
  private inExtension = false;
  private lineBytes = 0;
  private sawCr = false;
  private trailerBytes = 0;

  constructor(framing: Framing, alreadySeen = 0) {
    this.bytes = alreadySeen;
    switch (framing.kind) {
      case 'none':
        this.state = 'done';
        break;
      case 'length':
        this.state = 'length';
        this.remaining = framing.length;
        break;
      case 'chunked':
        this.state = 'size';
        break;
      case 'close':
        this.state = 'close';
        break;
    }
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** The body runs until the connection ends. */
  get untilClose(): boolean {
    return this.state === 'close';
  }

  /** Consumes data[start..] up to the end of the body; returns the index after it, or a reason the body is malformed. */
  consume(data: Uint8Array, start: number): number | Malformed<HttpAnomaly> {
    let i = start;
    while (i < data.length && this.state !== 'done') {
      switch (this.state) {
        case 'close': {
          this.bytes += data.length - i;
          return data.length;
        }
        case 'length':
        case 'data': {
          // Fast path: skip payload by count.
          const n = Math.min(this.remaining, data.length - i);
          this.remaining -= n;
          this.bytes += n;
          i += n;
          if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'data-end';
          break;
        }
        case 'data-end': {
          const b = data[i++]!;
          if (b === CR && !this.sawCr) this.sawCr = true;
          else if (b === LF) this.startSizeLine();
          else return chunkError('missing CRLF after chunk data');
          break;
        }
        case 'size': {
          const r = this.sizeByte(data[i++]!);
          if (r !== undefined) return r;
          break;
        }
        case 'trailer': {
          const r = this.trailerByte(data[i++]!);
          if (r !== undefined) return r;
          break;
        }
      }
    }
    return i;
  }

  /**
   * `size` bytes are missing. Inside a payload of known length (or a body that runs
   * until close) they are simply counted; anywhere else the framing is lost: false.
   */
  gap(size: number): boolean {
    if (this.state === 'close') {
      this.bytes += size;
      return true;
    }
    if ((this.state === 'length' || this.state === 'data') && size <= this.remaining) {
      this.remaining -= size;
      this.bytes += size;
      if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'data-end';
      return true;
    }
    return false;
  }

  private startSizeLine(): void {
    this.state = 'size';
    this.remaining = 0;
    this.digits = 0;
    this.inExtension = false;
    this.lineBytes = 0;
    this.sawCr = false;
  }

  private sizeByte(b: number): Malformed<HttpAnomaly> | undefined {
    if (++this.lineBytes > MAX_CHUNK_LINE) return chunkError('chunk-size line too long');
    if (b === LF) {
      if (this.digits === 0) return chunkError('missing chunk size');
      if (this.remaining === 0) {
        this.state = 'trailer';
        this.lineBytes = 0;
      } else {
        this.state = 'data';
        this.sawCr = false;
      }
      return undefined;
    }
    if (this.inExtension) return undefined;
    const h = hexValue(b);
    if (h >= 0) {
      if (this.remaining > (Number.MAX_SAFE_INTEGER - h) / 16) return chunkError('chunk size overflow');
      this.remaining = this.remaining * 16 + h;
      this.digits++;
      return undefined;
    }
    // Chunk extensions (";name=value"), optionally after whitespace, are skipped.
    if (this.digits > 0 && (b === 0x3b || b === 0x20 || b === 0x09 || b === CR)) {
      this.inExtension = true;
      return undefined;
    }
    return chunkError('invalid chunk size');
  }

  /** Trailer fields are skipped line by line until an empty line. */
  private trailerByte(b: number): Malformed<HttpAnomaly> | undefined {
    if (++this.trailerBytes > MAX_HEAD_BYTES) return malformed('http: trailer section too large', `trailer section larger than ${MAX_HEAD_BYTES} bytes`);
    if (b === LF) {
      if (this.lineBytes === 0) this.state = 'done';
      this.lineBytes = 0;
    } else if (b !== CR) {
      this.lineBytes++;
    }
    return undefined;
  }
}
