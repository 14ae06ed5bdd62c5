import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import { LINKTYPE_RAW } from '../../src/decode/link.js';
import { ah, concat, ext, ipv6, record, tcp, udp } from './frames.js';

function decode(frame: Uint8Array) {
  const dec = new Decoder();
  return { pkt: dec.decode(record(LINKTYPE_RAW, frame)), dec };
}

const DGRAM = udp([1, 2, 3]);

describe('IPv6', () => {
  it('decodes the fixed header; hop limit is the ttl', () => {
    const { pkt } = decode(ipv6(DGRAM, { src: '::ffff:a01:203', dst: 'ff02::fb', hopLimit: 255 }));
    expect(pkt).toMatchObject({ ipVersion: 6, src: '::ffff:10.1.2.3', dst: 'ff02::fb', ttl: 255, protocol: 17 });
    expect([...pkt!.payload]).toEqual([1, 2, 3]);
  });

  it('walks a chain of hop-by-hop, routing, destination options, AH and mobility headers', () => {
    const chain = [...ext(43, [1, 4, 0, 0, 0, 0]), ...ext(60, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ...ext(51), ...ah(135), ...ext(6)];
    const { pkt, dec } = decode(ipv6(concat(chain, tcp([9], { dstPort: 80 })), { nextHeader: 0 }));
    expect(dec.problems.total).toBe(0);
    expect(pkt).toMatchObject({ protocol: 6, dstPort: 80 });
    expect([...pkt!.payload]).toEqual([9]);
  });

  it('no next header (59) yields an empty payload', () => {
    const { pkt } = decode(ipv6([...ext(59), 1, 2, 3], { nextHeader: 60 }));
    expect(pkt).toMatchObject({ protocol: 59, srcPort: 0 });
    expect(pkt!.payload.length).toBe(0);
  });

  it('ESP is unsupported, other upper layers are returned', () => {
    const esp = decode(ipv6([...ext(50), 0, 0, 0, 1, 0, 0, 0, 1], { nextHeader: 0 }));
    expect(esp.pkt).toBeUndefined();
    expect(esp.dec.unsupported.toJSON()).toEqual({ 'IPv6 next header 50 (ESP)': 1 });
    const icmp = decode(ipv6([128, 0, 0, 0, 0, 1, 0, 1], { nextHeader: 58 }));
    expect(icmp.pkt).toMatchObject({ protocol: 58, srcPort: 0 });
    expect(icmp.pkt!.payload.length).toBe(8);
  });

  it('accepts chains as long as Linux does (17 headers and more), flagging the long ones', () => {
    const chain = Array.from({ length: 16 }, () => ext(60)).flat();
    const { pkt, dec } = decode(ipv6(concat(chain, ext(17), DGRAM), { nextHeader: 60 }));
    expect([...pkt!.payload]).toEqual([1, 2, 3]);
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: more than 8 extension headers (accepted, as Linux does)': 1 });
    const short = Array.from({ length: 7 }, () => ext(60)).flat();
    expect(decode(ipv6(concat(short, ext(17), DGRAM), { nextHeader: 60 })).dec.problems.total).toBe(0);
    // Only the packet's bytes bound the walk: 8,000 headers in one jumbo-sized buffer stay linear.
    const huge = Array.from({ length: 8000 }, () => ext(60)).flat();
    const t0 = performance.now();
    const big = decode(ipv6(concat(huge.slice(0, 65000), ext(17), DGRAM), { nextHeader: 60, payloadLength: 0xffff }));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(big.dec.problems.total).toBeGreaterThan(0);
  });

  it('drops a hop-by-hop header that is not first, as Linux does', () => {
    const { pkt, dec } = decode(ipv6(concat(ext(0), ext(17), DGRAM), { nextHeader: 60 }));
    expect(pkt).toBeUndefined();
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: hop-by-hop header not first (dropped, as Linux does)': 1 });
  });

  it('extension header beyond the payload length vs cut by snaplen', () => {
    const long = [60, 3, ...new Array<number>(14).fill(0)];
    const beyond = decode(ipv6(long, { nextHeader: 0 }));
    expect(beyond.dec.problems.toJSON()).toEqual({ 'IPv6: extension header beyond payload length': 1 });
    const frame = ipv6([...ext(17, new Array<number>(20).fill(0)), ...DGRAM], { nextHeader: 0 });
    const cut = decode(frame.subarray(0, 50));
    expect(cut.pkt).toBeUndefined();
    expect(cut.dec.problems.toJSON()).toEqual({ 'IPv6: extension headers cut by snaplen': 1 });
  });

  it('trims to the payload length and marks snaplen truncation', () => {
    const padded = decode(concat(ipv6(DGRAM), [0, 0, 0]));
    expect([...padded.pkt!.payload]).toEqual([1, 2, 3]);
    const frame = ipv6(udp([1, 2, 3, 4]));
    const cut = decode(frame.subarray(0, frame.length - 1));
    expect(cut.pkt!.payloadTruncated).toBe(true);
    expect([...cut.pkt!.payload]).toEqual([1, 2, 3]);
  });

  it('payload length 0 with bytes after the header uses the captured length (counted)', () => {
    const { pkt, dec } = decode(ipv6(DGRAM, { payloadLength: 0 }));
    expect([...pkt!.payload]).toEqual([1, 2, 3]);
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: payload length 0, using captured length': 1 });
  });

  it('an empty no-next-header packet with Ethernet padding stays empty', () => {
    const { pkt, dec } = decode(concat(ipv6([], { nextHeader: 59 }), [0, 0, 0, 0, 0, 0]));
    expect(pkt).toMatchObject({ protocol: 59, payloadTruncated: false });
    expect(pkt!.payload.length).toBe(0);
    expect(dec.problems.total).toBe(0);
  });

  it('a header shorter than 40 bytes is a problem', () => {
    const { dec } = decode(ipv6([]).subarray(0, 39));
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: header shorter than 40 bytes': 1 });
  });
});
