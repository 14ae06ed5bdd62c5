/**
 * Real malformed captures from other projects' test suites, decoded frame by frame.
 * The corpus lives outside the repository (../shared/corpus); without it this skips.
 * Classic pcap is read here by a minimal reader so this test does not depend on the
 * capture stage being written concurrently; pcapng files are left to that stage.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/capture/types.js';
import type { DecodedPacket } from '../../src/decode/types.js';
import { Decoder } from '../../src/decode/decoder.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/robustness');

function* pcapRecords(file: string): Generator<PacketRecord> {
  const b = readFileSync(file);
  if (b.length < 24) return;
  const magicLE = b.readUInt32LE(0);
  const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const magic = le ? magicLE : b.readUInt32BE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) return;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const nano = magic === 0xa1b23c4d;
  let off = 24;
  for (let frame = 1; off + 16 <= b.length; frame++) {
    const caplen = u32(off + 8);
    if (caplen > 262144 || off + 16 + caplen > b.length) return;
    const sub = u32(off + 4);
    yield {
      frame,
      tsSec: u32(off),
      tsNsec: nano ? sub : sub * 1000,
      linkType,
      interfaceId: 0,
      origLen: u32(off + 12),
      data: new Uint8Array(b.buffer, b.byteOffset + off + 16, caplen),
    };
    off += 16 + caplen;
  }
}

function listPcaps(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return listPcaps(p);
    return name.endsWith('.pcap') ? [p] : [];
  });
}

function decodeFile(rel: string): { dec: Decoder; packets: DecodedPacket[] } {
  const dec = new Decoder();
  const packets: DecodedPacket[] = [];
  for (const rec of pcapRecords(path.join(corpus, rel))) {
    const pkt = dec.decode(rec);
    if (pkt !== undefined) packets.push({ ...pkt, payload: pkt.payload.slice() });
  }
  dec.finish();
  return { dec, packets };
}

describe.skipIf(!existsSync(corpus))('robustness corpus (classic pcap)', () => {
  it('decodes every frame of every file without throwing', () => {
    const files = listPcaps(corpus);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const dec = new Decoder();
      for (const rec of pcapRecords(file)) {
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
      { seq: 797190859, ack: 0, flags: 0x02, window: 27200, mss: 1360, sackPermitted: true, tsVal: 1131021154, tsEcr: 0, windowScale: 7 },
      { seq: 3078856592, ack: 797190860, flags: 0x12, window: 8192, mss: 1440, windowScale: 8, sackPermitted: true, tsVal: 234205008, tsEcr: 1131021154 },
      { seq: 797190860, ack: 3078856593, flags: 0x10, window: 213, tsVal: 1131021186, tsEcr: 234205008 },
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
