import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import { LINKTYPE_RAW } from '../../src/decode/link.js';
import { TCP_ACK, TCP_SYN } from '../../src/decode/types.js';
import { be16, be32, concat, ipv4, ipv6, record, snapped, tcp, udp } from './frames.js';

function decodeTcp(segment: Uint8Array, v6 = false) {
  const dec = new Decoder();
  const frame = v6 ? ipv6(segment, { nextHeader: 6 }) : ipv4(segment, { protocol: 6 });
  return { pkt: dec.decode(record(LINKTYPE_RAW, frame)), dec };
}

function decodeUdp(datagram: Uint8Array, ipOpts: { totalLength?: number } = {}) {
  const dec = new Decoder();
  return { pkt: dec.decode(record(LINKTYPE_RAW, ipv4(datagram, ipOpts))), dec };
}

const MSS = [2, 4, ...be16(1460)];
const WS = [3, 3, 7];
const SACK_OK = [4, 2];
const TS = [8, 10, ...be32(0xdeadbeef), ...be32(7)];

describe('TCP', () => {
  it('decodes the fixed header and ports', () => {
    const { pkt } = decodeTcp(tcp([0x41], { srcPort: 1, dstPort: 65535, seq: 0xfffffffe, ack: 5, flags: TCP_ACK, window: 512 }));
    expect(pkt).toMatchObject({ protocol: 6, srcPort: 1, dstPort: 65535 });
    expect(pkt!.tcp).toEqual({ seq: 0xfffffffe, ack: 5, flags: TCP_ACK, window: 512, urgPtr: 0, signature: false });
    expect([...pkt!.payload]).toEqual([0x41]);
  });

  it('decodes MSS, window scale, SACK-permitted and timestamps (IPv4 and IPv6)', () => {
    const options = [...MSS, 1, ...WS, ...SACK_OK, ...TS, 1, 1, 1, 0];
    for (const v6 of [false, true]) {
      const { pkt, dec } = decodeTcp(tcp([], { flags: TCP_SYN, options }), v6);
      expect(dec.problems.total).toBe(0);
      expect(pkt!.tcp).toEqual({
        seq: 1000,
        ack: 0,
        flags: TCP_SYN,
        window: 65535,
        mss: 1460,
        windowScale: 7,
        sackPermitted: true,
        tsVal: 0xdeadbeef,
        tsEcr: 7,
        urgPtr: 0,
        signature: false,
      });
      expect(pkt!.payload.length).toBe(0);
    }
  });

  it('stops at end-of-options and clamps window scale to 14', () => {
    const { pkt } = decodeTcp(tcp([], { options: [3, 3, 20, 0, ...MSS, 0, 0, 0, 0] }));
    expect(pkt!.tcp).toMatchObject({ windowScale: 14 });
    expect(pkt!.tcp!.mss).toBeUndefined();
  });

  it('counts malformed option lengths and keeps the header', () => {
    const cases: [number[], string][] = [
      [[2, 0, 0, 0], 'TCP option: length 0 < 2'],
      [[2, 1, 0, 0], 'TCP option: length 1 < 2'],
      [[1, 1, 1, 8, 9, 0, 0, 0], 'TCP option: length beyond header'],
      [[1, 1, 1, 2], 'TCP option: no room for length'],
      [[2, 3, 5, 1], 'TCP option: MSS length not 4'],
      [[3, 4, 5, 1], 'TCP option: window scale length not 3'],
      [[4, 3, 0, 1], 'TCP option: SACK-permitted length not 2'],
      [[8, 6, 0, 0, 0, 1, 0, 0], 'TCP option: timestamps length not 10'],
    ];
    for (const [options, kind] of cases) {
      const { pkt, dec } = decodeTcp(tcp([0x42], { options }));
      expect(dec.problems.toJSON()).toEqual({ [kind]: 1 });
      expect(pkt!.tcp).toEqual({ seq: 1000, ack: 0, flags: 0x18, window: 65535, urgPtr: 0, signature: false });
      expect([...pkt!.payload]).toEqual([0x42]);
    }
  });

  it('rejects a data offset below 5 or beyond the segment', () => {
    expect(decodeTcp(tcp([1, 2, 3], { dataOffset: 4 })).dec.problems.toJSON()).toEqual({ 'TCP: data offset 4 < 5': 1 });
    expect(decodeTcp(tcp([1, 2, 3], { dataOffset: 6 })).dec.problems.toJSON()).toEqual({ 'TCP: data offset beyond segment': 1 });
    const short = decodeTcp(new Uint8Array(19));
    expect(short.pkt).toBeUndefined();
    expect(short.dec.problems.toJSON()).toEqual({ 'TCP: segment shorter than 20-byte header': 1 });
  });

  it('keeps the fixed header when the snaplen cut the options', () => {
    const frame = ipv4(tcp([5, 5], { options: [...MSS, ...TS, 0, 0] }), { protocol: 6 });
    const dec = new Decoder();
    const pkt = dec.decode(snapped(LINKTYPE_RAW, frame, 20 + 20 + 6));
    expect(pkt!.tcp).toMatchObject({ seq: 1000, mss: 1460 });
    expect(pkt!.tcp!.tsVal).toBeUndefined();
    expect(pkt!.payloadTruncated).toBe(true);
    expect(pkt!.payload.length).toBe(0);
    expect(dec.problems.toJSON()).toEqual({ 'TCP: data offset beyond captured bytes': 1 });
  });

  it('counts a header cut inside the fixed part', () => {
    const frame = ipv4(tcp([1]), { protocol: 6 });
    const dec = new Decoder();
    expect(dec.decode(snapped(LINKTYPE_RAW, frame, 30))).toBeUndefined();
    expect(dec.problems.toJSON()).toEqual({ 'TCP: header cut by snaplen': 1 });
  });
});

