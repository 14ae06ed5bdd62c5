import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDnsUdpAnalyzer } from '../../../src/protocols/dns/index.js';
import { a, bytes, CLIENT, collector, header, makeFlow, ofType, query, RESOLVER, response } from './helpers.js';

function setup(options: Parameters<typeof createDnsUdpAnalyzer>[1] = {}, flow = makeFlow('udp')) {
  const { ctx, events, counter } = collector(flow);
  const dns = createDnsUdpAnalyzer(ctx, options);
  return { dns, events, counter };
}

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url));

describe('DNS over UDP: queries and responses', () => {
  it('emits a query and the matching response with query frame, rtt, CNAME chain and addresses (real dig traffic)', () => {
    const { dns, events } = setup();
    dns.datagram(0, fixture('dig-cname-query'), 3, 1000.5);
    dns.datagram(1, fixture('dig-cname-response'), 4, 1000.5125);
    dns.end(1001, 5);
    const [q] = ofType(events, 'dns-query');
    expect(q).toMatchObject({ packet: 3, ts: 1000.5, flowId: 7, transport: 'udp', client: CLIENT, server: RESOLVER, questions: [{ name: 'goproxy.lab.test', type: 'A', class: 'IN' }] });
    expect(q?.edns?.options[0]?.name).toBe('COOKIE');
    const [r] = ofType(events, 'dns-response');
    expect(r).toMatchObject({ packet: 4, queryPacket: 3, rcode: 'NOERROR', client: CLIENT, server: RESOLVER, cnameChain: ['proxy.golang.org'], addresses: ['127.0.0.10'] });
    expect(r?.rtt).toBeCloseTo(0.0125, 6);
    expect(events.map((e) => e.type)).toEqual(['dns-query', 'dns-response']);
  });

  it('reports NXDOMAIN from real dig traffic', () => {
    const { dns, events } = setup();
    dns.datagram(0, fixture('dig-nxdomain-query'), 1, 1);
    dns.datagram(1, fixture('dig-nxdomain-response'), 2, 1.001);
    expect(ofType(events, 'dns-response')[0]).toMatchObject({ rcode: 'NXDOMAIN', queryPacket: 1, answers: [], addresses: [] });
  });

  it('matches interleaved ids and questions, in any response order', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(1, 'a.example'), 1, 10);
    dns.datagram(0, query(2, 'b.example'), 2, 10.1);
    dns.datagram(0, query(1, 'c.example'), 3, 10.2); // same id, other question
    dns.datagram(1, response(2, 'b.example', [a('b.example', '192.0.2.2')]), 4, 10.3);
    dns.datagram(1, response(1, 'c.example', [a('c.example', '192.0.2.3')]), 5, 10.4);
    dns.datagram(1, response(1, 'a.example', [a('a.example', '192.0.2.1')]), 6, 10.5);
    dns.end(11, 7);
    expect(ofType(events, 'dns-response').map((r) => [r.packet, r.queryPacket, r.addresses[0]])).toEqual([
      [4, 2, '192.0.2.2'],
      [5, 3, '192.0.2.3'],
      [6, 1, '192.0.2.1'],
    ]);
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
  });

  it('matches questions case-insensitively (0x20 randomisation)', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(9, 'PrOxY.golang.org'), 1, 1);
    dns.datagram(1, response(9, 'proxy.GOLANG.org', [a('proxy.golang.org', '192.0.2.9')]), 2, 1.1);
    expect(ofType(events, 'dns-response')[0]?.queryPacket).toBe(1);
  });

  it('uses the QR bit, not the flow direction, to decide who is client and server', () => {
    const { dns, events } = setup();
    // The flow table guessed roles the wrong way round: the query travels in direction 1.
    dns.datagram(1, query(5, 'x.example'), 1, 1);
    dns.datagram(0, response(5, 'x.example', [a('x.example', '192.0.2.5')]), 2, 1.2);
    const [q] = ofType(events, 'dns-query');
    const [r] = ofType(events, 'dns-response');
    expect(q?.client).toEqual(RESOLVER);
    expect(r).toMatchObject({ client: RESOLVER, server: CLIENT, queryPacket: 1 });
  });

  it('matches an error response that carries no question by id', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(77, 'x.example'), 1, 1);
    dns.datagram(1, bytes(header(77, [0, 0, 0, 0], 0x8181)), 2, 1.1);
    dns.end(2, 3);
    expect(ofType(events, 'dns-response')[0]).toMatchObject({ rcode: 'FORMERR', queryPacket: 1, questions: [] });
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
  });

  it('reports a response without a seen query, without queryPacket or rtt', () => {
    const { dns, events } = setup();
    dns.datagram(1, response(3, 'x.example', [a('x.example', '192.0.2.3')]), 1, 1);
    const [r] = ofType(events, 'dns-response');
    expect(r?.queryPacket).toBeUndefined();
    expect(r?.rtt).toBeUndefined();
  });
});

