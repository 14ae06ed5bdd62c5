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

/** A dropped copy of stream bytes, kept to compare with the copy a receiver accepts. */
export interface Shadow {
  off: number;
  end: number;
  data: Uint8Array;
  frame: number;
  kind: DropKind;
  checksum: ChecksumVerdict;
}

/** The global byte budget for shadows. */
export class ShadowPool {
  bytes = 0;
  constructor(readonly maxBytes = SHADOW_POOL_BYTES) {}
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** One version of a contested range: d[from, from + len) carried in `frame`. */
export function version(
  d: Uint8Array,
  from: number,
  len: number,
  frame: number,
  checksum: ChecksumVerdict,
  drop?: DropKind,
): AmbiguityVersion {
  const n = Math.min(len, AMBIGUITY_PREVIEW_BYTES, d.length - from);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < n; i++) {
    const b = d[from + i]!;
    hex += HEX[b];
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  const v: AmbiguityVersion = { frames: [frame], hex, ascii, checksum: checksumName(checksum) };
  if (drop !== undefined) v.drop = drop;
  return v;
}

function checksumName(c: ChecksumVerdict): AmbiguityVersion['checksum'] {
  return c === CHECKSUM_OK ? 'ok' : c === CHECKSUM_PARTIAL ? 'offload' : c === CHECKSUM_BAD ? 'bad' : 'unverified';
}

/** True when a[aStart + k] !== b[bStart + k] for some k < len. */
export function differs(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[aStart + k] !== b[bStart + k]) return true;
  return false;
}
