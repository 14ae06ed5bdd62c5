/**
 * Bounded reading of DNS wire format: integers and domain names.
 *
 * Hand-written rather than taken from dns-packet because names are where the
 * attacks are: dns-packet joins labels as UTF-8 (a label "proxy.golang.org" or
 * one with invalid bytes comes out ambiguous or lossy) and follows any number of
 * backward compression pointers (a pointer chain makes every record cost O(message)).
 * Here labels are escaped in RFC 1035 presentation form (`\.`, `\\`, `\DDD`), pointers
 * must point strictly backwards and at most MAX_POINTER_HOPS are followed, and the
 * 255-octet name limit is enforced. Errors are thrown as WireError and caught by
 * the message parser, which counts them by kind.
 */
import type { DnsWireErrorKind } from '../anomaly.js';

export class WireError extends Error {
  constructor(readonly kind: DnsWireErrorKind) {
    super(kind);
  }
}

/** A name has at most 127 labels, so a legitimate name never needs more hops than that. */
const MAX_POINTER_HOPS = 127;
const MAX_NAME_OCTETS = 255;

export function u8(b: Uint8Array, off: number, end: number): number {
  if (off + 1 > end) throw new WireError('truncated');
  return b[off] ?? 0;
}

export function u16(b: Uint8Array, off: number, end: number): number {
  if (off + 2 > end) throw new WireError('truncated');
  return ((b[off] ?? 0) << 8) | (b[off + 1] ?? 0);
}

export function u32(b: Uint8Array, off: number, end: number): number {
  if (off + 4 > end) throw new WireError('truncated');
  return u16(b, off, end) * 65536 + u16(b, off + 2, end);
}

export interface DecodedName {
  /** Presentation form without the trailing dot ("." for the root). */
  name: string;
  /** Offset just after the name where it started (after its first pointer, if any). */
  end: number;
}

/**
 * Decodes the name at `off`. Labels must lie before `limit` (the end of the field
 * the name belongs to); compression pointers may point anywhere earlier in `msg`.
 */
export function readName(msg: Uint8Array, off: number, limit: number, allowCompression = true): DecodedName {
  const labels: string[] = [];
  let pos = off;
  let segmentStart = off;
  let end = -1;
  let hops = 0;
  let octets = 1;
  let fieldEnd = limit;
  while (true) {
    const len = u8(msg, pos, fieldEnd);
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (!allowCompression) throw new WireError('compression pointer where none is allowed');
      const target = u16(msg, pos, fieldEnd) & 0x3fff;
      if (target >= segmentStart) throw new WireError('forward or looping compression pointer');
      if (++hops > MAX_POINTER_HOPS) throw new WireError('too many compression pointers');
      if (end < 0) end = pos + 2;
      pos = target;
      segmentStart = target;
      // Pointed-to labels start earlier in the message; they only need to lie inside it.
      fieldEnd = msg.length;
      continue;
    }
    if (kind !== 0) throw new WireError('label longer than 63 octets or extended label type');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw new WireError('name longer than 255 octets');
    if (pos + 1 + len > fieldEnd) throw new WireError('truncated');
    labels.push(escapeLabel(msg, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.'), end };
}

/** RFC 1035 §5.1 presentation escaping of one label. */
function escapeLabel(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i] ?? 0;
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${c.toString().padStart(3, '0')}`;
  }
  return s;
}

export function hex(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, Math.max(0, end - start)).toString('hex');
}
