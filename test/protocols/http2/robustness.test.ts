/**
 * Hostile and arbitrary input: any TCP segmentation of a real HTTP/2 connection gives the
 * same events; random and mutated bytes never throw; floods stay within CPU-time bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ERROR_EVENTS, MAX_HEADER_BLOCK } from '../../../src/protocols/http2/analyzer.js';
import { MAX_TABLE_SIZE } from '../../../src/protocols/http2/hpack.js';
import { analyze, recordFlows, type Item } from './capture.js';
import { cpuMs } from './cpu.js';
import { block, CLIENT_PREFACE, concat, FLAGS, frame, GET, Harness, headers, hpackInt, settings, u32 } from './helpers.js';

const real = await recordFlows('captures/h2c-prior-knowledge.pcap');
const flow = real[0]!.flow;
const items = real[0]!.items;

/** Re-splits every data item at the given cut points (all pieces keep the item's frame number). */
function resplit(source: Item[], cuts: number[]): Item[] {
  const out: Item[] = [];
  let k = 0;
  for (const it of source) {
    if (it.kind !== 'data') {
      out.push(it);
      continue;
    }
    let from = 0;
    while (from < it.data.length) {
      const len = 1 + (cuts[k++ % cuts.length]! % (it.data.length - from));
      out.push({ ...it, data: it.data.subarray(from, from + len) });
      from += len;
    }
  }
  return out;
}

describe('segmentation', () => {
  const expected = analyze(flow, items).events;

  it('the real connection gives its six request/response pairs', () => {
    expect(expected.filter((e) => e.type === 'http-response')).toHaveLength(6);
  });

  it('any split of the real byte streams gives identical events', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }), (cuts) => {
        expect(analyze(flow, resplit(items, cuts)).events).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('one byte at a time gives identical events', () => {
    expect(analyze(flow, resplit(items, [0])).events).toEqual(expected);
  });
});

