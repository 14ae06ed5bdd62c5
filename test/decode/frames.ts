/**
 * Packet builders for decode tests: each layer is assembled byte by byte from the RFC
 * layouts, so the tests exercise the decoder against independently written bytes.
 */
import type { PacketRecord } from '../../src/capture/types.js';

export { concat } from '../bytes.js';
import { concat } from '../bytes.js';

export function be16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

export function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function ip4(text: string): number[] {
  return text.split('.').map(Number);
}

/** Full (uncompressed) IPv6 text "2001:db8:0:0:0:0:0:1" or with "::". */
export function ip6(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  protocol?: number;
  ttl?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  more?: boolean;
  options?: number[];
  /** Override the total length field. */
  totalLength?: number;
  /** Override the IHL field. */
  ihl?: number;
  version?: number;
  /** Override the header checksum (computed by default, as every stack does). */
  checksum?: number;
}

export function ipv4(payload: ArrayLike<number>, o: Ipv4Opts = {}): Uint8Array {
  const options = o.options ?? [];
  const hlen = 20 + options.length;
  if (hlen % 4 !== 0 && o.ihl === undefined) throw new Error('IPv4 options must fill 4-byte words');
  const total = o.totalLength ?? hlen + payload.length;
  const frag = ((o.more ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8)) & 0xffff;
  const header = [
    ((o.version ?? 4) << 4) | (o.ihl ?? hlen / 4),
    0,
    ...be16(total),
    ...be16(o.id ?? 0x1234),
    ...be16(frag),
    o.ttl ?? 64,
    o.protocol ?? 17,
    0,
    0,
    ...ip4(o.src ?? '10.0.0.1'),
    ...ip4(o.dst ?? '10.0.0.2'),
    ...options,
  ];
  let sum = 0;
  for (let i = 0; i + 1 < header.length; i += 2) sum += ((header[i] as number) << 8) | (header[i + 1] as number);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const check = o.checksum ?? (~sum & 0xffff);
  header[10] = check >> 8;
  header[11] = check & 0xff;
  const whole = o.fragOffset === undefined && !o.more;
  return concat(header, o.protocol === 6 && whole ? fillTcpChecksum(payload, header.slice(12, 20)) : payload);
}

/**
 * A TCP segment whose checksum field is 0 gets a valid checksum, as a real sender writes
 * it (the receiver drops a wrong one); a non-zero field is kept, so tests can craft bad ones.
 */
