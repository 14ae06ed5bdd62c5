/** The frame layer alone: incremental framing, what is kept, gaps, and the boundary search. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findFrameBoundary, FrameReader, keepBytes, type FrameHeader } from '../../../src/protocols/http2/frames.js';
import { concat, frame, GET, headers, settings, u32 } from './helpers.js';

interface Seen {
  h: FrameHeader;
  kept: number[];
  frame: number;
  damaged: boolean;
}

function reader(room = 1 << 17): { r: FrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const r = new FrameReader({ header: (h) => keepBytes(h, room), frame: (h, kept, f, _ts, damaged) => void seen.push({ h, kept: [...kept], frame: f, damaged }) }, 1 << 17);
  return { r, seen };
}

const STREAM = concat(settings([1, 4096]), headers(1, GET('/')), frame(0, 8, 1, [2, 0x61, 0x62, 0, 0]), frame(6, 0, 0, new Uint8Array(8)), frame(0xee, 0, 3, new Uint8Array(40)), frame(8, 0, 0, u32(100)));

describe('FrameReader', () => {
  it('reads frame headers and keeps only what each type needs', () => {
    const { r, seen } = reader();
    r.push(STREAM, 1, 1);
    const hl = headers(1, GET('/')).length - 9;
    expect(seen.map((s) => [s.h.type, s.h.length, s.kept.length])).toEqual([[4, 6, 6], [1, hl, hl], [0, 5, 1], [6, 8, 8], [0xee, 40, 0], [8, 4, 4]]);
    expect(seen[2]!.kept).toEqual([2]);
    expect(r.atBoundary).toBe(true);
  });

  it('gives the same frames however the bytes are split', () => {
    const { r: whole, seen: expected } = reader();
    whole.push(STREAM, 1, 1);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), (sizes) => {
        const { r, seen } = reader();
        let at = 0;
        let k = 0;
        while (at < STREAM.length) {
          const n = sizes[k++ % sizes.length]!;
          r.push(STREAM.subarray(at, at + n), 1, 1);
          at += n;
        }
        expect(seen).toEqual(expected);
      }),
    );
  });

  it('a gap inside a payload is skipped exactly; kept bytes lost mark the frame damaged', () => {
    const { r, seen } = reader();
    const data = frame(0, 1, 1, new Uint8Array(100));
    r.push(data.subarray(0, 20), 1, 1);
    expect(r.skip(50, 2, 2)).toBe(true);
    r.push(data.subarray(70), 3, 3);
    expect(seen.map((s) => [s.h.length, s.frame, s.damaged])).toEqual([[100, 3, false]]);
    const s = settings([1, 1], [5, 16384]);
    r.push(s.subarray(0, 12), 4, 4);
    expect(r.skip(3, 5, 5)).toBe(true);
    expect(r.skip(100, 6, 6)).toBe(false);
    r.push(s.subarray(15), 7, 7);
    expect(seen[1]).toMatchObject({ damaged: true, kept: [...s.subarray(9, 12)] });
    expect(r.skip(1, 8, 8)).toBe(false);
  });
});

describe('findFrameBoundary', () => {
  const tail = Uint8Array.from({ length: 23 }, (_, i) => (i * 37 + 11) & 0xff);
  const frames = concat(headers(1, GET('/')), frame(0, 0, 1, new Uint8Array(300)), frame(8, 0, 0, u32(1)), frame(6, 0, 0, new Uint8Array(8)));

  it('finds the first frame after the tail of a lost one', () => {
    expect(findFrameBoundary(concat(tail, frames), 0, 16384)).toEqual({ at: tail.length, found: true });
  });

  it('waits for more bytes when a chain is still open', () => {
    expect(findFrameBoundary(concat(tail, frames.subarray(0, 60)), 0, 16384)).toEqual({ at: tail.length, found: false });
  });

  it('refuses a CONTINUATION start, unterminated header blocks without their CONTINUATION, and lengths above the limit', () => {
    const openBlock = concat(frame(1, 0, 1, [0x82]), frame(0, 0, 1, [1]), frame(8, 0, 0, u32(1)));
    expect(findFrameBoundary(concat(openBlock, new Uint8Array(9).fill(0xff)), 0, 16384)).not.toEqual({ at: 0, found: true });
    // Offset 7 looks like a 386-byte DATA frame: it is tried first, and refuted once enough bytes came.
    const windowUpdates = new Array<Uint8Array>(40).fill(frame(8, 0, 0, u32(1)));
    expect(findFrameBoundary(concat(frame(9, 4, 1, [0x82]), ...windowUpdates.slice(0, 3)), 0, 16384)).toEqual({ at: 7, found: false });
    expect(findFrameBoundary(concat(frame(9, 4, 1, [0x82]), ...windowUpdates), 0, 16384)).toEqual({ at: 10, found: true });
    expect(findFrameBoundary(concat(frame(0, 0, 1, new Uint8Array(20000)), frame(8, 0, 0, u32(1))), 0, 16384)).not.toMatchObject({ at: 0 });
  });

  it('finds nothing in random bytes (chains of three do not happen by chance)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), (bytes) => {
        const r = findFrameBoundary(bytes, 0, 16384);
        if (r !== 'none' && r.found) throw new Error(`chain at ${r.at}`);
      }),
      { numRuns: 300 },
    );
  });
});
