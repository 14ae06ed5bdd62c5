/**
 * readCapture's fast path for plain files reads every chunk into the same buffer. These
 * tests pin what makes that safe: each record's bytes are exactly the file's, whatever
 * the chunk size (a record straddling chunks is carried, never read from a stale
 * buffer), and a gzip file still goes through decompression from its first byte.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { bytes, pcapFile, readBytes, type PlainRecord } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'gotap-file-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Records of varied sizes, each with its own byte pattern, so a byte from the wrong chunk shows.
const sample = pcapFile(
  {},
  Array.from({ length: 80 }, (_, i) => ({ sec: i, frac: i, data: bytes(40 + ((i * 97) % 1500), i + 1) })),
);
const expected = readBytes(sample).records;

async function readFile(name: string, data: Uint8Array, chunkSize: number): Promise<{ records: PlainRecord[]; gzip: boolean; fileBytes: number }> {
  const path = join(dir, name);
  writeFileSync(path, data);
  const records: PlainRecord[] = [];
  const summary = await readCapture(path, { packet: (r) => records.push({ ...r, data: Array.from(r.data) }) }, { chunkSize });
  return { records, gzip: summary.gzip, fileBytes: summary.fileBytes };
}

describe('reading a plain file into one reused buffer', () => {
  it('hands out every record with its own bytes, whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 16, max: 5000 }), async (chunkSize) => {
        const got = await readFile('sample.pcap', sample, chunkSize);
        expect(got.records).toEqual(expected);
        expect(got.gzip).toBe(false);
        expect(got.fileBytes).toBe(sample.length);
      }),
      { numRuns: 20 },
    );
  });

  it('decompresses a gzip file from its first byte, with a chunk size smaller than the gzip header', async () => {
    for (const chunkSize of [1, 7, 4096]) {
      const got = await readFile('sample.pcap.gz', gzipSync(sample), chunkSize);
      expect(got.records).toEqual(expected);
      expect(got.gzip).toBe(true);
      expect(got.fileBytes).toBe(sample.length);
    }
  });
});
