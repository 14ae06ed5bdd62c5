/**
 * IPv6 header (RFC 8200) and its extension-header chain. The walk accepts chains as long
 * as Linux does (ip6_input_finish has no count limit: only the packet's bytes bound it,
 * and every header is at least 8 bytes, so the walk is linear); chains longer than
 * LONG_CHAIN are counted as a flag, not dropped, since a receiver accepts them. A
 * hop-by-hop header anywhere but first is dropped, as Linux does (RFC 8200 §4.1). The walk
 * stops at the first upper-layer protocol and hands fragments to reassembly; after
 * reassembly it resumes on the reassembled bytes. Atomic fragments (offset 0, M=0, RFC
 * 6946) are whole packets. ESP hides everything after it: counted as unsupported.
 */
import type { Counter } from '../util/counter.js';
import { ipv6String } from './addresses.js';
import { u16, u32 } from './bytes.js';
import type { IpHeader } from './ip-header.js';

/** Real stacks send at most a handful of extension headers; more is flagged (still accepted). */
export const LONG_CHAIN = 8;

/** Parse the IPv6 header at d[off..end) and walk its extension headers into h. */
export function parseIpv6(
  d: Uint8Array,
  off: number,
  end: number,
  h: IpHeader,
  problems: Counter,
  unsupported: Counter,
): boolean {
  const version = end > off ? d[off]! >> 4 : 6;
  if (version !== 6) {
    problems.add(`IPv6: version ${version}`);
    return false;
  }
  if (end - off < 40) {
    problems.add('IPv6: header shorter than 40 bytes');
    return false;
  }
  let payloadLen = u16(d, off + 4);
  const nh = d[off + 6]!;
  if (payloadLen === 0 && nh !== 59 && end - off > 40) {
    // Jumbogram or segmentation offload: the length lives elsewhere or nowhere. Only
    // "no next header" (59) can legitimately be empty; then trailing bytes are padding.
    problems.add('IPv6: payload length 0, using captured length');
    payloadLen = end - off - 40;
  }
  h.version = 6;
  h.ttl = d[off + 7]!;
  h.src = ipv6String(d, off + 8);
  h.dst = ipv6String(d, off + 24);
  h.claimedEnd = off + 40 + payloadLen;
  h.truncated = h.claimedEnd > end;
  h.payloadEnd = h.truncated ? end : h.claimedEnd;
  h.fragment = false;
  h.addrOff = off + 8;
  h.headerChecksumOk = true;
  h.routed = false;
  return walkIpv6Extensions(d, off + 40, nh, h, true, problems, unsupported);
}

/**
 * Walk extension headers from `pos` (next header `nh`) within h.payloadEnd / h.claimedEnd.
 * Sets h.protocol and h.payloadStart, or the fragment fields when a fragment header is met
 * (only if allowFragment: a reassembled datagram must not contain another one).
 */
export function walkIpv6Extensions(
  d: Uint8Array,
  pos: number,
  nh: number,
  h: IpHeader,
  allowFragment: boolean,
  problems: Counter,
  unsupported: Counter,
): boolean {
  for (let n = 0; ; n++) {
    if (n === LONG_CHAIN + 1) problems.add(`IPv6: more than ${LONG_CHAIN} extension headers (accepted, as Linux does)`);
    if (nh === 0 && (n > 0 || !allowFragment)) {
      problems.add('IPv6: hop-by-hop header not first (dropped, as Linux does)');
      return false;
    }
    switch (nh) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
      case 51: // authentication header: length in 4-byte units minus 2
      case 44: {
        // fragment: fixed 8 bytes
        if (!fits(pos, 2, h, problems)) return false;
        const len = nh === 44 ? 8 : nh === 51 ? (d[pos + 1]! + 2) * 4 : (d[pos + 1]! + 1) * 8;
        if (!fits(pos, len, h, problems)) return false;
        const next = d[pos]!;
        // Segments left > 0: the pseudo-header's destination is the final hop, not this one.
        if (nh === 43 && d[pos + 3]! > 0) h.routed = true;
        if (nh === 44) {
          const fo = u16(d, pos + 2);
          const offset = fo & 0xfff8;
          const more = (fo & 1) !== 0;
          if (offset !== 0 || more) {
            if (!allowFragment) {
              problems.add('IPv6: fragment header inside a reassembled datagram');
              return false;
            }
            h.fragment = true;
            h.fragOffset = offset;
            h.moreFragments = more;
            h.fragId = u32(d, pos + 4);
            h.protocol = next;
            h.payloadStart = pos + 8;
            return true;
          }
        }
        nh = next;
        pos += len;
        continue;
      }
      case 50:
        unsupported.add('IPv6 next header 50 (ESP)');
        return false;
      case 59: // no next header: whatever follows is ignored
        h.protocol = 59;
        h.payloadStart = pos;
        h.payloadEnd = pos;
        h.claimedEnd = pos;
        h.truncated = false;
        return true;
      default:
        h.protocol = nh;
        h.payloadStart = pos;
        return true;
    }
  }
}

function fits(pos: number, len: number, h: IpHeader, problems: Counter): boolean {
  if (pos + len > h.claimedEnd) {
    problems.add('IPv6: extension header beyond payload length');
    return false;
  }
  if (pos + len > h.payloadEnd) {
    problems.add('IPv6: extension headers cut by snaplen');
    return false;
  }
  return true;
}
