import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD12,
  LINKTYPE_RAW_BSD14,
} from '../../src/decode/link.js';
import { be16, concat, ethernet, ipv4, ipv6, nflog, nullFrame, record, sll, sll2, udp } from './frames.js';

const DATA = [1, 2, 3, 4, 5];
const v4 = ipv4(udp(DATA), { src: '192.0.2.1', dst: '198.51.100.7' });
const v6 = ipv6(udp(DATA), { src: '2001:db8::1', dst: 'fe80::1' });

function decodeOne(linkType: number, frame: Uint8Array) {
  const dec = new Decoder();
  return { pkt: dec.decode(record(linkType, frame)), dec };
}

function expectUdp4(linkType: number, frame: Uint8Array): void {
  const { pkt, dec } = decodeOne(linkType, frame);
  expect(dec.problems.toJSON()).toEqual({});
  expect(dec.unsupported.toJSON()).toEqual({});
  expect(pkt).toMatchObject({ ipVersion: 4, src: '192.0.2.1', dst: '198.51.100.7', protocol: 17, srcPort: 5353, dstPort: 53 });
  expect([...pkt!.payload]).toEqual(DATA);
}

function expectUdp6(linkType: number, frame: Uint8Array): void {
  const { pkt, dec } = decodeOne(linkType, frame);
  expect(dec.problems.toJSON()).toEqual({});
  expect(pkt).toMatchObject({ ipVersion: 6, src: '2001:db8::1', dst: 'fe80::1', protocol: 17 });
  expect([...pkt!.payload]).toEqual(DATA);
}

