import { describe, expect, it } from 'vitest';
import { CaptureReader } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/capture/types.js';
import { bytes, pcapFile, pcapHeader, pcapRecord, readBytes } from './build.js';
import { concat } from '../bytes.js';

function captureError(f: () => void): CaptureError {
  try {
    f();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
  throw new Error('expected a CaptureError');
}

describe('classic pcap', () => {
  const cases = [
    { le: true, nano: false, format: 'pcap', magic: [0xd4, 0xc3, 0xb2, 0xa1] },
    { le: false, nano: false, format: 'pcap', magic: [0xa1, 0xb2, 0xc3, 0xd4] },
    { le: true, nano: true, format: 'pcap-ns', magic: [0x4d, 0x3c, 0xb2, 0xa1] },
    { le: false, nano: true, format: 'pcap-ns', magic: [0xa1, 0xb2, 0x3c, 0x4d] },
  ] as const;
  for (const c of cases) {
    it(`reads ${c.format} ${c.le ? 'little' : 'big'}-endian`, () => {
      const file = pcapFile({ le: c.le, nano: c.nano, snaplen: 1000, linkField: 113 }, [
        { sec: 1_700_000_000, frac: c.nano ? 123_456_789 : 123_456, data: bytes(60), origLen: 1514 },
        { sec: 4_000_000_000, frac: c.nano ? 999_999_999 : 999_999, data: bytes(1, 7) },
      ]);
      expect(Array.from(file.subarray(0, 4))).toEqual(c.magic);
      const { records, summary } = readBytes(file);
      expect(records).toEqual([
        { frame: 1, tsSec: 1_700_000_000, tsNsec: c.nano ? 123_456_789 : 123_456_000, linkType: 113, interfaceId: 0, origLen: 1514, data: Array.from(bytes(60)), comments: undefined },
        { frame: 2, tsSec: 4_000_000_000, tsNsec: 999_999_999 - (c.nano ? 0 : 999), linkType: 113, interfaceId: 0, origLen: 1, data: [7], comments: undefined },
      ]);
      expect(summary).toMatchObject({
        format: c.format,
        byteOrder: c.le ? 'little' : 'big',
        version: '2.4',
        sections: 1,
        packets: 2,
        capturedBytes: 61,
        wireBytes: 1515,
        fileBytes: file.length,
        truncated: undefined,
      });
      expect(summary.interfaces).toEqual([
        { section: 0, id: 0, linkType: 113, snaplen: 1000, tsUnitsPerSec: c.nano ? 1e9 : 1e6, tsOffsetSec: 0 },
      ]);
      expect(summary.problems.total).toBe(0);
    });
  }

  it('hands out zero-copy views into the fed chunk', () => {
    const file = pcapFile({}, [{ sec: 1, frac: 0, data: bytes(10) }]);
    let seen: Uint8Array | undefined;
    const reader = new CaptureReader({ packet: (r) => (seen = r.data) });
    reader.feed(file);
    expect(seen?.buffer).toBe(file.buffer);
    expect(seen?.byteOffset).toBe(24 + 16);
  });

  it('masks FCS and reserved bits of the link-type field, counting reserved bits', () => {
    const fcs = readBytes(pcapFile({ linkField: 0x14000001 }, [{ sec: 1, frac: 0, data: bytes(4) }]));
    expect(fcs.records[0]?.linkType).toBe(1);
    expect(fcs.summary.problems.total).toBe(0);
    const reserved = readBytes(pcapFile({ linkField: 0x00300000 }, []));
    expect(reserved.summary.interfaces[0]?.linkType).toBe(0);
    expect(reserved.summary.problems.get('pcap: reserved bits set in the link-type field (0x00300000)')).toBe(1);
  });

  it('rejects an unsupported major version', () => {
    const e = captureError(() => new CaptureReader({ packet() {} }).feed(pcapFile({ major: 1 }, [])));
    expect(e.code).toBe('unsupported');
    expect(e.message).toBe('unsupported pcap version 1.4');
  });

  it('rejects bytes that are no capture with the first bytes in the message', () => {
    const reader = new CaptureReader({ packet() {} });
    const e = captureError(() => reader.feed(new TextEncoder().encode('<html><body>')));
    expect(e.code).toBe('not-a-capture');
    expect(e.message).toBe('not a pcap or pcapng file (starts with 3c 68 74 6d)');
    // Once failed, the reader keeps failing the same way.
    expect(captureError(() => reader.feed(new Uint8Array(4)))).toBe(e);
    expect(captureError(() => reader.end())).toBe(e);
  });

  it('rejects an empty input and a too-short one at end()', () => {
    const empty = new CaptureReader({ packet() {} });
    expect(captureError(() => empty.end())).toMatchObject({ code: 'not-a-capture', message: 'empty file' });
    const short = new CaptureReader({ packet() {} });
    short.feed(new Uint8Array([0xd4, 0xc3]));
    expect(captureError(() => short.end())).toMatchObject({ code: 'not-a-capture', message: 'too short to be a pcap or pcapng file (2 bytes)' });
  });

  it('stops at a caplen above 256 KiB, keeping the packets before it', () => {
    const file = concat(
      pcapFile({}, [{ sec: 1, frac: 0, data: bytes(40) }]),
      pcapRecord({ sec: 2, frac: 0, data: bytes(8), caplen: 262145 }),
      pcapRecord({ sec: 3, frac: 0, data: bytes(8) }),
    );
    const { records, summary } = readBytes(file);
    expect(records.map((r) => r.frame)).toEqual([1]);
    expect(summary.truncated).toBe('corrupt pcap record for packet 2 at byte 80: captured length 262145 exceeds 262144; stopped reading');
    expect(summary.fileBytes).toBe(file.length);
  });

  it('accepts a caplen of exactly 256 KiB', () => {
    const { records, summary } = readBytes(pcapFile({ snaplen: 262144 }, [{ sec: 1, frac: 0, data: bytes(262144) }]), [1000, 70000]);
    expect(records[0]?.data.length).toBe(262144);
    expect(summary.truncated).toBeUndefined();
  });

  it('handles a record claiming caplen 0x7ffffff0 in constant time and memory', () => {
    const reader = new CaptureReader({ packet() {} });
    const t0 = performance.now();
    reader.feed(pcapHeader());
    reader.feed(pcapRecord({ sec: 1, frac: 0, data: new Uint8Array(0), caplen: 0x7ffffff0 }).subarray(0, 12));
    reader.feed(new Uint8Array(4));
    expect(reader.stopped).toBe(true);
    const big = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < 64; i++) reader.feed(big);
    reader.end();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(reader.summary.truncated).toMatch(/captured length 2147483632 exceeds 262144/);
    expect(reader.summary.fileBytes).toBe(24 + 16 + 64 * big.length);
  });

  it('reports a last record cut short and keeps the packets before it', () => {
    const file = pcapFile({}, [
      { sec: 1, frac: 0, data: bytes(100) },
      { sec: 2, frac: 0, data: bytes(1514) },
    ]);
    const cut = file.subarray(0, 24 + 116 + 36);
    const { records, summary } = readBytes(cut, [7, 50]);
    expect(records.map((r) => r.frame)).toEqual([1]);
    expect(summary.truncated).toBe("capture ends inside packet 2's record (36 of 1530 bytes)");
    expect(readBytes(file.subarray(0, 24 + 116 + 5)).summary.truncated).toBe("capture ends inside packet 2's record header (5 of 16 bytes)");
    expect(readBytes(file.subarray(0, 10)).summary.truncated).toBe('capture ends inside the pcap file header (10 of 24 bytes)');
  });

  it('delivers records longer than snaplen (as Wireshark does) and counts them', () => {
    const { records, summary } = readBytes(pcapFile({ snaplen: 64 }, [{ sec: 1, frac: 0, data: bytes(100) }]));
    expect(records[0]?.data.length).toBe(100);
    expect(summary.problems.get('pcap: captured length above snaplen')).toBe(1);
  });

  it('normalizes out-of-range sub-second fields and counts them', () => {
    const { records, summary } = readBytes(pcapFile({}, [{ sec: 10, frac: 2_500_000, data: bytes(1) }]));
    expect(records[0]).toMatchObject({ tsSec: 12, tsNsec: 500_000_000 });
    expect(summary.problems.get('pcap: sub-second timestamp out of range')).toBe(1);
  });

  it('reads the caplen and len fields in their pre-2.3 order (and either order in 2.3 files)', () => {
    // Fields as written: the first one at offset 8, the second at offset 12.
    const read = (major: number, minor: number, first: number, second: number) =>
      readBytes(concat(pcapHeader({ major, minor }), pcapRecord({ sec: 1, frac: 0, data: bytes(20), caplen: first, origLen: second }))).records[0];
    expect(read(2, 2, 1514, 20)).toMatchObject({ origLen: 1514, data: Array.from(bytes(20)) });
    expect(read(2, 2, 20, 20)).toMatchObject({ origLen: 20, data: Array.from(bytes(20)) });
    expect(read(543, 0, 1514, 20)).toMatchObject({ origLen: 1514, data: Array.from(bytes(20)) });
    expect(read(2, 3, 1514, 20)).toMatchObject({ origLen: 1514, data: Array.from(bytes(20)) });
    expect(read(2, 3, 20, 1514)).toMatchObject({ origLen: 1514, data: Array.from(bytes(20)) });
    expect(read(2, 4, 20, 1514)).toMatchObject({ origLen: 1514, data: Array.from(bytes(20)) });
  });
});
