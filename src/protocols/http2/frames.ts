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

  /** Whether the stream stands exactly between two frames. */
  get atBoundary(): boolean {
    return this.current === undefined && this.headLen === 0;
  }

  /** Forgets the frame in progress: the next byte pushed starts a frame header. */
  reset(): void {
    this.current = undefined;
    this.headLen = 0;
    this.kept.consume(this.kept.length);
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

/** Flags each frame type defines (RFC 9113 §6); anything else set makes a header implausible. */
const DEFINED_FLAGS = [0x09, 0x2d, 0, 0, 0x01, 0x0c, 0x01, 0, 0, 0x04];
/** Exact payload lengths of fixed-size frames (-1: variable). */
const FIXED_LENGTH = [-1, -1, 5, 4, -1, -1, 8, -1, 4, -1];
/** Frame types that live on stream 0 (1), on a stream (2), or either (0). */
const STREAM_RULE = [2, 2, 2, 2, 1, 2, 1, 1, 0, 2];
/** Frames whose chain must hold before a boundary found by search is trusted. */
export const RESYNC_CHAIN = 3;

function readHeader(b: Uint8Array, at: number): FrameHeader {
  return { length: (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!, type: b[at + 3]!, flags: b[at + 4]!, streamId: ((b[at + 5]! & 0x7f) << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) | b[at + 8]! };
}

/** Could these 9 bytes be a frame header a conforming peer sends? Strict: unknown types say no. */
function plausible(b: Uint8Array, at: number, maxFrameSize: number): boolean {
  const h = readHeader(b, at);
  if (h.type > FrameType.CONTINUATION || (b[at + 5]! & 0x80) !== 0 || h.length > maxFrameSize) return false;
  if ((h.flags & ~DEFINED_FLAGS[h.type]!) !== 0) return false;
  const fixed = FIXED_LENGTH[h.type]!;
  if (fixed >= 0 && h.length !== fixed) return false;
  if (h.type === FrameType.SETTINGS && (h.flags & Flag.ACK ? h.length !== 0 : h.length % 6 !== 0)) return false;
  if (h.type === FrameType.GOAWAY && h.length < 8) return false;
  const rule = STREAM_RULE[h.type]!;
  return rule === 0 || (rule === 1) === (h.streamId === 0);
}

/** A header block not yet ended must be followed by its CONTINUATION, and only then. */
function follows(prev: FrameHeader, next: FrameHeader): boolean {
  const open = (prev.type === FrameType.HEADERS || prev.type === FrameType.PUSH_PROMISE || prev.type === FrameType.CONTINUATION) && (prev.flags & Flag.END_HEADERS) === 0;
  return open ? next.type === FrameType.CONTINUATION && next.streamId === prev.streamId : next.type !== FrameType.CONTINUATION;
}

/**
 * Searches bytes taken after a gap for a frame boundary (Suricata-style resynchronisation):
 * the first offset from `from` where RESYNC_CHAIN consecutive plausible headers chain by
 * their lengths. Random bytes pass one header check with probability well under 10^-5, so a
 * chain of three is not found by chance. Returns the offset, 'more' (the chain at the
 * returned `at` needs bytes not seen yet), or 'none' (nothing from `from` on).
 */
export function findFrameBoundary(b: Uint8Array, from: number, maxFrameSize: number): { at: number; found: boolean } | 'none' {
  for (let p = from; p + FRAME_HEADER_BYTES <= b.length; p++) {
    if (!plausible(b, p, maxFrameSize) || readHeader(b, p).type === FrameType.CONTINUATION) continue;
    let q = p;
    let prev: FrameHeader | undefined;
    let k = 0;
    for (; k < RESYNC_CHAIN; k++) {
      if (q + FRAME_HEADER_BYTES > b.length) return { at: p, found: false };
      if (!plausible(b, q, maxFrameSize)) break;
      const h = readHeader(b, q);
      if (prev !== undefined && !follows(prev, h)) break;
      prev = h;
      q += FRAME_HEADER_BYTES + h.length;
    }
    if (k === RESYNC_CHAIN) return { at: p, found: true };
  }
  return 'none';
}
