import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src/flow/types.js';
import { createDnsTcpAnalyzer, createDnsUdpAnalyzer, looksLikeDnsMessage, looksLikeDnsOverTcp, parseDnsMessage } from '../../../src/protocols/dns/index.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { a, collector, framed, makeFlow, opt, query, response } from './helpers.js';

const seeds = [
  query(1, 'proxy.golang.org', 'A', { additionals: [opt(1232, true, 4)] }),
  response(1, 'proxy.golang.org', [
    { type: 'CNAME', name: 'proxy.golang.org', ttl: 5, data: 'ghs.googlehosted.com' },
    a('ghs.googlehosted.com', '192.0.2.1'),
    { type: 'AAAA', name: 'ghs.googlehosted.com', ttl: 5, data: '2001:db8::1' },
    { type: 'TXT', name: 'ghs.googlehosted.com', ttl: 5, data: ['x', 'y'] },
    { type: 'MX', name: 'golang.org', ttl: 5, data: { preference: 1, exchange: 'mx.golang.org' } },
  ]),
];

/** Valid messages with bytes overwritten, removed or appended: deeper than random bytes get. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.uint8Array({ maxLength: 8 }))
  .map(([seed, edits, cut, tail]) => {
    const b = Uint8Array.from(seed);
    for (const [pos, v] of edits) b[pos % b.length] = v;
    return Uint8Array.from([...b.subarray(0, b.length - (cut % 4)), ...tail]);
  });

const payload = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated);

describe('robustness: arbitrary bytes never throw', () => {
  it('UDP datagram/end', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<Direction>(0, 1), payload), { maxLength: 8 }), (datagrams) => {
        const { ctx } = collector(makeFlow('udp'));
        const dns = createDnsUdpAnalyzer(ctx, { maxPending: 2, maxAnswered: 2 });
        datagrams.forEach(([dir, p], i) => dns.datagram(dir, p, i + 1, i));
        dns.end(100, 100);
      }),
      { numRuns: 1500, seed: 1 },
    );
  });

  it('TCP data/gap/end, and the content checks', () => {
    const step = fc.oneof(
      fc.record({ dir: fc.constantFrom<Direction>(0, 1), data: fc.oneof(payload, payload.map((p) => framed(p))) }),
      fc.record({ dir: fc.constantFrom<Direction>(0, 1), gap: fc.integer({ min: 1, max: 5000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        const { ctx } = collector(makeFlow('tcp'));
        const dns = createDnsTcpAnalyzer(ctx);
        const offsets = [0, 0];
        steps.forEach((s, i) => {
          if ('gap' in s) {
            dns.gap(s.dir, s.gap, i + 1, i);
            offsets[s.dir]! += s.gap;
          } else {
            dns.data(s.dir, { data: s.data, offset: offsets[s.dir]!, frame: i + 1, ts: i });
            offsets[s.dir]! += s.data.length;
            looksLikeDnsOverTcp(s.data);
            looksLikeDnsMessage(s.data);
          }
        });
        dns.end(100, 100);
      }),
      { numRuns: 1500, seed: 2 },
    );
  });

  it('a DNS-over-TCP stream gives the same events however it is cut into chunks', () => {
    const msgs = [...seeds, query(2, 'sum.golang.org'), response(2, 'sum.golang.org', [a('sum.golang.org', '192.0.2.2')])];
    const stream = framed(...msgs);
    const run = (cuts: number[]): GotapEvent[] => {
      const { ctx, events } = collector(makeFlow('tcp'));
      const dns = createDnsTcpAnalyzer(ctx);
      const points = [...new Set([0, ...cuts.map((c) => c % (stream.length + 1)), stream.length])].sort((x, y) => x - y);
      for (let i = 1; i < points.length; i++) dns.data(0, { data: stream.subarray(points[i - 1], points[i]), offset: points[i - 1]!, frame: 1, ts: 1 });
      dns.end(2, 2);
      return events;
    };
    const whole = run([]);
    expect(whole.filter((e) => e.type === 'dns-query' || e.type === 'dns-response')).toHaveLength(msgs.length);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(run(cuts)).toEqual(whole);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('parseDnsMessage either decodes or names a bounded error kind', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(payload, (b) => {
        const r = parseDnsMessage(b);
        if (!r.ok) kinds.add(r.error);
      }),
      { numRuns: 3000, seed: 4 },
    );
    // Library messages are normalised (no offsets), so the set of kinds stays small.
    for (const k of kinds) if (k.startsWith('dns-packet')) expect(k).not.toMatch(/\d/);
    expect(kinds.size).toBeGreaterThan(3);
    expect(kinds.size).toBeLessThan(30);
  });
});