function fillTcpChecksum(segment: ArrayLike<number>, addrs: number[]): ArrayLike<number> {
  if (segment.length < 20 || segment[16] !== 0 || segment[17] !== 0) return segment;
  const out = Array.from(segment);
  const words = [...addrs, 0, 6, ...be16(out.length), ...out];
  let sum = 0;
  for (let i = 0; i < words.length; i += 2) sum += ((words[i] as number) << 8) | (words[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const check = ~sum & 0xffff;
  out[16] = check >> 8;
  out[17] = check & 0xff;
  return out;
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  nextHeader?: number;
  hopLimit?: number;
  payloadLength?: number;
}

export function ipv6(payload: ArrayLike<number>, o: Ipv6Opts = {}): Uint8Array {
  const header = [
    0x60,
    0,
    0,
    0,
    ...be16(o.payloadLength ?? payload.length),
    o.nextHeader ?? 17,
    o.hopLimit ?? 64,
    ...ip6(o.src ?? '2001:db8::1'),
    ...ip6(o.dst ?? '2001:db8::2'),
  ];
  return concat(header, o.nextHeader === 6 ? fillTcpChecksum(payload, header.slice(8, 40)) : payload);
}

/** An extension header with `next` and the generic 8-octet-unit length (body padded). */
export function ext(next: number, body: number[] = []): number[] {
  const len = Math.ceil((2 + body.length) / 8) * 8;
  const out = [next, len / 8 - 1, ...body];
  while (out.length < len) out.push(0);
  return out;
}

/** Authentication header: length in 4-octet units minus 2; 12 bytes with a 4-byte ICV. */
export function ah(next: number): number[] {
  return [next, 1, 0, 0, ...be32(0x100), ...be32(1)];
}

export function fragHeader(next: number, offset: number, more: boolean, id: number): number[] {
  return [next, 0, ...be16(offset | (more ? 1 : 0)), ...be32(id)];
}

export interface TcpOpts {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: number[];
  dataOffset?: number;
}

export function tcp(payload: ArrayLike<number>, o: TcpOpts = {}): Uint8Array {
  const options = o.options ?? [];
  const hlen = 20 + options.length;
  if (hlen % 4 !== 0 && o.dataOffset === undefined) throw new Error('TCP options must fill 4-byte words');
  const header = [
    ...be16(o.srcPort ?? 40000),
    ...be16(o.dstPort ?? 443),
    ...be32(o.seq ?? 1000),
    ...be32(o.ack ?? 0),
    (o.dataOffset ?? hlen / 4) << 4,
    o.flags ?? 0x18,
    ...be16(o.window ?? 65535),
    0,
    0,
    0,
    0,
    ...options,
  ];
  return concat(header, payload);
}

export function udp(payload: ArrayLike<number>, o: { srcPort?: number; dstPort?: number; length?: number } = {}): Uint8Array {
  return concat(
    [...be16(o.srcPort ?? 5353), ...be16(o.dstPort ?? 53), ...be16(o.length ?? 8 + payload.length), 0, 0],
    payload,
  );
}

const MAC_A = [0x02, 0, 0, 0, 0, 1];
const MAC_B = [0x02, 0, 0, 0, 0, 2];

/** Ethernet II; each tag is [TPID, TCI]. */
export function ethernet(type: number, payload: ArrayLike<number>, tags: [number, number][] = []): Uint8Array {
  return concat(MAC_A, MAC_B, ...tags.map(([tpid, tci]) => [...be16(tpid), ...be16(tci)]), be16(type), payload);
}

export function sll(protocol: number, payload: ArrayLike<number>, hatype = 1): Uint8Array {
  return concat([0, 0, ...be16(hatype), 0, 6, ...MAC_A, 0, 0, ...be16(protocol)], payload);
}

export function sll2(protocol: number, payload: ArrayLike<number>, hatype = 1): Uint8Array {
  return concat([...be16(protocol), 0, 0, ...be32(2), ...be16(hatype), 0, 6, ...MAC_A, 0, 0], payload);
}

export function nullFrame(family: number, payload: ArrayLike<number>, littleEndian: boolean): Uint8Array {
  return concat(littleEndian ? le32(family) : be32(family), payload);
}

/** NFLOG: header, a packet-header TLV, a prefix TLV, then the payload TLV (host byte order). */
export function nflog(payload: ArrayLike<number>, littleEndian: boolean, family = 2): Uint8Array {
  const h16 = (v: number) => (littleEndian ? [v & 0xff, v >> 8] : be16(v));
  const tlv = (type: number, body: ArrayLike<number>) => {
    const out = concat(h16(4 + body.length), h16(type), body);
    const padded = new Uint8Array((out.length + 3) & ~3);
    padded.set(out);
    return padded;
  };
  return concat([family, 0, 0, 0], tlv(1, [0x08, 0x00, 3, 0]), tlv(10, [0x61, 0x62, 0x63, 0]), tlv(9, payload));
}

export function record(linkType: number, data: Uint8Array, frame = 1, tsSec = 1_700_000_000, tsNsec = 0): PacketRecord {
  return { frame, tsSec, tsNsec, linkType, interfaceId: 0, origLen: data.length, data };
}

/** The first `n` bytes of `frame` as captured with a snaplen: origLen stays the frame's length. */
export function snapped(linkType: number, frame: Uint8Array, n: number): PacketRecord {
  return { ...record(linkType, frame.subarray(0, n)), origLen: frame.length };
}

export function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}
