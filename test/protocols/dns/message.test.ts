import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseDnsMessage, type DnsMessage } from '../../../src/protocols/dns/index.js';
import { bytes, header, opt, query, rr, u16be, wireName } from './helpers.js';

function ok(b: Uint8Array): DnsMessage {
  const r = parseDnsMessage(b);
  if (!r.ok) throw new Error(`expected a valid message, got: ${r.error}`);
  return r.msg;
}

function error(b: Uint8Array): string {
  const r = parseDnsMessage(b);
  if (r.ok) throw new Error('expected the message to be rejected');
  return r.error;
}

/** A response with one question (example.com A) and the given answer records. */
function withAnswers(...records: number[][]): Uint8Array {
  return bytes(header(1, [1, records.length, 0, 0]), wireName('example.com'), u16be(1), u16be(1), ...records);
}

describe('parseDnsMessage: records', () => {
  const rich = dnsPacket.encode({
    type: 'response',
    id: 0x1234,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA | 3,
    questions: [{ name: 'Proxy.Golang.org', type: 'A' }],
    answers: [
      { type: 'CNAME', name: 'proxy.golang.org', ttl: 60, data: 'ghs.googlehosted.com' },
      { type: 'A', name: 'ghs.googlehosted.com', ttl: 30, data: '142.250.1.1' },
      { type: 'AAAA', name: 'ghs.googlehosted.com', ttl: 30, data: '2001:db8:0:0:1:0:0:1' },
      { type: 'MX', name: 'golang.org', ttl: 1, data: { preference: 10, exchange: 'mail.golang.org' } },
      { type: 'TXT', name: 'golang.org', ttl: 1, data: ['v=spf1 -all', 'say "hi"\\'] },
      { type: 'SRV', name: '_go._tcp.golang.org', ttl: 1, data: { priority: 1, weight: 2, port: 443, target: 'proxy.golang.org' } },
      { type: 'PTR', name: '1.1.250.142.in-addr.arpa', ttl: 1, data: 'ghs.googlehosted.com' },
      { type: 'CAA', name: 'golang.org', ttl: 1, data: { flags: 0, tag: 'issue', value: 'pki.goog' } },
    ],
    authorities: [
      { type: 'NS', name: 'golang.org', ttl: 100, data: 'ns1.google.com' },
      { type: 'SOA', name: 'golang.org', ttl: 100, data: { mname: 'ns1.google.com', rname: 'dns-admin.google.com', serial: 7, refresh: 900, retry: 900, expire: 1800, minimum: 60 } },
    ],
    additionals: [opt(1232, true, 3)],
  });

  it('decodes flags, rcode, questions and presentation-form data', () => {
    const m = ok(rich);
    expect(m.id).toBe(0x1234);
    expect(m.flags).toEqual({ qr: true, opcode: 'QUERY', aa: true, tc: false, rd: true, ra: false, ad: true, cd: false });
    expect(m.rcode).toBe('NXDOMAIN');
    expect(m.questions).toEqual([{ name: 'Proxy.Golang.org', type: 'A', class: 'IN' }]);
    expect(m.answers.map((r) => [r.type, r.ttl, r.data])).toEqual([
      ['CNAME', 60, 'ghs.googlehosted.com'],
      ['A', 30, '142.250.1.1'],
      ['AAAA', 30, '2001:db8::1:0:0:1'],
      ['MX', 1, '10 mail.golang.org'],
      ['TXT', 1, '"v=spf1 -all" "say \\"hi\\"\\\\"'],
      ['SRV', 1, '1 2 443 proxy.golang.org'],
      ['PTR', 1, 'ghs.googlehosted.com'],
      ['CAA', 1, '0 issue "pki.goog"'],
    ]);
    expect(m.authorities.map((r) => r.data)).toEqual(['ns1.google.com', 'ns1.google.com dns-admin.google.com 7 900 900 1800 60']);
    expect(m.additionals).toEqual([]);
    expect(m.edns).toEqual({ udpPayloadSize: 1232, extendedRcode: 0, version: 0, do: true, options: [{ code: 12, name: 'PADDING', hex: '000000' }] });
    expect(m.warnings).toEqual([]);
  });

  it('rejects every truncation of a valid message, including inside the final OPT record', () => {
    for (let len = 0; len < rich.length; len++) {
      expect(parseDnsMessage(rich.subarray(0, len)).ok, `prefix of ${len} bytes`).toBe(false);
    }
  });

  it('shows unknown types as TYPEnnn with RFC 3597 hex, and unknown classes as CLASSnnn', () => {
    const m = ok(withAnswers(rr(wireName('x.example'), 65534, [0xde, 0xad, 0xbe, 0xef], 5, 77), rr(wireName('y.example'), 65280, [])));
    expect(m.answers.map((r) => [r.type, r.class, r.data])).toEqual([
      ['TYPE65534', 'CLASS77', '\\# 4 deadbeef'],
      ['TYPE65280', 'IN', '\\# 0'],
    ]);
  });

  it('escapes dots, backslashes and binary bytes inside labels', () => {
    const name = [16, ...Buffer.from('proxy.golang.org'), 3, 0x61, 0x5c, 0x00, 0];
    const m = ok(bytes(header(1, [1, 0, 0, 0], 0x0100), name, u16be(1), u16be(1)));
    expect(m.questions[0]?.name).toBe('proxy\\.golang\\.org.a\\\\\\000');
  });

  it('decodes EDNS: extended rcode, version and named options', () => {
    const cookie = [0x00, 0x0a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8];
    const ecs = [0x00, 0x08, 0x00, 0x07, 0x00, 0x01, 24, 0, 192, 0, 2];
    const nsid = [0x00, 0x03, 0x00, 0x00];
    const opt = rr([0], 41, [...nsid, ...ecs, ...cookie], 0x01010000 /* ext rcode 1, version 1 */, 4096);
    const m = ok(bytes(header(9, [1, 0, 0, 1], 0x8180), wireName('example.com'), u16be(1), u16be(1), opt));
    expect(m.rcode).toBe('BADVERS');
    expect(m.edns).toEqual({
      udpPayloadSize: 4096,
      extendedRcode: 1,
      version: 1,
      do: false,
      options: [
        { code: 3, name: 'NSID', hex: '' },
        { code: 8, name: 'ECS', hex: '00011800c00002' },
        { code: 10, name: 'COOKIE', hex: '0102030405060708' },
      ],
    });
  });

  it('decodes real dig traffic captured from dnsmasq (fixtures)', async () => {
    const { readFile } = await import('node:fs/promises');
    const q = ok(await readFile(new URL('./fixtures/dig-cname-query.bin', import.meta.url)));
    expect(q.flags.qr).toBe(false);
    expect(q.edns?.options.map((o) => o.name)).toEqual(['COOKIE']);
    const r = ok(await readFile(new URL('./fixtures/dig-cname-response.bin', import.meta.url)));
    expect(r.id).toBe(q.id);
    expect(r.answers.map((x) => `${x.name} ${x.type} ${x.data}`)).toEqual(['goproxy.lab.test CNAME proxy.golang.org', 'proxy.golang.org A 127.0.0.10']);
  });
});