describe('DNS over UDP: unanswered queries', () => {
  it('reports pending queries at end(), with the query frame as evidence', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(1, 'a.example'), 1, 1);
    dns.datagram(0, query(2, 'b.example', 'AAAA'), 2, 2);
    dns.datagram(1, response(1, 'a.example', [a('a.example', '192.0.2.1')]), 3, 3);
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
    dns.end(9, 4);
    expect(ofType(events, 'dns-unanswered')).toEqual([
      { type: 'dns-unanswered', ts: 2, packet: 2, flowId: 7, transport: 'udp', client: CLIENT, server: RESOLVER, id: 2, questions: [{ name: 'b.example', type: 'AAAA', class: 'IN' }] },
    ]);
  });

  it('reports the oldest pending query when the table overflows', () => {
    const { dns, events, counter } = setup({ maxPending: 3 });
    for (let id = 1; id <= 5; id++) dns.datagram(0, query(id, `n${id}.example`), id, id);
    expect(ofType(events, 'dns-unanswered').map((u) => u.id)).toEqual([1, 2]);
    expect(counter.get('dns: pending query table full')).toBe(2);
    dns.end(10, 6);
    expect(ofType(events, 'dns-unanswered').map((u) => u.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('treats a retransmitted query (same id and question) as one transaction', () => {
    const { dns, events, counter } = setup();
    dns.datagram(0, query(4, 'x.example'), 1, 1);
    dns.datagram(0, query(4, 'x.example'), 2, 3);
    dns.datagram(1, response(4, 'x.example', [a('x.example', '192.0.2.4')]), 3, 3.5);
    dns.end(4, 4);
    expect(ofType(events, 'dns-query')).toHaveLength(2);
    expect(ofType(events, 'dns-response')[0]?.queryPacket).toBe(1);
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
    expect(counter.get('dns: repeated query (same id and question)')).toBe(1);
  });
});

describe('DNS over UDP: duplicate and conflicting responses', () => {
  it('does not call an identical retransmitted response a conflict (TTL and order ignored)', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(1, 'x.example'), 1, 1);
    dns.datagram(1, response(1, 'x.example', [a('x.example', '192.0.2.1', 300), a('x.example', '192.0.2.2', 300)]), 2, 1.1);
    dns.datagram(1, response(1, 'x.example', [a('x.example', '192.0.2.2', 299), a('x.example', '192.0.2.1', 299)]), 3, 1.2);
    expect(ofType(events, 'dns-response').map((r) => r.queryPacket)).toEqual([1, 1]);
    expect(ofType(events, 'dns-conflict')).toEqual([]);
  });

  it('emits one conflict per new distinct answer, listing every response seen so far', () => {
    const { dns, events } = setup();
    dns.datagram(0, query(1, 'proxy.golang.org'), 1, 1);
    // The injected answer wins the race; the real one arrives next; a retransmission of it; then a third story.
    dns.datagram(1, response(1, 'proxy.golang.org', [a('proxy.golang.org', '203.0.113.66', 5)]), 2, 1.01);
    dns.datagram(1, response(1, 'proxy.golang.org', [a('proxy.golang.org', '142.250.1.1', 300)]), 3, 1.03);
    dns.datagram(1, response(1, 'proxy.golang.org', [a('proxy.golang.org', '142.250.1.1', 300)]), 4, 1.04);
    expect(ofType(events, 'dns-conflict')).toEqual([
      {
        type: 'dns-conflict',
        ts: 1.03,
        packet: 3,
        flowId: 7,
        client: CLIENT,
        server: RESOLVER,
        id: 1,
        questions: [{ name: 'proxy.golang.org', type: 'A', class: 'IN' }],
        responses: [
          { packet: 2, ts: 1.01, rcode: 'NOERROR', addresses: ['203.0.113.66'], answers: ['proxy.golang.org A 203.0.113.66'], ttl: [5] },
          { packet: 3, ts: 1.03, rcode: 'NOERROR', addresses: ['142.250.1.1'], answers: ['proxy.golang.org A 142.250.1.1'], ttl: [300] },
        ],
      },
    ]);
    dns.datagram(1, response(1, 'proxy.golang.org', [], { rcode: 3 }), 5, 1.05);
    const conflicts = ofType(events, 'dns-conflict');
    expect(conflicts).toHaveLength(2);
    expect(conflicts[1]?.responses.map((r) => [r.packet, r.rcode])).toEqual([
      [2, 'NOERROR'],
      [3, 'NOERROR'],
      [4, 'NOERROR'],
      [5, 'NXDOMAIN'],
    ]);
  });

  it('forgets answered transactions after the window, and when ids are reused by a new query', () => {
    const { dns, events } = setup({ answeredWindowSec: 10 });
    dns.datagram(0, query(1, 'x.example'), 1, 1);
    dns.datagram(1, response(1, 'x.example', [a('x.example', '192.0.2.1')]), 2, 1.1);
    // A new query with the same id and question: a new transaction, not a conflict.
    dns.datagram(0, query(1, 'x.example'), 3, 5);
    dns.datagram(1, response(1, 'x.example', [a('x.example', '192.0.2.99')]), 4, 5.1);
    expect(ofType(events, 'dns-conflict')).toEqual([]);
    // Another answered transaction, 20 s later, pushes the old one out of the window.
    dns.datagram(0, query(2, 'y.example'), 5, 25);
    dns.datagram(1, response(2, 'y.example', [a('y.example', '192.0.2.2')]), 6, 25.1);
    dns.datagram(1, response(1, 'x.example', [a('x.example', '198.51.100.1')]), 7, 25.2);
    expect(ofType(events, 'dns-conflict')).toEqual([]);
    expect(ofType(events, 'dns-response').at(-1)?.queryPacket).toBeUndefined();
  });

  it('bounds answered transactions by count', () => {
    const { dns, events } = setup({ maxAnswered: 2 });
    for (let id = 1; id <= 3; id++) {
      dns.datagram(0, query(id, 'x.example'), id * 2 - 1, id);
      dns.datagram(1, response(id, 'x.example', [a('x.example', '192.0.2.1')]), id * 2, id + 0.1);
    }
    dns.datagram(1, response(1, 'x.example', [a('x.example', '203.0.113.1')]), 10, 4); // id 1 was evicted
    dns.datagram(1, response(3, 'x.example', [a('x.example', '203.0.113.3')]), 11, 4.1); // id 3 is still remembered
    expect(ofType(events, 'dns-conflict').map((c) => c.id)).toEqual([3]);
  });
});

