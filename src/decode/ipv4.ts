/**
 * IPv4 header (RFC 791): validates version, header length and total length, skips
 * options, and trims to the total length so Ethernet padding never reaches the payload.
 * A packet cut by the snaplen keeps what exists and is marked truncated. The header
 * checksum is verified here; what a bad one means is decided by the flow layer.
 */
import type { Counter } from '../util/counter.js';
import { ipv4String } from './addresses.js';
import { u16 } from './bytes.js';
import { ipv4HeaderOk } from './checksum.js';
import type { IpHeader } from './ip-header.js';

const MF = 0x2000;

/** Parse the IPv4 header at d[off..end) into h; false (counted) when it is unusable. */
export function parseIpv4(d: Uint8Array, off: number, end: number, h: IpHeader, problems: Counter): boolean {
  const avail = end - off;
  const version = avail > 0 ? d[off]! >> 4 : 4;
  if (version !== 4) {
    problems.add(`IPv4: version ${version}`);
    return false;
  }
  if (avail < 20) {
    problems.add('IPv4: header shorter than 20 bytes');
    return false;
  }
  const ihl = d[off]! & 0x0f;
  if (ihl < 5) {
    problems.add(`IPv4: header length ${ihl} < 5`);
    return false;
  }
  const hlen = ihl * 4;
  if (hlen > avail) {
    problems.add('IPv4: options beyond captured bytes');
    return false;
  }
  let total = u16(d, off + 2);
  if (total === 0) {
    // Segmentation offload captured before the NIC split it: Linux writes 0 here.
    problems.add('IPv4: total length 0 (offload), using captured length');
    total = avail;
  } else if (total < hlen) {
    problems.add('IPv4: total length below header length');
    return false;
  }
  h.version = 4;
  h.ttl = d[off + 8]!;
  h.protocol = d[off + 9]!;
  h.src = ipv4String(d, off + 12);
  h.dst = ipv4String(d, off + 16);
  h.payloadStart = off + hlen;
  h.claimedEnd = off + total;
  h.truncated = h.claimedEnd > end;
  h.payloadEnd = h.truncated ? end : h.claimedEnd;
  const frag = u16(d, off + 6);
  h.moreFragments = (frag & MF) !== 0;
  h.fragOffset = (frag & 0x1fff) * 8;
  h.fragment = h.moreFragments || h.fragOffset !== 0;
  h.fragId = u16(d, off + 4);
  h.addrOff = off + 12;
  // 20–60 bytes: cheap enough to verify on every packet (Linux ip_rcv_core drops a bad one).
  h.headerChecksumOk = ipv4HeaderOk(d, off, hlen);
  h.routed = false;
  return true;
}