describe('parseDnsMessage: malformed input', () => {
  const q = [...u16be(1), ...u16be(1)];

  it('rejects a compression loop (pointer to itself)', () => {
    expect(error(bytes(header(1, [1, 0, 0, 0], 0x0100), 0xc0, 12, q))).toBe('forward or looping compression pointer');
  });

  it('rejects a pointer to a later offset', () => {
    expect(error(bytes(header(1, [1, 0, 0, 0], 0x0100), 0xc0, 20, q, 0, 0, 0, 0))).toBe('forward or looping compression pointer');
  });

  it('rejects a two-pointer cycle', () => {
    // Question name at 12 is a label then a pointer to 12: the pointer target is not before the segment start.
    expect(error(bytes(header(1, [1, 0, 0, 0], 0x0100), 1, 0x61, 0xc0, 12, q))).toBe('forward or looping compression pointer');
  });

  it('rejects label length bytes above 63 (0x40 and 0x80 prefixes)', () => {
    for (const len of [64, 0x80, 0xbf]) {
      expect(error(bytes(header(1, [1, 0, 0, 0], 0x0100), len, new Array(len & 0x3f).fill(0x61), 0, q))).toBe('label longer than 63 octets or extended label type');
    }
  });

  it('rejects names longer than 255 octets', () => {
    const long = Array.from({ length: 5 }, () => [63, ...new Array(63).fill(0x61)]).flat();
    expect(error(bytes(header(1, [1, 0, 0, 0], 0x0100), long, 0, q))).toBe('name longer than 255 octets');
  });

  it('bounds backward pointer chains (127 hops)', () => {
    // Answer 1 (an unknown type) carries a chain in its RDATA: a root label, then pointers,
    // each to the previous entry. Answer 2's owner name points at the end of the chain.
    const withChain = (links: number): Uint8Array => {
      const rdStart = 12 + 17 + 11; // header, question, owner "." and fixed fields of answer 1
      const rdata = [0];
      for (let i = 0; i < links; i++) rdata.push(...u16be(0xc000 | (rdStart + (i === 0 ? 0 : 1 + 2 * (i - 1)))));
      const last = rdStart + 1 + 2 * (links - 1);
      return withAnswers(rr([0], 65280, rdata), rr(u16be(0xc000 | last), 1, [1, 2, 3, 4]));
    };
    expect(ok(withChain(100)).answers[1]?.name).toBe('.');
    expect(error(withChain(200))).toBe('too many compression pointers');
  });

  it('rejects bogus counts before doing per-record work', () => {
    expect(error(bytes(header(1, [65535, 65535, 65535, 65535]), wireName('example.com'), q))).toBe('record counts exceed message size');
    expect(error(bytes(header(1, [2, 0, 0, 0], 0x0100), wireName('example.com'), q, 0, 0))).toBe('truncated');
  });

  it('rejects a huge OPT record that runs past the message', () => {
    const opt = [0, ...u16be(41), ...u16be(4096), 0, 0, 0, 0, ...u16be(65000), 0, 12, 0, 4];
    expect(error(bytes(header(1, [1, 0, 0, 1], 0x0100), wireName('example.com'), q, opt))).toBe('record data past end of message');
  });

  it('rejects an OPT whose option runs past its RDLENGTH, a misplaced OPT and a second OPT', () => {
    const badOption = rr([0], 41, [0, 12, 0, 9, 0, 0], 0, 4096);
    expect(error(bytes(header(1, [1, 0, 0, 1], 0x0100), wireName('example.com'), q, badOption))).toBe('EDNS option past end of OPT record');
    const opt = rr([0], 41, [], 0, 4096);
    expect(error(bytes(header(1, [1, 1, 0, 0]), wireName('example.com'), q, opt))).toBe('misplaced or repeated OPT record');
    expect(error(bytes(header(1, [1, 0, 0, 2], 0x0100), wireName('example.com'), q, opt, opt))).toBe('misplaced or repeated OPT record');
  });

  it('accepts a large but well-formed OPT (many options) in bounded time', () => {
    const options = Array.from({ length: 2000 }, (_, i) => [...u16be(65001 + (i % 10)), 0, 2, 0xab, 0xcd]).flat();
    const m = ok(bytes(header(1, [1, 0, 0, 1], 0x0100), wireName('example.com'), q, rr([0], 41, options, 0, 65535)));
    expect(m.edns?.options).toHaveLength(2000);
    expect(m.edns?.options[0]).toEqual({ code: 65001, name: 'OPTION65001', hex: 'abcd' });
  });

  it('rejects A/AAAA data of the wrong size and names that do not fill their RDATA', () => {
    expect(error(withAnswers(rr(wireName('a.example'), 1, [1, 2, 3, 4, 5])))).toBe('A record data is not 4 octets');
    expect(error(withAnswers(rr(wireName('a.example'), 28, [1, 2, 3, 4])))).toBe('AAAA record data is not 16 octets');
    expect(error(withAnswers(rr(wireName('a.example'), 5, [...wireName('b.example'), 0xff])))).toBe('record data length does not match its name');
    expect(error(withAnswers(rr(wireName('a.example'), 5, [3, 0x61, 0x62])))).toBe('truncated');
  });

  it('rejects what dns-packet rejects (guarded), with a bounded kind', () => {
    // TXT whose character-string length runs past RDLENGTH: the walk accepts the record, the library throws.
    expect(error(withAnswers(rr(wireName('a.example'), 16, [5, 0x61])))).toMatch(/^dns-packet: /);
  });

  it('counts trailing bytes as a warning and keeps the message', () => {
    const m = ok(bytes(query(5, 'example.com'), 0, 0, 0));
    expect(m.warnings).toEqual(['trailing bytes after message']);
    expect(m.length).toBe(query(5, 'example.com').length);
  });

  it('masks the mDNS QU / cache-flush bit only when asked', () => {
    const msg = bytes(header(0, [1, 1, 0, 0], 0x8400), wireName('printer.local'), u16be(1), u16be(0x8001), rr(wireName('printer.local'), 1, [192, 168, 1, 9], 120, 0x8001));
    const plain = ok(msg);
    expect(plain.questions[0]?.class).toBe('CLASS32769');
    const r = parseDnsMessage(msg, { mdns: true });
    expect(r.ok && r.msg.questions[0]?.class).toBe('IN');
    expect(r.ok && r.msg.answers[0]?.class).toBe('IN');
  });
});
