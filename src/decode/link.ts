/**
 * Link layers: from a captured frame of a given LINKTYPE to the offset and version of
 * the IP header inside it. Hand-written because each layer is a few fixed fields, and
 * because everything that is not IP must be counted by kind (not thrown or silently
 * dropped) so a summary can say what the capture contained besides IP.
 */
import type { Counter } from '../util/counter.js';
import { hex16, u16, u32 } from './bytes.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as written by some BSDs; both values appear as link types in files. */
export const LINKTYPE_RAW_BSD12 = 12;
export const LINKTYPE_RAW_BSD14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;

/** Where the IP header starts and which version it claims to be. */
export interface NetworkLocation {
  offset: number;
  /** End of the network-layer bytes (the frame's end except for NFLOG's payload TLV). */
  end: number;
  version: 4 | 6;
  /** Ethernet destination MAC as a 48-bit number; -1 when the link layer has none. */
  linkDst: number;
  /** VLAN id of the outermost 802.1Q/802.1ad tag; -1 when untagged. */
  vlan: number;
}

/** Stacked VLAN tags beyond this are treated as malformed (real networks use 1 or 2). */
const MAX_VLAN_TAGS = 8;
/** NFLOG attributes walked before giving up on finding the payload. */
const MAX_NFLOG_TLVS = 64;
const NFULA_PAYLOAD = 9;
const ARPHRD_NETLINK = 824;

const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0806, 'ARP'],
  [0x8035, 'RARP'],
  [0x809b, 'AppleTalk'],
  [0x8137, 'IPX'],
  [0x8847, 'MPLS'],
  [0x8848, 'MPLS multicast'],
  [0x8863, 'PPPoE discovery'],
  [0x8864, 'PPPoE session'],
  [0x888e, 'EAPOL'],
  [0x88cc, 'LLDP'],
  [0x88e5, 'MACsec'],
  [0x88f7, 'PTP'],
  [0x8906, 'FCoE'],
  [0x8915, 'RoCE'],
  [0x893a, 'IEEE 1905'],
  [0x88b5, 'local experimental'],
  [0x9000, 'loopback test'],
]);

/**
 * Fill `out` with the IP header location of frame `d` captured with `linkType`.
 * Returns false (after counting why) when the frame carries no IP packet.
 */
export function locateNetwork(
  linkType: number,
  d: Uint8Array,
  out: NetworkLocation,
  problems: Counter,
  unsupported: Counter,
): boolean {
  out.end = d.length;
  out.linkDst = -1;
  out.vlan = -1;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      if (d.length < 14) {
        problems.add('Ethernet: frame shorter than 14-byte header');
        return false;
      }
      out.linkDst = u16(d, 0) * 0x100000000 + u32(d, 2);
      return fromEthertype(d, 14, u16(d, 12), out, problems, unsupported);
    case LINKTYPE_LINUX_SLL:
      if (d.length < 16) {
        problems.add('Linux SLL: frame shorter than 16-byte header');
        return false;
      }
      if (u16(d, 2) === ARPHRD_NETLINK) {
        unsupported.add('Linux SLL: netlink message');
        return false;
      }
      return fromEthertype(d, 16, u16(d, 14), out, problems, unsupported);
    case LINKTYPE_LINUX_SLL2:
      if (d.length < 20) {
        problems.add('Linux SLL2: frame shorter than 20-byte header');
        return false;
      }
      if (u16(d, 8) === ARPHRD_NETLINK) {
        unsupported.add('Linux SLL2: netlink message');
        return false;
      }
      return fromEthertype(d, 20, u16(d, 0), out, problems, unsupported);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD12:
    case LINKTYPE_RAW_BSD14:
      return fromVersionNibble(d, 0, out, problems, 'raw IP');
    case LINKTYPE_IPV4:
      out.offset = 0;
      out.version = 4;
      return true;
    case LINKTYPE_IPV6:
      out.offset = 0;
      out.version = 6;
      return true;
    case LINKTYPE_NULL: {
      if (d.length < 4) {
        problems.add('NULL: frame shorter than 4-byte header');
        return false;
      }
      // The family is in the capturing host's byte order; families are small numbers,
      // so a value with high bits set was written big-endian.
      let family = (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
      if (family & 0xffff0000) family = u32(d, 0);
      return fromAddressFamily(family, out, unsupported);
    }
    case LINKTYPE_LOOP:
      if (d.length < 4) {
        problems.add('LOOP: frame shorter than 4-byte header');
        return false;
      }
      return fromAddressFamily(u32(d, 0), out, unsupported);
    case LINKTYPE_NFLOG:
      return fromNflog(d, out, problems, unsupported);
    default:
      unsupported.add(`unknown link type ${linkType}`);
      return false;
  }
}