describe('gaps in the real connection', () => {
  const full = analyze(flow, items).events;
  /** What an event says, except body sizes (a gap can shorten them). */
  const facts = (e: (typeof full)[number]): Record<string, unknown> =>
    e.type === 'http-request'
      ? { method: e.method, target: e.target, host: e.host, userAgent: e.userAgent }
      : e.type === 'http-response'
        ? { status: e.status, method: e.method, target: e.target, contentLength: e.contentLength, contentType: e.contentType }
        : {};
  const truth = new Map(full.map((e) => [`${e.type} ${'streamId' in e ? e.streamId : ''}`, facts(e)]));

  it('whatever range is lost, what is reported is what the gap-free run says (fields lost are absent, never wrong)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 20000 }), fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 10 }), (start, size, cuts) => {
        // Drop `size` bytes from one direction's stream, starting at a random offset.
        const split = resplit(items, cuts);
        const dir = start % 2 === 0 ? 0 : 1;
        const total = split.reduce((n, it) => n + (it.kind === 'data' && it.dir === dir ? it.data.length : 0), 0);
        const from = start % total;
        const out: Item[] = [];
        let off = 0;
        let gapped = false;
        for (const it of split) {
          if (it.kind !== 'data' || it.dir !== dir) {
            out.push(it);
            continue;
          }
          const a = off;
          off += it.data.length;
          if (off <= from || a >= from + size) out.push(it);
          else if (!gapped) {
            gapped = true;
            out.push({ kind: 'gap', dir, size: Math.min(size, total - from), frame: it.frame, ts: it.ts });
          }
        }
        const { events } = analyze(flow, out);
        for (const ev of events) {
          if (ev.type !== 'http-request' && ev.type !== 'http-response') continue;
          const expected = truth.get(`${ev.type} ${ev.streamId}`)!;
          expect(expected).toBeDefined();
          for (const [k, v] of Object.entries(facts(ev))) if (v !== undefined) expect([k, v]).toEqual([k, expected[k]]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('arbitrary bytes', () => {
  const run = (dir0: Uint8Array[], dir1: Uint8Array[], gaps: number[] = []): void => {
    const h = new Harness();
    const n = Math.max(dir0.length, dir1.length);
    for (let i = 0; i < n; i++) {
      if (dir0[i]) h.send(0, dir0[i]!);
      if (dir1[i]) h.send(1, dir1[i]!);
      if (gaps[i]) h.gap(i % 2 === 0 ? 0 : 1, gaps[i]!);
    }
    h.end();
    for (const ev of h.events) expect(['http-request', 'http-response', 'http-error']).toContain(ev.type);
  };

  it('random frames after a valid preface never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.array(fc.nat(400), { maxLength: 4 }), (a, b, gaps) => {
        run([CLIENT_PREFACE, ...a], b, gaps);
      }),
      { numRuns: 500 },
    );
  });

  it('structurally valid frames with random types, flags, stream ids and payloads never throw', () => {
    const frameArb = fc.record({ type: fc.nat(12), flags: fc.nat(255), stream: fc.nat(12), payload: fc.uint8Array({ maxLength: 64 }) })
      .map(({ type, flags, stream, payload }) => frame(type, flags, stream, payload));
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 30 }), fc.array(frameArb, { maxLength: 30 }), (a, b) => {
        run([concat(CLIENT_PREFACE, ...a)], [concat(...b)]);
      }),
      { numRuns: 500 },
    );
  });

  it('the real connection with random bytes flipped never throws', () => {
    const data = items.filter((i): i is Extract<Item, { kind: 'data' }> => i.kind === 'data');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const mutated = data.map((d) => ({ ...d, data: d.data.slice() }));
        for (const [which, at, x] of flips) {
          const d = mutated[which % mutated.length]!;
          if (d.data.length > 0) d.data[at % d.data.length]! ^= x;
        }
        const { events } = analyze(flow, mutated);
        expect(events.length).toBeLessThan(100);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CPU-time bounds on floods', () => {
  const open = (): Harness => {
    const h = new Harness();
    h.send(0, concat(CLIENT_PREFACE, settings([1, MAX_TABLE_SIZE])));
    h.send(1, settings([1, MAX_TABLE_SIZE]));
    return h;
  };

  it('CONTINUATION flood: 200k empty frames, then one-byte frames far past the block cap', () => {
    const h = open();
    const empty = frame(9, 0, 1);
    const oneByte = frame(9, 0, 1, [0x82]);
    const chunk = concat(...new Array<Uint8Array>(1000).fill(empty));
    const chunk1 = concat(...new Array<Uint8Array>(1000).fill(oneByte));
    const ms = cpuMs(() => {
      h.send(0, frame(1, 0, 1, block(GET('/'))));
      for (let k = 0; k < 200; k++) h.send(0, chunk);
      for (let k = 0; k < (MAX_HEADER_BLOCK / 1000) * 2; k++) h.send(0, chunk1);
      h.send(0, frame(9, FLAGS.END_HEADERS, 1));
    });
    expect(ms).toBeLessThan(4000);
    expect(h.problems.toJSON()).toMatchObject({ 'http2: header block over the size cap': 1 });
  });

  it('many tiny frames: 500k PINGs and WINDOW_UPDATEs', () => {
    const h = open();
    const chunk = concat(...new Array<Uint8Array>(1000).fill(concat(frame(6, 0, 0, new Uint8Array(8)), frame(8, 0, 0, u32(1)))));
    expect(cpuMs(() => {
      for (let k = 0; k < 250; k++) h.send(0, chunk);
    })).toBeLessThan(4000);
    expect(h.problems.entries()).toEqual([]);
  });

  it('rapid reset: 20k streams opened and reset give bounded error events', () => {
    const h = open();
    const parts: Uint8Array[] = [];
    for (let id = 1; id < 40_000; id += 2) parts.push(headers(id, GET('/'), false), frame(3, 0, id, u32(8)));
    const all = concat(...parts);
    expect(cpuMs(() => h.send(0, all))).toBeLessThan(4000);
    expect(h.requests).toHaveLength(20_000);
    expect(h.errors).toHaveLength(MAX_ERROR_EVENTS);
    expect(h.problems.get('http2: more stream errors than reported')).toBe(20_000 - MAX_ERROR_EVENTS);
  });

  it('searching for a frame boundary after a gap: 64 KiB fed one byte at a time', () => {
    const h = open();
    h.gap(1, 100);
    // Plausible WINDOW_UPDATEs whose chains mostly break two frames later (an attacker can
    // always make a chain hold: then the search ends early, which is fine too).
    const unit = concat(frame(8, 0, 0, u32(1)), frame(8, 0, 0, u32(1)), [0xff]);
    const bytes = concat(...new Array<Uint8Array>(Math.ceil(65536 / unit.length)).fill(unit));
    expect(cpuMs(() => {
      for (let i = 0; i < bytes.length; i++) h.send(1, bytes.subarray(i, i + 1));
    })).toBeLessThan(4000);
    const resynced = h.problems.get('http2: resynchronised after a gap') === 1;
    expect(resynced || h.errors.length === 1).toBe(true);
  });

  it('maximal dynamic-table churn across 20k header blocks', () => {
    const h = open();
    const parts: Uint8Array[] = [];
    for (let id = 1; id < 40_000; id += 2) {
      const b = concat(id === 1 ? hpackInt(MAX_TABLE_SIZE, 5, 0x20) : [], [0x82, 0x86, 0x84], block([[':authority', `h${id}`], ['x-churn', 'v'.repeat(100)]], { index: true }));
      parts.push(frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, id, b));
    }
    const all = concat(...parts);
    expect(cpuMs(() => h.send(0, all))).toBeLessThan(4000);
    expect(h.requests).toHaveLength(20_000);
    expect(h.requests[19_999]!.host).toBe('h39999');
  });
});
