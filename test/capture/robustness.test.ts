import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaptureReader } from '../../src/capture/reader.js';
import { CaptureError } from '../../src/capture/types.js';
import { Pcapng, bytes, pcapFile, text } from './build.js';
import { corpusAvailable, corpusDir, corpusFiles, expectedPacketCounts } from '../corpus.js';

/** Feeds the bytes in the given chunk sizes; returns the packet count, or the CaptureError thrown. */
function run(input: Uint8Array, sizes: number[]): number | CaptureError {
  let packets = 0;
  let lastFrame = 0;
  const reader = new CaptureReader({
    packet(r) {
      packets++;
      // Invariants every record keeps, whatever the bytes.
      expect(r.frame).toBeGreaterThan(lastFrame);
      expect(Number.isInteger(r.tsNsec) && r.tsNsec >= 0 && r.tsNsec < 1e9).toBe(true);
      expect(r.data.length).toBeLessThanOrEqual(16 * 1024 * 1024);
      lastFrame = r.frame;
    },
  });
  try {
    let off = 0;
    for (let i = 0; off < input.length; i++) {
      const n = Math.max(1, sizes[i % sizes.length]!);
      reader.feed(input.subarray(off, off + n));
      off += n;
    }
    reader.end();
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
  expect(reader.summary.packets).toBe(packets);
  return packets;
}

const seeds = [
  pcapFile({}, [
    { sec: 1, frac: 2, data: bytes(60) },
    { sec: 3, frac: 4, data: bytes(1500) },
  ]),
  pcapFile({ le: false, nano: true }, [{ sec: 1, frac: 2, data: bytes(77) }]),
  new Pcapng()
    .shb({ options: [{ code: 1, value: text('c') }] })
    .idb({ options: [{ code: 9, value: Uint8Array.of(0x80 | 40) }, { code: 14, value: new Uint8Array(8).fill(0xff) }] })
    .epb({ ts: 123n, data: bytes(40), options: [{ code: 1, value: text('x') }] })
    .spb({ origLen: 10, data: bytes(10) })
    .dsb(1, bytes(9))
    .shb({ le: false })
    .idb()
    .epb({ obsolete: true, ts: 1n, data: bytes(3) })
    .bytes(),
];

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([seed, flips, cut]) => {
    const b = seed.slice();
    for (const [at, v] of flips) b[at % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

const magics = [Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1), Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d), Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a)];
const randomAfterMagic = fc.tuple(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 2000 })).map(([m, rest]) => {
  const b = new Uint8Array(m.length + rest.length);
  b.set(m, 0);
  b.set(rest, m.length);
  return b;
});

describe('robustness', () => {
  it('throws nothing but CaptureError on mutated and random inputs, in any chunking, quickly', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, randomAfterMagic, fc.uint8Array({ maxLength: 64 })), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), (input, sizes) => {
        const t0 = performance.now();
        const whole = run(input, [input.length || 1]);
        const split = run(input, sizes);
        expect(performance.now() - t0).toBeLessThan(500);
        // Chunking never changes the outcome either.
        if (whole instanceof CaptureError) expect(split).toMatchObject({ code: whole.code, message: whole.message });
        else expect(split).toBe(whole);
      }),
      { numRuns: 3000 },
    );
  });
});

describe.skipIf(!corpusAvailable)('robustness corpus (../shared/corpus/robustness)', () => {
  const files = corpusFiles();

  it('has an expected count for every file', () => {
    expect(files).toEqual(Object.keys(expectedPacketCounts).sort());
  });

  for (const name of files) {
    it(name, () => {
      const input = new Uint8Array(readFileSync(join(corpusDir, name)));
      const t0 = performance.now();
      const result = run(input, [input.length || 1]);
      expect(run(input, [1, 7, 300])).toEqual(result);
      expect(performance.now() - t0).toBeLessThan(5000);
      const want = expectedPacketCounts[name];
      const ours = typeof want === 'object' ? want.ours : want;
      expect(result instanceof CaptureError ? result.code : result).toBe(ours);
    });
  }
});
