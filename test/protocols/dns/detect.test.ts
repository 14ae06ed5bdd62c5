import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDnsPort, looksLikeDnsMessage, looksLikeDnsOverTcp } from '../../../src/protocols/dns/index.js';
import { a, bytes, framed, header, opt, query, response, u16be, wireName } from './helpers.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url));

describe('isDnsPort', () => {
  it('knows DNS, mDNS and LLMNR', () => {
    expect([53, 5353, 5355, 853, 443, 0].map(isDnsPort)).toEqual([true, true, true, false, false, false]);
  });
});

describe('looksLikeDnsMessage', () => {
  it('accepts real and encoded queries and responses', () => {
    for (const f of ['dig-a-query', 'dig-a-response', 'dig-cname-response', 'dig-nxdomain-response']) expect(looksLikeDnsMessage(fixture(f)), f).toBe(true);
    expect(looksLikeDnsMessage(query(1, '_http._tcp.Go-Proxy.example', 'SRV'))).toBe(true);
    expect(looksLikeDnsMessage(response(1, 'x.example', [a('x.example', '192.0.2.1')]))).toBe(true);
  });

  it('rejects other protocols and odd-looking DNS', () => {
    const q = [...u16be(1), ...u16be(1)];
    const cases = {
      http: Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'),
      tlsHello: bytes(0x16, 0x03, 0x01, 0x00, 0x40, 0x01, new Array(60).fill(0)),
      zeros: new Uint8Array(64),
      trailingBytes: bytes(query(1, 'example.com'), 0),
      binaryLabel: bytes(header(1, [1, 0, 0, 0], 0x0100), 3, 0x01, 0x02, 0x03, 0, q),
      rootName: bytes(header(1, [1, 0, 0, 0], 0x0100), 0, q),
      unknownType: bytes(header(1, [1, 0, 0, 0], 0x0100), wireName('example.com'), u16be(4242), u16be(1)),
      unknownClass: bytes(header(1, [1, 0, 0, 0], 0x0100), wireName('example.com'), u16be(1), u16be(77)),
      zBitSet: bytes(header(1, [1, 0, 0, 0], 0x0140), wireName('example.com'), q),
      obsoleteOpcode: bytes(header(1, [1, 0, 0, 0], 0x0900), wireName('example.com'), q),
      queryWithRcode: bytes(header(1, [1, 0, 0, 0], 0x0103), wireName('example.com'), q),
      noQuestion: bytes(header(1, [0, 0, 0, 0], 0x8180), 0, 0, 0, 0, 0),
    };
    for (const [what, b] of Object.entries(cases)) expect(looksLikeDnsMessage(b), what).toBe(false);
  });

  it('rejects almost all random payloads', () => {
    let hits = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (b) => {
        if (looksLikeDnsMessage(b)) hits++;
      }),
      { numRuns: 3000, seed: 53 },
    );
    expect(hits).toBe(0);
  });
});

describe('looksLikeDnsOverTcp', () => {
  const withEdns = query(1, 'proxy.golang.org', 'A', { additionals: [opt()] });
  const stream = framed(withEdns, query(2, 'sum.golang.org'));

  it('needs more bytes for a short prefix, then decides', () => {
    expect(looksLikeDnsOverTcp(stream.subarray(0, 1))).toBeUndefined();
    expect(looksLikeDnsOverTcp(stream.subarray(0, 13))).toBeUndefined();
    expect(looksLikeDnsOverTcp(stream.subarray(0, 20))).toBeUndefined(); // inside the question name
    expect(looksLikeDnsOverTcp(stream.subarray(0, 35))).toBeUndefined(); // inside the question class
    expect(looksLikeDnsOverTcp(stream.subarray(0, 36))).toBe(true); // the first question is complete, the OPT is not
    expect(looksLikeDnsOverTcp(stream)).toBe(true);
    expect(looksLikeDnsOverTcp(fixture('dig-tcp-client'))).toBe(true);
    expect(looksLikeDnsOverTcp(fixture('dig-tcp-server'))).toBe(true);
  });

  it('rejects TLS, HTTP and SSH stream starts', () => {
    expect(looksLikeDnsOverTcp(bytes(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, new Array(40).fill(7)))).toBe(false);
    expect(looksLikeDnsOverTcp(Buffer.from('GET /proxy.golang.org/@v/list HTTP/1.1\r\n'))).toBe(false);
    expect(looksLikeDnsOverTcp(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'))).toBe(false);
    expect(looksLikeDnsOverTcp(bytes(0, 5, 1, 2, 3, 4, 5))).toBe(false);
  });
});