describe('link layers', () => {
  it('Ethernet II with IPv4 and IPv6', () => {
    expectUdp4(LINKTYPE_ETHERNET, ethernet(0x0800, v4));
    expectUdp6(LINKTYPE_ETHERNET, ethernet(0x86dd, v6));
  });

  it('802.1Q, 802.1ad QinQ and 0x9100 stacked tags', () => {
    expectUdp4(LINKTYPE_ETHERNET, ethernet(0x0800, v4, [[0x8100, 10]]));
    expectUdp6(LINKTYPE_ETHERNET, ethernet(0x86dd, v6, [[0x88a8, 100], [0x8100, 10]]));
    expectUdp4(LINKTYPE_ETHERNET, ethernet(0x0800, v4, [[0x9100, 1], [0x9100, 2], [0x8100, 3]]));
  });

  it('bounds stacked VLAN tags', () => {
    const tags = Array.from({ length: 9 }, (_, i): [number, number] => [0x8100, i]);
    const { pkt, dec } = decodeOne(LINKTYPE_ETHERNET, ethernet(0x0800, v4, tags));
    expect(pkt).toBeUndefined();
    expect(dec.problems.get('VLAN: more than 8 stacked tags')).toBe(1);
  });

  it('a VLAN tag cut short is a problem', () => {
    const frame = ethernet(0x8100, [0, 10]);
    const { pkt, dec } = decodeOne(LINKTYPE_ETHERNET, frame);
    expect(pkt).toBeUndefined();
    expect(dec.problems.get('VLAN: tag cut short')).toBe(1);
  });

  it('Ethernet padding does not leak into the payload', () => {
    const padded = concat(ethernet(0x0800, v4), new Uint8Array(18).fill(0xee));
    expectUdp4(LINKTYPE_ETHERNET, padded);
  });

  it('counts non-IP ethertypes and 802.3 length frames as unsupported', () => {
    const dec = new Decoder();
    expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x0806, new Uint8Array(28))))).toBeUndefined();
    expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x1234, new Uint8Array(28))))).toBeUndefined();
    expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(46, new Uint8Array(46))))).toBeUndefined();
    expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x0806, new Uint8Array(28), [[0x8100, 5]])))).toBeUndefined();
    expect(dec.unsupported.toJSON()).toEqual({
      'ethertype 0x0806 (ARP)': 2,
      'ethertype 0x1234': 1,
      '802.3 length field frame (LLC)': 1,
    });
    expect(dec.problems.total).toBe(0);
  });

  it('PPPoE session with IPv4 and IPv6, other PPP protocols unsupported', () => {
    const pppoe = (proto: number, body: Uint8Array) => concat([0x11, 0, 0, 1, ...be16(body.length + 2), ...be16(proto)], body);
    expectUdp4(LINKTYPE_ETHERNET, ethernet(0x8864, pppoe(0x0021, v4)));
    expectUdp6(LINKTYPE_ETHERNET, ethernet(0x8864, pppoe(0x0057, v6)));
    const { pkt, dec } = decodeOne(LINKTYPE_ETHERNET, ethernet(0x8864, pppoe(0xc021, new Uint8Array(10))));
    expect(pkt).toBeUndefined();
    expect(dec.unsupported.get('PPPoE: PPP protocol 0xc021')).toBe(1);
  });

  it('Linux SLL and SLL2', () => {
    expectUdp4(LINKTYPE_LINUX_SLL, sll(0x0800, v4));
    expectUdp6(LINKTYPE_LINUX_SLL, sll(0x86dd, v6));
    expectUdp4(LINKTYPE_LINUX_SLL, sll(0x8100, concat([0, 7, 8, 0], v4)));
    expectUdp4(LINKTYPE_LINUX_SLL2, sll2(0x0800, v4));
    expectUdp6(LINKTYPE_LINUX_SLL2, sll2(0x86dd, v6));
  });

  it('Linux SLL netlink and LLC are unsupported', () => {
    const dec = new Decoder();
    dec.decode(record(LINKTYPE_LINUX_SLL, sll(0x0000, new Uint8Array(20), 824)));
    dec.decode(record(LINKTYPE_LINUX_SLL2, sll2(0x0000, new Uint8Array(20), 824)));
    dec.decode(record(LINKTYPE_LINUX_SLL, sll(0x0004, new Uint8Array(20))));
    expect(dec.unsupported.toJSON()).toEqual({
      'Linux SLL: netlink message': 1,
      'Linux SLL2: netlink message': 1,
      '802.3 length field frame (LLC)': 1,
    });
  });

  it('raw IP under DLT_RAW and the legacy values 12 and 14', () => {
    for (const lt of [LINKTYPE_RAW, LINKTYPE_RAW_BSD12, LINKTYPE_RAW_BSD14]) {
      expectUdp4(lt, v4);
      expectUdp6(lt, v6);
    }
    const { dec } = decodeOne(LINKTYPE_RAW, Uint8Array.from([0x50, 0, 0, 0]));
    expect(dec.problems.get('raw IP: IP version 5')).toBe(1);
    expect(decodeOne(LINKTYPE_RAW, new Uint8Array(0)).dec.problems.get('raw IP: no IP header')).toBe(1);
  });

  it('LINKTYPE_IPV4 and LINKTYPE_IPV6 insist on their version', () => {
    expectUdp4(LINKTYPE_IPV4, v4);
    expectUdp6(LINKTYPE_IPV6, v6);
    expect(decodeOne(LINKTYPE_IPV4, v6).dec.problems.get('IPv4: version 6')).toBe(1);
    expect(decodeOne(LINKTYPE_IPV6, v4).dec.problems.get('IPv6: version 4')).toBe(1);
  });

  it('NULL in either byte order with every OS AF_INET6 value', () => {
    for (const le of [true, false]) {
      expectUdp4(LINKTYPE_NULL, nullFrame(2, v4, le));
      for (const af of [10, 24, 28, 30]) expectUdp6(LINKTYPE_NULL, nullFrame(af, v6, le));
    }
    const { pkt, dec } = decodeOne(LINKTYPE_NULL, nullFrame(7, v4, true));
    expect(pkt).toBeUndefined();
    expect(dec.unsupported.get('loopback address family 7')).toBe(1);
  });

  it('LOOP is always network byte order', () => {
    expectUdp4(LINKTYPE_LOOP, nullFrame(2, v4, false));
    expectUdp6(LINKTYPE_LOOP, nullFrame(30, v6, false));
    const { dec } = decodeOne(LINKTYPE_LOOP, nullFrame(2, v4, true));
    expect(dec.unsupported.get(`loopback address family ${0x02000000}`)).toBe(1);
  });

  it('NFLOG in either byte order finds the payload attribute', () => {
    expectUdp4(LINKTYPE_NFLOG, nflog(v4, true));
    expectUdp4(LINKTYPE_NFLOG, nflog(v4, false));
    expectUdp6(LINKTYPE_NFLOG, nflog(v6, true, 10));
  });

  it('NFLOG without payload or with a bad attribute length is counted', () => {
    const noPayload = Uint8Array.from([2, 0, 0, 0, 8, 0, 1, 0, 8, 0, 3, 0]);
    expect(decodeOne(LINKTYPE_NFLOG, noPayload).dec.unsupported.get('NFLOG: no payload attribute')).toBe(1);
    const zeroLen = Uint8Array.from([2, 0, 0, 0, 0, 0, 1, 0, 8, 0, 3, 0]);
    expect(decodeOne(LINKTYPE_NFLOG, zeroLen).dec.problems.get('NFLOG: attribute length < 4')).toBe(1);
    expect(decodeOne(LINKTYPE_NFLOG, Uint8Array.from([2, 1, 0, 0])).dec.problems.get('NFLOG: version 1')).toBe(1);
  });

  it('unknown link types are counted and skipped, never fatal', () => {
    const dec = new Decoder();
    expect(dec.decode(record(147, v4))).toBeUndefined();
    expect(dec.decode(record(147, v4))).toBeUndefined();
    expect(dec.unsupported.toJSON()).toEqual({ 'unknown link type 147': 2 });
    expect(dec.decode(record(LINKTYPE_RAW, v4))).toBeDefined();
  });

  it('headers shorter than the link header are problems', () => {
    const cases: [number, string][] = [
      [LINKTYPE_ETHERNET, 'Ethernet: frame shorter than 14-byte header'],
      [LINKTYPE_LINUX_SLL, 'Linux SLL: frame shorter than 16-byte header'],
      [LINKTYPE_LINUX_SLL2, 'Linux SLL2: frame shorter than 20-byte header'],
      [LINKTYPE_NULL, 'NULL: frame shorter than 4-byte header'],
      [LINKTYPE_LOOP, 'LOOP: frame shorter than 4-byte header'],
      [LINKTYPE_NFLOG, 'NFLOG: frame shorter than 4-byte header'],
    ];
    for (const [lt, kind] of cases) expect(decodeOne(lt, new Uint8Array(3)).dec.problems.toJSON()).toEqual({ [kind]: 1 });
  });
});