describe('mDNS and LLMNR', () => {
  const group = { addr: '224.0.0.251', port: 5353 };
  const host = { addr: '192.168.1.20', port: 5353 };

  it('does not track multicast queries or flag varying mDNS announcements', () => {
    const { dns, events } = setup({}, makeFlow('udp', host, group));
    for (let i = 0; i < 20; i++) {
      dns.datagram(0, query(0, 'printer.local', 'PTR'), i * 2 + 1, i);
      dns.datagram(0, response(0, 'printer.local', [a('printer.local', `192.168.1.${i + 1}`, i)]), i * 2 + 2, i + 0.5);
    }
    dns.end(100, 41);
    expect(ofType(events, 'dns-query')).toHaveLength(20);
    expect(ofType(events, 'dns-response')).toHaveLength(20);
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
    expect(ofType(events, 'dns-conflict')).toEqual([]);
  });

  it('tracks legacy unicast mDNS queries (from another port) but not queries sent from port 5353', () => {
    const responder = { addr: '192.168.1.30', port: 5353 };
    const legacy = setup({}, makeFlow('udp', { addr: '192.168.1.20', port: 50000 }, responder));
    legacy.dns.datagram(0, query(0x1111, 'printer.local'), 1, 1);
    legacy.dns.end(5, 2);
    expect(ofType(legacy.events, 'dns-unanswered').map((u) => u.id)).toEqual([0x1111]);
    const peer = setup({}, makeFlow('udp', host, responder));
    peer.dns.datagram(0, query(0, 'printer.local'), 1, 1);
    peer.dns.end(5, 2);
    expect(ofType(peer.events, 'dns-unanswered')).toEqual([]);
  });

  it('does not track LLMNR multicast queries (answers come back unicast on another flow)', () => {
    const { dns, events } = setup({}, makeFlow('udp', { addr: '192.168.1.20', port: 51000 }, { addr: '224.0.0.252', port: 5355 }));
    dns.datagram(0, query(0x4242, 'fileserver'), 1, 1);
    dns.end(5, 2);
    expect(ofType(events, 'dns-unanswered')).toEqual([]);
  });
});

describe('malformed datagrams', () => {
  it('are counted by kind and emit nothing', () => {
    const { dns, events, counter } = setup();
    dns.datagram(0, bytes(1, 2, 3), 1, 1);
    dns.datagram(0, bytes(header(1, [1, 0, 0, 0], 0x0100), 0xc0, 12, 0, 1, 0, 1), 2, 2);
    dns.end(3, 3);
    expect(events).toEqual([]);
    expect(counter.toJSON()).toEqual({ 'dns: forward or looping compression pointer': 1, 'dns: truncated header': 1 });
  });
});
