import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../src/decode/link.js';
import { concat, ethernet, ipv4, record, snapped, tcp, udp } from './frames.js';

function decode(frame: Uint8Array, linkType = LINKTYPE_RAW) {
  const dec = new Decoder();
  return { pkt: dec.decode(record(linkType, frame)), dec };
}

describe('IPv4', () => {
  it('decodes header fields, time and frame', () => {
    const dec = new Decoder();
    const frame = ipv4(udp([9]), { ttl: 3, src: '1.2.3.4', dst: '255.0.10.100' });
    const pkt = dec.decode({ ...record(LINKTYPE_RAW, frame, 42, 1_700_000_000, 250_000_000), origLen: 1000 });
    expect(pkt).toMatchObject({
      frame: 42,
      ts: 1_700_000_000.25,
      ipVersion: 4,
      src: '1.2.3.4',
      dst: '255.0.10.100',
      ttl: 3,
      protocol: 17,
      payloadTruncated: false,
      wireLen: 1000,
    });
  });

  it('skips options', () => {
    const options = [0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00]; // router alert, NOPs, EOL
    const { pkt, dec } = decode(ipv4(udp([7, 7]), { options }));
    expect(dec.problems.total).toBe(0);
    expect([...pkt!.payload]).toEqual([7, 7]);
  });

  it('returns other protocols with the raw IP payload and no ports', () => {
    const icmp = [8, 0, 0, 0, 0, 1, 0, 1, 0x61];
    const { pkt } = decode(ipv4(icmp, { protocol: 1 }));
    expect(pkt).toMatchObject({ protocol: 1, srcPort: 0, dstPort: 0, tcp: undefined, payloadTruncated: false });
    expect([...pkt!.payload]).toEqual(icmp);
  });

  it('trims to the total length (Ethernet padding)', () => {
    const frame = ethernet(0x0800, concat(ipv4([1, 2], { protocol: 1 }), [0, 0, 0, 0, 0, 0]));
    const { pkt } = decode(frame, LINKTYPE_ETHERNET);
    expect([...pkt!.payload]).toEqual([1, 2]);
  });

  it('keeps what exists when the snaplen cut the packet', () => {
    const full = ipv4(udp([1, 2, 3, 4, 5, 6]));
    const dec = new Decoder();
    const pkt = dec.decode(snapped(LINKTYPE_RAW, full, full.length - 2));
    expect(pkt!.payloadTruncated).toBe(true);
    expect([...pkt!.payload]).toEqual([1, 2, 3, 4]);
    expect(dec.problems.total).toBe(0);
  });

  it('counts malformed headers by kind', () => {
    const cases: [Uint8Array, string][] = [
      [ipv4([], { ihl: 3 }), 'IPv4: header length 3 < 5'],
      [ipv4([], { ihl: 15 }), 'IPv4: options beyond captured bytes'],
      [ipv4([1, 2, 3], { totalLength: 19 }), 'IPv4: total length below header length'],
      [ipv4([], { version: 5 }), 'IPv4: version 5'],
    ];
    for (const [frame, kind] of cases) {
      const dec = new Decoder();
      expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x0800, frame)))).toBeUndefined();
      expect(dec.problems.toJSON()).toEqual({ [kind]: 1 });
    }
    const short = decode(ethernet(0x0800, [0x45, 0, 0]), LINKTYPE_ETHERNET);
    expect(short.dec.problems.toJSON()).toEqual({ 'IPv4: header shorter than 20 bytes': 1 });
  });

  it('treats total length 0 (segmentation offload) as the captured length, counted', () => {
    const { pkt, dec } = decode(ipv4(tcp([1, 2, 3]), { protocol: 6, totalLength: 0 }));
    expect([...pkt!.payload]).toEqual([1, 2, 3]);
    expect(dec.problems.get('IPv4: total length 0 (offload), using captured length')).toBe(1);
  });
});
