/**
 * Building `StreamAmbiguity` reports: bounded previews of each version, and the shared
 * budget for dropped copies kept until the copy a receiver accepts arrives. Memory stays
 * bounded by configuration: a dropped copy is kept only while the budget allows (its
 * first SHADOW_MAX_BYTES), at most SHADOW_MAX_PIECES per direction, and the number of
 * reports per direction is capped (the rest are counted).
 */
import { CHECKSUM_BAD, CHECKSUM_OK, CHECKSUM_PARTIAL, type ChecksumVerdict } from '../decode/checksum.js';
import type { DropKind } from '../decode/types.js';
import type { AmbiguityVersion } from './types.js';

/** Bytes of each version shown in a report. */
export const AMBIGUITY_PREVIEW_BYTES = 32;
/** Reports per direction; later ones are only counted. */
export const MAX_AMBIGUITIES_PER_DIRECTION = 16;
/** Dropped copies kept per direction, and the bytes kept of each. */
export const SHADOW_MAX_PIECES = 8;
export const SHADOW_MAX_BYTES = 4096;
/** Dropped-copy bytes kept across all flows. */
export const SHADOW_POOL_BYTES = 8 << 20;

/** One copy of stream bytes: data[0] sits at stream offset `off`. */
export interface Copy {
  data: Uint8Array;
  off: number;
  frame: number;
  checksum: ChecksumVerdict;
  /** Why a receiver drops this copy, when it does. */
  drop?: DropKind;
}

/** A dropped copy kept to compare with the copy a receiver accepts; `seq` so it can precede the stream's base. */
export interface Shadow {
  seq: number;
  data: Uint8Array;
  frame: number;
  kind: DropKind;
  checksum: ChecksumVerdict;
  /** Bytes charged to the pool (data may be emptied once reported). */
  charge: number;
}

/** The global byte budget for shadows. */
export class ShadowPool {
  bytes = 0;
  constructor(readonly maxBytes = SHADOW_POOL_BYTES) {}
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The version of stream range [from, from + len) that copy `c` carries. */
export function version(c: Copy, from: number, len: number): AmbiguityVersion {
  const at = from - c.off;
  const n = Math.max(0, Math.min(len, AMBIGUITY_PREVIEW_BYTES, c.data.length - at));
  let hex = '';
  let ascii = '';
  for (let i = 0; i < n; i++) {
    const b = c.data[at + i]!;
    hex += HEX[b];
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  const v: AmbiguityVersion = { frames: [c.frame], hex, ascii, checksum: checksumName(c.checksum) };
  if (c.drop !== undefined) v.drop = c.drop;
  return v;
}

/** Stream offsets of the first and last differing byte found by the latest diff(). */
export const diffSpan = { first: 0, last: 0 };

/** Number of stream offsets in [from, to) where copies a and b differ; sets diffSpan when > 0. */
export function diff(a: Copy, b: Copy, from: number, to: number): number {
  let n = 0;
  const ad = a.data;
  const bd = b.data;
  const da = a.off;
  const db = b.off;
  for (let x = from; x < to; x++) {
    if (ad[x - da] !== bd[x - db]) {
      if (n === 0) diffSpan.first = x;
      diffSpan.last = x;
      n++;
    }
  }
  return n;
}

function checksumName(c: ChecksumVerdict): AmbiguityVersion['checksum'] {
  return c === CHECKSUM_OK ? 'ok' : c === CHECKSUM_PARTIAL ? 'offload' : c === CHECKSUM_BAD ? 'bad' : 'unverified';
}
