/**
 * HTTP/2 frame layer (RFC 9113 §4.1, §6): splits one direction's byte stream into
 * frames, incrementally, whatever the TCP segmentation. Only what the analyzer needs
 * is kept from a payload (`keep` bytes: the whole header block fragment, a SETTINGS
 * list, the first bytes of GOAWAY); the rest — DATA above all — is skipped by count
 * without copying, so a frame's declared length never becomes an allocation.
 */
import { ByteQueue } from '../tls/byte-queue.js';

export const FRAME_HEADER_BYTES = 9;

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  MAX_FRAME_SIZE: 0x5,
} as const;

/** SETTINGS_MAX_FRAME_SIZE bounds (RFC 9113 §6.5.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16384;
export const LARGEST_FRAME_SIZE = 2 ** 24 - 1;

/** Error code names (RFC 9113 §7). */
const ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export function errorCodeName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}

/** Bytes of a payload worth keeping for each frame type; the rest is skipped. */
export function keepBytes(h: FrameHeader, headerBlockRoom: number): number {
  switch (h.type) {
    case FrameType.DATA:
      return h.flags & Flag.PADDED ? Math.min(h.length, 1) : 0;
    case FrameType.HEADERS:
    case FrameType.PUSH_PROMISE:
    case FrameType.CONTINUATION:
      return h.length <= headerBlockRoom ? h.length : 0;
    case FrameType.SETTINGS:
      return Math.min(h.length, DEFAULT_MAX_FRAME_SIZE);
    case FrameType.GOAWAY:
      return Math.min(h.length, 8 + 256);
    case FrameType.RST_STREAM:
    case FrameType.WINDOW_UPDATE:
    case FrameType.PRIORITY:
    case FrameType.PING:
      return Math.min(h.length, 8);
    default:
      return 0;
  }
}

export interface FrameSink {
  /** A frame header was read: how many payload bytes to keep (the rest is skipped). */
  header(h: FrameHeader): number;
  /**
   * The frame ended; `kept` holds its first kept bytes; `frame`/`ts` of the chunk with its
   * last byte. `damaged`: a gap fell inside the bytes to keep, so `kept` is incomplete.
   */
  frame(h: FrameHeader, kept: Uint8Array, frame: number, ts: number, damaged: boolean): void;
}

/** One direction's framing state. */
export class FrameReader {
  private readonly head = new Uint8Array(FRAME_HEADER_BYTES);
  private headLen = 0;
  private current: FrameHeader | undefined;
  /** Payload bytes of the current frame consumed so far (kept or skipped). */
  private done = 0;
  private keep = 0;
  private damaged = false;
  private readonly kept: ByteQueue;

  constructor(private readonly sink: FrameSink, keepCap: number) {
    this.kept = new ByteQueue(keepCap);
  }

  /** The frame being read, and how far into its payload. */
  get inFrame(): { header: FrameHeader; consumed: number } | undefined {
    return this.current && { header: this.current, consumed: this.done };
  }

  /** Whether the stream stands exactly between two frames. */
  get atBoundary(): boolean {
    return this.current === undefined && this.headLen === 0;
  }

  push(data: Uint8Array, frame: number, ts: number): void {
    let i = 0;
    while (i < data.length) {
      if (this.current === undefined) {
        const n = Math.min(FRAME_HEADER_BYTES - this.headLen, data.length - i);
        this.head.set(data.subarray(i, i + n), this.headLen);
        this.headLen += n;
        i += n;
        if (this.headLen < FRAME_HEADER_BYTES) return;
        this.headLen = 0;
        const h = this.head;
        this.current = {
          length: (h[0]! << 16) | (h[1]! << 8) | h[2]!,
          type: h[3]!,
          flags: h[4]!,
          streamId: ((h[5]! & 0x7f) << 24) | (h[6]! << 16) | (h[7]! << 8) | h[8]!,
        };
        this.done = 0;
        this.damaged = false;
        this.keep = this.sink.header(this.current);
      } else {
        const n = Math.min(this.current.length - this.done, data.length - i);
        const keepNow = Math.max(0, Math.min(this.keep - this.done, n));
        if (keepNow > 0) this.kept.append(data.subarray(i, i + keepNow));
        this.done += n;
        i += n;
      }
      if (this.current.length === this.done) this.finish(frame, ts);
    }
  }

  /**
   * `size` bytes were lost. Inside the current frame's payload the next frame's start is
   * still known: skip them and return true (the frame is reported `damaged` if bytes to
   * keep were lost). Across a frame boundary it is not: return false.
   */
  skip(size: number, frame: number, ts: number): boolean {
    const cur = this.current;
    if (cur === undefined || cur.length - this.done < size) return false;
    if (this.done < this.keep) this.damaged = true;
    this.keep = Math.min(this.keep, this.done);
    this.done += size;
    if (cur.length === this.done) this.finish(frame, ts);
    return true;
  }

  /** Frees the kept bytes (the direction stopped). */
  release(): void {
    this.kept.release();
  }

  private finish(frame: number, ts: number): void {
    const h = this.current!;
    this.current = undefined;
    const kept = this.kept.view();
    this.sink.frame(h, kept, frame, ts, this.damaged);
    this.kept.consume(kept.length);
  }
}