describe('UDP', () => {
  it('uses the length field to trim', () => {
    const { pkt, dec } = decodeUdp(udp([1, 2, 3, 4], { length: 10 }));
    expect([...pkt!.payload]).toEqual([1, 2]);
    expect(pkt!.payloadTruncated).toBe(false);
    expect(dec.problems.total).toBe(0);
  });

  it('length 8 is an empty datagram', () => {
    const { pkt } = decodeUdp(udp([1, 2], { length: 8 }));
    expect(pkt!.payload.length).toBe(0);
  });

  it('length below 8 is malformed', () => {
    for (const length of [0, 7]) {
      const { pkt, dec } = decodeUdp(udp([1, 2], { length }));
      expect(pkt).toBeUndefined();
      expect(dec.problems.toJSON()).toEqual({ [`UDP: length ${length} < 8`]: 1 });
    }
  });

  it('length beyond the IP payload keeps what exists, truncated and counted', () => {
    const { pkt, dec } = decodeUdp(udp([1, 2, 3], { length: 100 }));
    expect([...pkt!.payload]).toEqual([1, 2, 3]);
    expect(pkt!.payloadTruncated).toBe(true);
    expect(dec.problems.toJSON()).toEqual({ 'UDP: length beyond IP payload': 1 });
  });

  it('snaplen cut: truncated but not a problem', () => {
    const frame = ipv4(udp([1, 2, 3, 4]));
    const dec = new Decoder();
    const pkt = dec.decode(snapped(LINKTYPE_RAW, frame, frame.length - 3));
    expect([...pkt!.payload]).toEqual([1]);
    expect(pkt!.payloadTruncated).toBe(true);
    expect(dec.problems.total).toBe(0);
  });

  it('a datagram shorter than its header is malformed', () => {
    const { pkt, dec } = decodeUdp(concat([0, 53, 0, 53]));
    expect(pkt).toBeUndefined();
    expect(dec.problems.toJSON()).toEqual({ 'UDP: datagram shorter than 8-byte header': 1 });
  });
});
