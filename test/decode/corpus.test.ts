/**
 * Real malformed captures from other projects' test suites, decoded frame by frame.
 * The corpus lives outside the repository (../shared/corpus); without it this skips.
 */
import { describe, expect, it } from 'vitest';
import type { DecodedPacket } from '../../src/decode/types.js';
import { Decoder } from '../../src/decode/decoder.js';
import { corpusAvailable, corpusFiles, corpusRecords } from '../corpus.js';

function decodeFile(rel: string): { dec: Decoder; packets: DecodedPacket[] } {
  const dec = new Decoder();
  const packets: DecodedPacket[] = [];
  for (const rec of corpusRecords(rel)) {
    const pkt = dec.decode(rec);
    if (pkt !== undefined) packets.push({ ...pkt, payload: pkt.payload.slice() });
  }
  dec.finish();
  return { dec, packets };
}

describe.skipIf(!corpusAvailable)('robustness corpus', () => {
  it('decodes every frame of every file without throwing', () => {
    const files = corpusFiles().filter((f) => !f.includes('invalid-vers'));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const dec = new Decoder();
      for (const rec of corpusRecords(file)) {
        const pkt = dec.decode(rec);
        if (pkt !== undefined) {
          const inFrame = pkt.payload.buffer === rec.data.buffer;
          if (inFrame) expect(pkt.payload.byteOffset + pkt.payload.length).toBeLessThanOrEqual(rec.data.byteOffset + rec.data.length);
        }
      }
    }
  });

  it('counts the known defects by kind', () => {
    // Total length 0: like Wireshark, read as segmentation offload (tcpdump says "bad-len 0").
    expect(decodeFile('zeek/ip-bogus-header-len.pcap').dec.problems.toJSON()).toEqual({
      'IPv4: total length 0 (offload), using captured length': 1,
    });
    expect(decodeFile('tcpdump/LINKTYPE_IPV4_invalid.pcap').dec.problems.toJSON()).toEqual({ 'IPv4: version 6': 1 });
    expect(decodeFile('zeek/trunc/trunc-hdr.pcap').dec.problems.toJSON()).toEqual({
      'Ethernet: frame shorter than 14-byte header': 1,
    });
    expect(decodeFile('zeek/trunc/ip6-ext-trunc.pcap').dec.problems.toJSON()).toEqual({
      'IPv6: extension headers cut by snaplen': 1,
    });
  });

  it('NFLOG: the DNS responses inside come out as UDP from port 53', () => {
    const { packets, dec } = decodeFile('tcpdump/nflog.pcap');
    expect(dec.problems.total).toBe(0);
    expect(packets.length).toBeGreaterThanOrEqual(3);
    expect(packets[0]).toMatchObject({ src: '74.82.42.42', dst: '10.0.0.20', srcPort: 53, dstPort: 42585, protocol: 17 });
  });

  it('Linux SLL nanosecond handshake: TCP options as tcpdump prints them', () => {
    const { packets } = decodeFile('tcpdump/tcp-handshake-nano.pcap');
    expect(packets.map((p) => p.tcp)).toEqual([
      { seq: 797190859, ack: 0, flags: 0x02, window: 27200, mss: 1360, sackPermitted: true, tsVal: 1131021154, tsEcr: 0, windowScale: 7, urgPtr: 0, signature: false },
      { seq: 3078856592, ack: 797190860, flags: 0x12, window: 8192, mss: 1440, windowScale: 8, sackPermitted: true, tsVal: 234205008, tsEcr: 1131021154, urgPtr: 0, signature: false },
      { seq: 797190860, ack: 3078856593, flags: 0x10, window: 213, tsVal: 1131021186, tsEcr: 234205008, urgPtr: 0, signature: false },
    ]);
    expect(packets[0]).toMatchObject({ src: '131.155.215.69', dst: '137.116.81.94', srcPort: 46656, dstPort: 80 });
  });

  it('TCP headers cut by the snaplen keep their fixed fields', () => {
    const { packets, dec } = decodeFile('zeek/tcp/truncated-header.pcap');
    expect(packets[0]).toMatchObject({ srcPort: 60827, dstPort: 25, payloadTruncated: true });
    expect(packets[0]!.tcp).toMatchObject({ seq: 1041724894, mss: 1460, sackPermitted: true });
    expect(dec.problems.get('TCP: data offset beyond captured bytes')).toBeGreaterThan(0);
  });
});
