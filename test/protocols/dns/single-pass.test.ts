/**
 * parseDnsMessage decodes a message with dns-packet only when the walk cannot
 * format it alone. This checks the claim that makes skipping it safe: for every
 * message the parser accepts (seeds of the common types with compression, then
 * bytes overwritten, cut and appended), dns-packet would have decoded it too,
 * agreeing on where it ends, on the record counts and on the flags (the opcode's name is gotap's own, as before) — so the
 * two-pass parser accepted exactly the same messages with the same values.
 */
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDnsMessage } from '../../../src/protocols/dns/index.js';
import { a, query, response } from './helpers.js';

const soa = { mname: 'ns1.example.test', rname: 'host\\.master.example.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 };
const seeds = [
  // An EDNS COOKIE (option 10): an option dns-packet leaves raw, so the walk alone decodes it (the types allow only the codes it decodes).
  query(1, 'proxy.golang.org', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 10, data: Buffer.alloc(8) }] } as unknown as Answer] }),
  response(2, 'proxy.golang.org', [
    { type: 'CNAME', name: 'proxy.golang.org', ttl: 5, data: 'ghs.googlehosted.com' },
    a('ghs.googlehosted.com', '192.0.2.1'),
    { type: 'AAAA', name: 'ghs.googlehosted.com', ttl: 5, data: '2001:db8::1' },
    { type: 'MX', name: 'golang.org', ttl: 5, data: { preference: 1, exchange: 'mx.golang.org' } },
    { type: 'SRV', name: '_x._tcp.golang.org', ttl: 5, data: { priority: 1, weight: 2, port: 443, target: 'golang.org' } },
    { type: 'NS', name: 'golang.org', ttl: 5, data: 'ns1.golang.org' },
    { type: 'PTR', name: '1.2.0.192.in-addr.arpa', ttl: 5, data: 'golang.org' },
  ]),
  response(3, 'gone.example.test', [], { rcode: 3, authorities: [{ type: 'SOA', name: 'example.test', ttl: 60, data: soa }] }),
];

const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 4 }))
  .map(([seed, edits, cut, tail]) => {
    const b = Uint8Array.from(seed);
    for (const [pos, v] of edits) b[pos % b.length] = v;
    return Uint8Array.from([...b.subarray(0, b.length - (cut % 3)), ...tail]);
  });

describe('single-pass DNS parsing', () => {
  it('every message accepted is one dns-packet decodes with the same end, counts and flags', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutated, (bytes) => {
        const parsed = parseDnsMessage(bytes);
        if (!parsed.ok) return;
        accepted++;
        const { msg } = parsed;
        const lib = dnsPacket.decode(Buffer.from(bytes.subarray(0, msg.length)));
        expect(dnsPacket.decode.bytes).toBe(msg.length);
        expect([lib.questions?.length, lib.answers?.length, lib.authorities?.length]).toEqual([msg.questions.length, msg.answers.length, msg.authorities.length]);
        expect(msg.flags).toEqual({ qr: lib.flag_qr, opcode: msg.flags.opcode, aa: lib.flag_aa, tc: lib.flag_tc, rd: lib.flag_rd, ra: lib.flag_ra, ad: lib.flag_ad, cd: lib.flag_cd });
      }),
      { numRuns: 3000, seed: 7 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});
