/**
 * What the decoder tells the flow layer about a packet a Linux receiver drops at the
 * network layer, and the lazy TCP/UDP checksum verdicts (including the offload pattern
 * of packets captured on `lo` or on their way out of the capturing host).
 */
import { describe, expect, it } from 'vitest';
import { CHECKSUM_BAD, CHECKSUM_OK, CHECKSUM_PARTIAL, CHECKSUM_UNKNOWN } from '../../src/decode/checksum.js';
import { Decoder } from '../../src/decode/decoder.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../src/decode/link.js';
import type { PacketRecord } from '../../src/capture/types.js';
import { be16, ethernet, ip4, ip6, ipv4, ipv6, record, tcp, udp } from './frames.js';

/** RFC 1071 sum, written independently of src/decode/checksum.ts. */
function onesSum(words: number[]): number {
  let s = 0;
  for (let i = 0; i < words.length; i += 2) s += ((words[i] ?? 0) << 8) | (words[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

type Fill = 'valid' | 'pseudo' | 'wrong';

/** Write the transport checksum of `seg` (TCP field at 16, UDP at 6) for the given addresses. */
function withChecksum(seg: Uint8Array, src: number[], dst: number[], protocol: number, fill: Fill): Uint8Array {
  const out = seg.slice();
  const at = protocol === 6 ? 16 : 6;
  out[at] = 0;
  out[at + 1] = 0;
  const pseudo = [...src, ...dst, 0, protocol, ...be16(out.length)];
  const p = onesSum(pseudo);
  const value = fill === 'pseudo' ? p : fill === 'valid' ? ~onesSum([...pseudo, ...out]) & 0xffff : 0x1234;
  out[at] = value >> 8;
  out[at + 1] = value & 0xff;
  return out;
}

function v4tcp(fill: Fill, payload = [1, 2, 3]): Uint8Array {
  return ipv4(withChecksum(tcp(payload), ip4('10.0.0.1'), ip4('10.0.0.2'), 6, fill), { protocol: 6 });
}

function decode(frame: Uint8Array, link = LINKTYPE_RAW, rec?: Partial<PacketRecord>) {
  const dec = new Decoder();
  const pkt = dec.decode({ ...record(link, frame), ...rec });
  return { pkt, dec, verdict: pkt?.checksum() };
}

describe('network-layer drops', () => {
  it('a wrong IPv4 header checksum marks the packet dropped (ip_rcv_core); a valid one does not', () => {
    expect(decode(v4tcp('valid')).pkt?.drop).toBeUndefined();
    const bad = decode(ipv4(tcp([1]), { protocol: 6, checksum: 0xbeef }));
    expect(bad.pkt?.drop).toBe('ip-checksum');
    expect([...bad.pkt!.payload]).toEqual([1]);
  });

  it('an IPv4 total length beyond a frame captured whole is a lie (dropped); beyond the snaplen it is a cut', () => {
    const lie = ipv4(tcp([1, 2, 3]), { protocol: 6, totalLength: 1400 });
    const whole = decode(lie);
    expect(whole.pkt).toMatchObject({ drop: 'ip-length', payloadTruncated: false });
    const cut = decode(lie, LINKTYPE_RAW, { origLen: 1400 });
    expect(cut.pkt).toMatchObject({ drop: undefined, payloadTruncated: true });
    expect(cut.verdict).toBe(CHECKSUM_UNKNOWN);
  });

  it('an IPv6 payload length beyond a frame captured whole is dropped too', () => {
    expect(decode(ipv6(udp([1]), { payloadLength: 500 })).pkt?.drop).toBe('ip-length');
  });

  it('exposes the Ethernet destination and the outer VLAN id', () => {
    const { pkt } = decode(ethernet(0x8100, [...be16(42), ...be16(0x0800), ...v4tcp('valid')]), LINKTYPE_ETHERNET);
    expect(pkt).toMatchObject({ linkDst: 0x02_00_00_00_00_01, vlan: 42 });
    expect(decode(v4tcp('valid')).pkt).toMatchObject({ linkDst: -1, vlan: -1 });
  });
});

describe('transport checksums (lazy)', () => {
  it('IPv4 TCP: valid, offload pseudo-header sum, wrong', () => {
    expect(decode(v4tcp('valid')).verdict).toBe(CHECKSUM_OK);
    expect(decode(v4tcp('pseudo')).verdict).toBe(CHECKSUM_PARTIAL);
    expect(decode(v4tcp('wrong')).verdict).toBe(CHECKSUM_BAD);
    expect(decode(v4tcp('valid', [1, 2, 3, 4, 5])).verdict).toBe(CHECKSUM_OK);
  });

  it('IPv6 TCP and UDP; IPv4 UDP without a checksum is valid, IPv6 UDP without one is not', () => {
    const s6 = ip6('2001:db8::1');
    const d6 = ip6('2001:db8::2');
    expect(decode(ipv6(withChecksum(tcp([7, 7]), s6, d6, 6, 'valid'), { nextHeader: 6 })).verdict).toBe(CHECKSUM_OK);
    expect(decode(ipv6(withChecksum(udp([7]), s6, d6, 17, 'pseudo'))).verdict).toBe(CHECKSUM_PARTIAL);
    expect(decode(ipv6(udp([7]))).verdict).toBe(CHECKSUM_BAD);
    expect(decode(ipv4(udp([7]))).verdict).toBe(CHECKSUM_OK);
    expect(decode(ipv4(withChecksum(udp([7]), ip4('10.0.0.1'), ip4('10.0.0.2'), 17, 'wrong'))).verdict).toBe(CHECKSUM_BAD);
  });

  it('reads the MD5 option and the urgent pointer', () => {
    const md5 = [19, 18, ...new Array<number>(16).fill(0xaa), 1, 1];
    const { pkt } = decode(ipv4(tcp([1], { options: md5, flags: 0x38 }), { protocol: 6 }));
    expect(pkt?.tcp).toMatchObject({ signature: true, urgPtr: 0 });
    const urg = tcp([1, 2, 3], { flags: 0x38 });
    urg[18] = 0;
    urg[19] = 2;
    expect(decode(ipv4(urg, { protocol: 6 })).pkt?.tcp).toMatchObject({ signature: false, urgPtr: 2 });
  });

  it('verifies a 64 KiB segment in bounded time', () => {
    const big = ipv4(withChecksum(tcp(new Uint8Array(65000).fill(0xfe)), ip4('10.0.0.1'), ip4('10.0.0.2'), 6, 'valid'), { protocol: 6 });
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(decode(big).verdict).toBe(CHECKSUM_OK);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('IPv4 fragments as Linux reassembles them', () => {
  const first = (data: number[], id = 7) => ipv4(data, { protocol: 17, id, more: true });
  const at = (data: number[], off: number, more: boolean, id = 7) => ipv4(data, { protocol: 17, id, more, fragOffset: off });
  const dgram = [...udp(new Array<number>(16).fill(0x41))]; // 24 bytes

  function feed(frames: Uint8Array[]) {
    const dec = new Decoder();
    const out = frames.map((f, i) => dec.decode(record(LINKTYPE_RAW, f, i + 1)));
    return { dec, done: out.filter((p) => p !== undefined) };
  }

  it('overlapping fragments with different data drop the whole datagram', () => {
    const other = dgram.slice(8, 24).map((b) => b ^ 1);
    const { dec, done } = feed([first(dgram.slice(0, 16)), at(other, 8, false), at(dgram.slice(16), 16, false)]);
    expect(done).toEqual([]);
    expect(dec.problems.toJSON()).toMatchObject({ 'IPv4: overlapping fragments (datagram dropped, as Linux does)': 1 });
  });

  it('a fragment wholly inside queued bytes is a duplicate: the first copy stays, a different one is counted', () => {
    const changed = dgram.slice(8, 16).map((b) => b ^ 1);
    const { dec, done } = feed([first(dgram.slice(0, 16)), at(changed, 8, true), at(dgram.slice(16), 16, false)]);
    expect(done).toHaveLength(1);
    expect([...done[0]!.payload]).toEqual(dgram.slice(8));
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: duplicate fragment with different data (first kept, as Linux does)': 1 });
  });

  it('a non-final fragment whose length is not a multiple of 8 is trimmed (IPv4)', () => {
    const { dec, done } = feed([first(dgram.slice(0, 19)), at(dgram.slice(16), 16, false)]);
    expect(done).toHaveLength(1);
    expect([...done[0]!.payload]).toEqual(dgram.slice(8));
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: non-final fragment length not a multiple of 8 (trimmed, as Linux does)': 1 });
  });

  it('adversarial fragment streams stay linear', () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 4000; i++) frames.push(at([1, 2, 3, 4, 5, 6, 7, 8], (i * 16) % 60000, true, i % 64));
    const t0 = performance.now();
    feed(frames);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

