import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Direction } from '../../../src/flow/types.js';
import { createDnsTcpAnalyzer } from '../../../src/protocols/dns/index.js';
import { a, collector, framed, makeFlow, ofType, query, response } from './helpers.js';

function setup() {
  const { ctx, events, counter } = collector(makeFlow('tcp'));
  const dns = createDnsTcpAnalyzer(ctx);
  const offsets = [0, 0];
  const send = (dir: Direction, data: Uint8Array, frame: number, ts = frame) => {
    dns.data(dir, { data, offset: offsets[dir]!, frame, ts });
    offsets[dir]! += data.length;
  };
  return { dns, events, counter, send };
}

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url));

describe('DNS over TCP', () => {
  it('decodes real dig +tcp traffic', () => {
    const { dns, events, send } = setup();
    send(0, fixture('dig-tcp-client'), 4);
    send(1, fixture('dig-tcp-server'), 6);
    dns.end(7, 7);
    expect(ofType(events, 'dns-query')[0]).toMatchObject({ transport: 'tcp', packet: 4, questions: [{ name: 'proxy.golang.org', type: 'A', class: 'IN' }] });
    expect(ofType(events, 'dns-response')[0]).toMatchObject({ transport: 'tcp', packet: 6, queryPacket: 4, addresses: ['127.0.0.10'] });
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
  });

  it('parses two messages carried in one chunk', () => {
    const { dns, events, send } = setup();
    send(0, framed(query(1, 'a.example'), query(2, 'b.example', 'AAAA')), 1);
    send(1, framed(response(2, 'b.example', [], {}, 'AAAA'), response(1, 'a.example', [a('a.example', '192.0.2.1')])), 2);
    dns.end(3, 3);
    expect(ofType(events, 'dns-query').map((q) => [q.id, q.packet])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(ofType(events, 'dns-response').map((r) => [r.id, r.queryPacket])).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  it('reassembles one message split over three chunks, reporting the frame of its last byte', () => {
    const msg = framed(response(7, 'split.example', [a('split.example', '192.0.2.7')]));
    // Cuts inside the length prefix and inside the body.
    for (const [c1, c2] of [
      [1, 20],
      [2, 3],
      [10, msg.length - 1],
    ] as const) {
      const { dns, events, send } = setup();
      send(1, msg.subarray(0, c1), 10);
      send(1, msg.subarray(c1, c2), 11);
      expect(events).toEqual([]);
      send(1, msg.subarray(c2), 12, 12.5);
      dns.end(13, 13);
      const responses = ofType(events, 'dns-response');
      expect(responses).toHaveLength(1);
      expect(responses[0]).toMatchObject({ packet: 12, ts: 12.5, addresses: ['192.0.2.7'] });
    }
  });

  it('handles a message completed mid-chunk followed by whole and partial messages', () => {
    const { dns, events, send } = setup();
    const stream = framed(query(1, 'a.example'), query(2, 'b.example'), query(3, 'c.example'), query(4, 'd.example'));
    const cuts = [5, 70, 71, stream.length];
    let prev = 0;
    cuts.forEach((cut, i) => {
      send(0, stream.subarray(prev, cut), i + 1);
      prev = cut;
    });
    dns.end(9, 9);
    expect(ofType(events, 'dns-query').map((q) => q.id)).toEqual([1, 2, 3, 4]);
    expect(ofType(events, 'dns-unanswered').map((q) => q.id)).toEqual([1, 2, 3, 4]);
  });

  it('stops a direction at a gap and counts a message cut by it', () => {
    const { dns, events, counter, send } = setup();
    const msg = framed(query(1, 'a.example'));
    send(0, msg.subarray(0, 10), 1);
    dns.gap(0, 100, 2, 2);
    send(0, framed(query(2, 'b.example')), 3);
    send(1, framed(response(9, 'z.example', [])), 4);
    dns.end(5, 5);
    expect(ofType(events, 'dns-query')).toEqual([]);
    expect(ofType(events, 'dns-response')).toHaveLength(1);
    expect(counter.get('dns: tcp message cut by a gap')).toBe(1);
    expect(counter.get('dns: tcp gap (direction stopped)')).toBe(1);
  });

  it('counts a stream that ends inside a message, and malformed messages, without losing framing', () => {
    const { dns, events, counter, send } = setup();
    send(0, framed(Uint8Array.from([1, 2, 3]), query(5, 'e.example')), 1);
    send(0, framed(query(6, 'f.example')).subarray(0, 7), 2);
    dns.end(3, 3);
    expect(ofType(events, 'dns-query').map((q) => q.id)).toEqual([5]);
    expect(counter.get('dns: truncated header')).toBe(1);
    expect(counter.get('dns: tcp stream ended inside a message')).toBe(1);
  });
});
