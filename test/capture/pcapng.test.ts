import { describe, expect, it } from 'vitest';
import { CaptureReader } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/capture/types.js';
import { readCapture } from '../../src/capture/source.js';
import { Pcapng, bytes, readBytes, text } from './build.js';

const NS_1700 = 1_700_000_000_123_456_789n;

describe('pcapng', () => {
  it('reads sections of both byte orders, resetting interfaces and continuing frame numbers', () => {
    const w = new Pcapng();
    w.shb({ le: true, options: [{ code: 1, value: text('first section') }] })
      .idb({ linkType: 1, snaplen: 65535, options: [{ code: 2, value: text('eth0') }, { code: 3, value: text('uplink') }] })
      .idb({ linkType: 113, options: [{ code: 9, value: Uint8Array.of(9) }] })
      .epb({ iface: 1, ts: NS_1700, data: bytes(42), origLen: 60, options: [{ code: 1, value: text('look here') }, { code: 1, value: text('and here') }] })
      .epb({ iface: 0, ts: 1_700_000_000_654_321n, data: bytes(3) })
      .shb({ le: false, minor: 0 })
      .idb({ linkType: 228, snaplen: 0, options: [{ code: 9, value: Uint8Array.of(0x80 | 20) }] })
      .epb({ iface: 0, ts: (1_700_000_000n << 20n) | 524288n, data: bytes(5) })
      .epb({ iface: 1, ts: 0n, data: bytes(5) });
    const { records, summary } = readBytes(w.bytes());
    expect(records).toEqual([
      { frame: 1, tsSec: 1_700_000_000, tsNsec: 123_456_789, linkType: 113, interfaceId: 1, origLen: 60, data: Array.from(bytes(42)), comments: ['look here', 'and here'] },
      { frame: 2, tsSec: 1_700_000_000, tsNsec: 654_321_000, linkType: 1, interfaceId: 0, origLen: 3, data: Array.from(bytes(3)), comments: undefined },
      { frame: 3, tsSec: 1_700_000_000, tsNsec: 500_000_000, linkType: 228, interfaceId: 0, origLen: 5, data: Array.from(bytes(5)), comments: undefined },
    ]);
    expect(summary).toMatchObject({ format: 'pcapng', byteOrder: 'little', version: '1.0', sections: 2, packets: 3, comments: ['first section'], truncated: undefined });
    expect(summary.interfaces).toEqual([
      { section: 0, id: 0, linkType: 1, snaplen: 65535, name: 'eth0', description: 'uplink', tsUnitsPerSec: 1e6, tsOffsetSec: 0 },
      { section: 0, id: 1, linkType: 113, snaplen: 262144, tsUnitsPerSec: 1e9, tsOffsetSec: 0 },
      { section: 1, id: 0, linkType: 228, snaplen: 0, tsUnitsPerSec: 2 ** 20, tsOffsetSec: 0 },
    ]);
    // Interface 1 existed only in the first section.
    expect(summary.problems.toJSON()).toEqual({ 'pcapng: packet on an undefined interface': 1 });
  });

  it('applies if_tsoffset and odd resolutions exactly', () => {
    const w = new Pcapng()
      .shb()
      .idb({ options: [{ code: 9, value: Uint8Array.of(3) }, { code: 14, value: new Pcapng().u64(-3600n) }] })
      .idb({ options: [{ code: 9, value: Uint8Array.of(0x80 | 32) }] })
      .idb({ options: [{ code: 9, value: Uint8Array.of(12) }] })
      .epb({ iface: 0, ts: 1_700_000_000_999n, data: bytes(1) })
      .epb({ iface: 1, ts: (1_700_000_000n << 32n) | 0xffffffffn, data: bytes(1) })
      .epb({ iface: 2, ts: 1_000_000_123_456_789_999n, data: bytes(1) });
    const { records, summary } = readBytes(w.bytes());
    expect(records.map((r) => [r.tsSec, r.tsNsec])).toEqual([
      [1_700_000_000 - 3600, 999_000_000],
      [1_700_000_000, 999_999_999],
      [1_000_000, 123_456_789],
    ]);
    expect(summary.interfaces.map((i) => [i.tsUnitsPerSec, i.tsOffsetSec])).toEqual([
      [1e3, -3600],
      [2 ** 32, 0],
      [1e12, 0],
    ]);
  });

  it('reads simple packet blocks (interface 0, caplen bounded by snaplen and block) and obsolete packet blocks', () => {
    const w = new Pcapng()
      .shb()
      .idb({ linkType: 101, snaplen: 8 })
      .spb({ origLen: 1500, data: bytes(12) })
      .spb({ origLen: 3, data: bytes(4) })
      .epb({ obsolete: true, iface: 0, ts: 2_000_001n, data: bytes(6), options: [{ code: 1, value: text('old') }] });
    const { records, summary } = readBytes(w.bytes());
    expect(records).toEqual([
      { frame: 1, tsSec: 0, tsNsec: 0, timeUnknown: true, linkType: 101, interfaceId: 0, origLen: 1500, data: Array.from(bytes(8)), comments: undefined },
      { frame: 2, tsSec: 0, tsNsec: 0, timeUnknown: true, linkType: 101, interfaceId: 0, origLen: 3, data: Array.from(bytes(3)), comments: undefined },
      { frame: 3, tsSec: 2, tsNsec: 1000, linkType: 101, interfaceId: 0, origLen: 6, data: Array.from(bytes(6)), comments: ['old'] },
    ]);
    expect(summary.problems.toJSON()).toEqual({ "pcapng: simple packet block has no timestamp (previous packet's time used)": 2 });
  });

  it("gives a simple packet block the previous packet's time, marked unknown (never 1970)", () => {
    const w = new Pcapng()
      .shb()
      .idb({ linkType: 101 })
      .epb({ iface: 0, ts: 1_700_000_000_250_000n, data: bytes(4) })
      .spb({ origLen: 4, data: bytes(4) });
    const { records } = readBytes(w.bytes());
    expect(records.map((r) => [r.tsSec, r.tsNsec, r.timeUnknown])).toEqual([
      [1_700_000_000, 250_000_000, undefined],
      [1_700_000_000, 250_000_000, true],
    ]);
  });

  it('range-checks every timestamp: if_tsresol 0 with an ordinary timestamp keeps the previous time and is counted', () => {
    const w = new Pcapng()
      .shb()
      .idb({ linkType: 101, options: [{ code: 9, value: Uint8Array.of(9) }] })
      .idb({ linkType: 101, options: [{ code: 9, value: Uint8Array.of(0) }] })
      .epb({ iface: 0, ts: 1_700_000_000_000_000_000n, data: bytes(4) })
      .epb({ iface: 1, ts: 1_700_000_000_000_000_001n, data: bytes(4) });
    const { records, summary } = readBytes(w.bytes());
    expect(records.map((r) => [r.tsSec, r.timeUnknown])).toEqual([
      [1_700_000_000, undefined],
      [1_700_000_000, true],
    ]);
    expect(summary.problems.toJSON()).toEqual({ "timestamp out of range (previous packet's time used)": 1 });
    for (const r of records) expect(() => new Date((r.tsSec + r.tsNsec / 1e9) * 1000).toISOString()).not.toThrow();
  });

  it('keeps decryption secrets, skips NRB/ISB/custom blocks silently and counts unknown ones', () => {
    const keylog = text('CLIENT_RANDOM 00 11\n');
    const w = new Pcapng()
      .shb()
      .idb()
      .block(4, new Uint8Array(4))
      .block(5, new Uint8Array(12))
      .block(0xbad, new Uint8Array(8))
      .dsb(0x544c534b, keylog)
      .block(0x0bad0bad, new Uint8Array(8))
      .block(0x0bad0bad, new Uint8Array(0))
      .epb({ ts: 0n, data: bytes(1) });
    const { records, summary } = readBytes(w.bytes());
    expect(records.length).toBe(1);
    expect(summary.secrets).toEqual([{ secretsType: 0x544c534b, data: keylog, afterFrame: 0 }]);
    expect(summary.problems.toJSON()).toEqual({ 'pcapng: unknown block type 0x0bad0bad': 2 });
  });

  it('hands each decryption secrets block to the sink at its position among the packets, in any chunking', () => {
    const first = text('CLIENT_RANDOM a\n');
    const second = text('SERVER_TRAFFIC_SECRET_0 b\n');
    const file = new Pcapng()
      .shb()
      .idb()
      .epb({ ts: 1n, data: bytes(10) })
      .epb({ ts: 2n, data: bytes(10) })
      .dsb(0x544c534b, first)
      .epb({ ts: 3n, data: bytes(10) })
      .dsb(0x57474b4c, second)
      .bytes();
    for (const chunk of [file.length, 1, 7, 64]) {
      const seen: string[] = [];
      const reader = new CaptureReader({
        packet: (r) => seen.push(`packet ${r.frame}`),
        secrets: (b) => seen.push(`secrets 0x${b.secretsType.toString(16)} after ${b.afterFrame}: ${Buffer.from(b.data).toString()}`),
      });
      for (let off = 0; off < file.length; off += chunk) reader.feed(file.subarray(off, off + chunk));
      reader.end();
      expect(seen).toEqual([
        'packet 1',
        'packet 2',
        'secrets 0x544c534b after 2: CLIENT_RANDOM a\n',
        'packet 3',
        'secrets 0x57474b4c after 3: SERVER_TRAFFIC_SECRET_0 b\n',
      ]);
    }
  });

  it('delivers the real DSB of captures/pcapng-dsb.pcapng to the sink, with its key log text', async () => {
    const seen: string[] = [];
    let keylog = '';
    await readCapture(new URL('../../captures/pcapng-dsb.pcapng', import.meta.url).pathname, {
      packet: (r) => seen.push(`packet ${r.frame}`),
      secrets: (b) => {
        seen.push(`secrets after ${b.afterFrame}`);
        keylog = Buffer.from(b.data).toString('latin1');
      },
    });
    expect(seen.filter((s) => s.startsWith('secrets'))).toEqual(['secrets after 0']);
    expect(seen[0]).toBe('secrets after 0');
    expect(keylog).toMatch(/^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|EXPORTER_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0) [0-9a-f]{64} [0-9a-f]+$/m);
  });

  it('bounds option parsing by the block and keeps the block', () => {
    const w = new Pcapng().shb();
    // An interface block whose single option claims 0x3030 bytes.
    const body = new Uint8Array(16);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, 1, true);
    dv.setUint32(4, 1000, true);
    dv.setUint16(8, 2, true);
    dv.setUint16(10, 0x3030, true);
    w.block(1, body).epb({ ts: 0n, data: bytes(2), options: [{ code: 1, value: text('ok') }] });
    const { records, summary } = readBytes(w.bytes());
    expect(records.map((r) => r.comments)).toEqual([['ok']]);
    expect(summary.interfaces[0]).toMatchObject({ linkType: 1, snaplen: 1000 });
    expect(summary.interfaces[0]?.name).toBeUndefined();
    expect(summary.problems.toJSON()).toEqual({ 'pcapng: interface option overruns its block': 1 });
  });

  it('bounds section header options like the SHB of libpcap/shb-option-too-long.pcapng, when the block is well framed', () => {
    const body = new Uint8Array(24);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, 0x1a2b3c4d, true);
    dv.setUint16(4, 1, true);
    dv.setUint16(16, 0x3030, true);
    dv.setUint16(18, 0x3030, true);
    const { records, summary } = readBytes(new Pcapng().block(0x0a0d0d0a, body).idb().epb({ ts: 0n, data: bytes(2) }).bytes());
    expect(records.length).toBe(1);
    expect(summary.sections).toBe(1);
    expect(summary.problems.toJSON()).toEqual({ 'pcapng: section header option overruns its block': 1 });
  });

  it('stops at a block whose trailing length differs from its leading length', () => {
    const w = new Pcapng().shb().idb().epb({ ts: 0n, data: bytes(4) });
    w.block(6, new Uint8Array(24), 999).epb({ ts: 0n, data: bytes(4) });
    const { records, summary } = readBytes(w.bytes());
    expect(records.length).toBe(1);
    expect(summary.truncated).toBe('corrupt pcapng block at byte 84: trailing length 999 differs from leading length 36; stopped reading');
  });

  it('stops at impossible block lengths without buffering them', () => {
    for (const [len, why] of [
      [8, 'is below 12'],
      [30, 'is not a multiple of 4'],
      [0x7ffffff0, 'exceeds 16777216'],
    ] as const) {
      const w = new Pcapng().shb().idb();
      const head = new Uint8Array(8);
      new DataView(head.buffer).setUint32(0, 6, true);
      new DataView(head.buffer).setUint32(4, len, true);
      const { summary } = readBytes(w.raw(head).raw(new Uint8Array(64)).bytes(), [3]);
      expect(summary.truncated).toBe(`corrupt pcapng block at byte 48: total length ${len} ${why}; stopped reading`);
    }
  });

  it('counts and skips packets whose length exceeds the block or whose interface is undefined', () => {
    const w = new Pcapng().shb().idb().epb({ ts: 0n, data: bytes(4), caplen: 9 }).epb({ iface: 7, ts: 0n, data: bytes(4) }).spb({ origLen: 4, data: bytes(4) });
    const { records, summary } = readBytes(w.bytes());
    expect(records.map((r) => r.frame)).toEqual([1]);
    expect(summary.problems.toJSON()).toEqual({
      'pcapng: packet length exceeds its block': 1,
      'pcapng: packet on an undefined interface': 1,
      "pcapng: simple packet block has no timestamp (previous packet's time used)": 1,
    });
  });

  it('rejects an unsupported first section version and stops at an unsupported later one', () => {
    const e = (() => {
      try {
        new CaptureReader({ packet() {} }).feed(new Pcapng().shb({ major: 2 }).bytes());
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CaptureError);
    expect(e).toMatchObject({ code: 'unsupported', message: 'unsupported pcapng version 2.0' });
    const later = readBytes(new Pcapng().shb().idb().epb({ ts: 0n, data: bytes(1) }).shb({ major: 0, minor: 1 }).idb().bytes());
    expect(later.records.length).toBe(1);
    expect(later.summary.truncated).toBe('pcapng section 2 at byte 84 has unsupported pcapng version 0.1; stopped reading');
  });

  it('reports a block cut short', () => {
    const file = new Pcapng().shb().idb().epb({ ts: 0n, data: bytes(100) }).epb({ ts: 0n, data: bytes(1514) }).bytes();
    const cut = file.subarray(0, file.length - 1000);
    expect(readBytes(cut, [64]).summary.truncated).toBe("capture ends inside packet 2's block (548 of 1548 bytes)");
    expect(readBytes(file.subarray(0, 20)).summary.truncated).toBe('capture ends inside a pcapng block of type 0x0a0d0d0a (20 of 28 bytes)');
    expect(readBytes(file.subarray(0, 35)).summary.truncated).toBe('capture ends inside a pcapng block header (7 of at least 8 bytes)');
  });

  it('reads a big-endian first section', () => {
    const { records, summary } = readBytes(new Pcapng().shb({ le: false }).idb({ linkType: 1 }).epb({ ts: 5_000_000n, data: bytes(9) }).bytes());
    expect(summary.byteOrder).toBe('big');
    expect(records[0]).toMatchObject({ tsSec: 5, tsNsec: 0, linkType: 1, data: Array.from(bytes(9)) });
  });

  it('aligns frame numbers with Wireshark across systemd journal export blocks', () => {
    const { records, summary } = readBytes(new Pcapng().shb().idb().block(9, new Uint8Array(8)).epb({ ts: 0n, data: bytes(1) }).bytes());
    expect(records.map((r) => r.frame)).toEqual([2]);
    expect(summary.packets).toBe(1);
  });
});
