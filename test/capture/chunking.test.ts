import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pcapng, bytes, pcapFile, pcapRecord, readBytes, text } from './build.js';
import { concat } from '../bytes.js';

/** A pcapng exercising every block kind the reader handles, with records from 0 to 3000 bytes. */
function pcapngSample(): Uint8Array {
  return new Pcapng()
    .shb({ options: [{ code: 1, value: text('sample') }] })
    .idb({ options: [{ code: 2, value: text('lo') }, { code: 9, value: Uint8Array.of(9) }] })
    .epb({ ts: 1_732_000_000_000_000_001n, data: bytes(0) })
    .epb({ ts: 1_732_000_000_000_000_002n, data: bytes(3000), options: [{ code: 1, value: text('big') }] })
    .dsb(0x544c534b, text('CLIENT_RANDOM a b\n'))
    .block(0x1234, bytes(13 * 4))
    .spb({ origLen: 70, data: bytes(70) })
    .shb({ le: false })
    .idb({ linkType: 113 })
    .epb({ obsolete: true, ts: 42n, data: bytes(61) })
    .epb({ ts: 43n, data: bytes(1) })
    .bytes();
}

function pcapSample(): Uint8Array {
  return pcapFile(
    { nano: true, le: false },
    Array.from({ length: 20 }, (_, i) => ({ sec: 1000 + i, frac: i * 7, data: bytes((i * 397) % 1600, i) })),
  );
}

const samples = {
  pcap: pcapSample(),
  pcapng: pcapngSample(),
  'pcap cut short': pcapSample().subarray(0, 5000),
  'pcapng cut short': pcapngSample().subarray(0, 3100),
  'pcap with a corrupt record': concat(pcapSample(), pcapRecord({ sec: 0, frac: 0, data: bytes(16), caplen: 0x10000000 })),
};

describe('chunking invariance', () => {
  for (const [name, file] of Object.entries(samples)) {
    const whole = readBytes(file);

    it(`${name}: every split yields the same records and summary`, () => {
      expect(whole.records.length).toBeGreaterThan(0);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 30 }), (sizes) => {
          const split = readBytes(file, sizes);
          expect(split.records).toEqual(whole.records);
          expect(split.summary).toEqual(whole.summary);
        }),
        { numRuns: 300 },
      );
    });

    it(`${name}: byte-by-byte feeding yields the same result`, () => {
      const split = readBytes(file, [1]);
      expect(split.records).toEqual(whole.records);
      expect(split.summary).toEqual(whole.summary);
    });
  }

  it('sees each pcapng feature once in the whole-file read', () => {
    const { records, summary } = readBytes(samples.pcapng);
    expect(records.map((r) => [r.frame, r.data.length, r.linkType])).toEqual([
      [1, 0, 1],
      [2, 3000, 1],
      [3, 70, 1],
      [4, 61, 113],
      [5, 1, 113],
    ]);
    expect(summary.sections).toBe(2);
    expect(summary.secrets.length).toBe(1);
    expect(summary.problems.toJSON()).toEqual({
      'pcapng: unknown block type 0x00001234': 1,
      "pcapng: simple packet block has no timestamp (previous packet's time used)": 1,
    });
  });
});