function fromEthertype(
  d: Uint8Array,
  off: number,
  type: number,
  out: NetworkLocation,
  problems: Counter,
  unsupported: Counter,
): boolean {
  let tags = 0;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (++tags > MAX_VLAN_TAGS) {
      problems.add(`VLAN: more than ${MAX_VLAN_TAGS} stacked tags`);
      return false;
    }
    if (off + 4 > d.length) {
      problems.add('VLAN: tag cut short');
      return false;
    }
    if (tags === 1) out.vlan = u16(d, off) & 0xfff;
    type = u16(d, off + 2);
    off += 4;
  }
  if (type === 0x0800 || type === 0x86dd) {
    out.offset = off;
    out.version = type === 0x0800 ? 4 : 6;
    return true;
  }
  if (type === 0x8864) return fromPppoeSession(d, off, out, problems, unsupported);
  if (type <= 1500) {
    unsupported.add('802.3 length field frame (LLC)');
    return false;
  }
  const name = ETHERTYPE_NAMES.get(type);
  unsupported.add(name === undefined ? `ethertype ${hex16(type)}` : `ethertype ${hex16(type)} (${name})`);
  return false;
}

/** RFC 2516 session stage: 6-byte PPPoE header, then a 2-byte PPP protocol. */
function fromPppoeSession(
  d: Uint8Array,
  off: number,
  out: NetworkLocation,
  problems: Counter,
  unsupported: Counter,
): boolean {
  if (off + 8 > d.length) {
    problems.add('PPPoE: header cut short');
    return false;
  }
  if (d[off] !== 0x11 || d[off + 1] !== 0) {
    problems.add('PPPoE: not a version 1 session packet');
    return false;
  }
  const proto = u16(d, off + 6);
  if (proto === 0x0021 || proto === 0x0057) {
    out.offset = off + 8;
    out.version = proto === 0x0021 ? 4 : 6;
    return true;
  }
  unsupported.add(`PPPoE: PPP protocol ${hex16(proto)}`);
  return false;
}

/** BSD/Darwin/Linux loopback: AF_INET is 2 everywhere, AF_INET6 differs per OS. */
function fromAddressFamily(family: number, out: NetworkLocation, unsupported: Counter): boolean {
  out.offset = 4;
  if (family === 2) {
    out.version = 4;
    return true;
  }
  if (family === 10 || family === 24 || family === 28 || family === 30) {
    out.version = 6;
    return true;
  }
  unsupported.add(`loopback address family ${family}`);
  return false;
}

function fromVersionNibble(d: Uint8Array, off: number, out: NetworkLocation, problems: Counter, what: string): boolean {
  if (off >= out.end) {
    problems.add(`${what}: no IP header`);
    return false;
  }
  const v = d[off]! >> 4;
  if (v !== 4 && v !== 6) {
    problems.add(`${what}: IP version ${v}`);
    return false;
  }
  out.offset = off;
  out.version = v;
  return true;
}

/**
 * NFLOG: a 4-byte header, then netlink attributes (length, type) in the capturing host's
 * byte order, each padded to 4 bytes; the IP packet is the NFULA_PAYLOAD attribute.
 * The byte order is decided from the first attribute: the smaller reading of its length wins.
 */
function fromNflog(d: Uint8Array, out: NetworkLocation, problems: Counter, unsupported: Counter): boolean {
  if (d.length < 4) {
    problems.add('NFLOG: frame shorter than 4-byte header');
    return false;
  }
  if (d[1] !== 0) {
    problems.add(`NFLOG: version ${d[1]}`);
    return false;
  }
  let off = 4;
  const le = d.length >= 6 && (d[4]! | (d[5]! << 8)) <= u16(d, 4);
  for (let n = 0; n < MAX_NFLOG_TLVS && off + 4 <= d.length; n++) {
    const len = le ? d[off]! | (d[off + 1]! << 8) : u16(d, off);
    const type = (le ? d[off + 2]! | (d[off + 3]! << 8) : u16(d, off + 2)) & 0x3fff;
    if (len < 4) {
      problems.add('NFLOG: attribute length < 4');
      return false;
    }
    if (type === NFULA_PAYLOAD) {
      out.end = Math.min(off + len, d.length);
      return fromVersionNibble(d, off + 4, out, problems, 'NFLOG payload');
    }
    off += (len + 3) & ~3;
  }
  if (off < d.length) problems.add('NFLOG: attributes cut short or too many');
  else unsupported.add('NFLOG: no payload attribute');
  return false;
}
