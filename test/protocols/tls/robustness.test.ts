/**
 * Every byte is attacker-controlled: the analyzer and the pure parsers must never
 * throw, must stop on garbage with a reason, and must give the same events however
 * TCP cut the stream.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GotapEvent } from '../../../src/protocols/events.js';
import {
  looksLikeTls,
  parseCertificateList,
  parseCertificateStatus,
  parseClientHello,
  parseServerHello,
  parseSslv2ClientHello,
} from '../../../src/protocols/tls/index.js';
import { fixture, run, session, type Chunker, type Segment } from './helpers.js';

const SESSIONS = ['session-tls12-chain.bin', 'session-tls13.bin', 'session-tls12-unknown-ca.bin', 'session-go119-tls13.bin'];
const HELLOS = ['hello-go119.bin', 'hello-curl-tls13.bin', 'hello-openssl-tls12.bin', 'hello-openssl-default.bin'];

/** Each tls-error is well formed and at most one per direction. */
function checkErrors(events: GotapEvent[]): void {
  const errors = events.filter((e) => e.type === 'tls-error');
  for (const e of errors) expect(e.reason.length).toBeGreaterThan(0);
  expect(new Set(errors.map((e) => e.dir)).size).toBe(errors.length);
}

describe('truncation', () => {
  it.each(HELLOS)('%s cut at every offset: no throw, a hello only when complete', (name) => {
    const bytes = fixture(name);
    for (let n = 0; n <= bytes.length; n++) {
      const events = run([[0, bytes.subarray(0, n)]]);
      checkErrors(events);
      expect(events.filter((e) => e.type === 'tls-client-hello')).toHaveLength(n === bytes.length ? 1 : 0);
    }
  });

  it.each(SESSIONS)('%s with the server flight cut at every offset never throws', (name) => {
    const segments = session(name);
    const server = segments.findIndex(([dir]) => dir === 1);
    const flight = segments[server]![1];
    for (let n = 0; n <= flight.length; n++) {
      const cut: Segment[] = [...segments.slice(0, server), [1, flight.subarray(0, n)]];
      checkErrors(run(cut));
    }
  });

  it.each(HELLOS)('pure parsers take every prefix of %s without throwing', (name) => {
    const body = fixture(name).subarray(9);
    for (let n = 0; n < body.length; n++) {
      const prefix = body.subarray(0, n);
      // The only prefix that parses is the one ending right before the (optional) extension block.
      const parsed = parseClientHello(prefix);
      if (parsed.ok) expect(parsed.value.extensions).toEqual([]);
      parseServerHello(prefix);
      parseSslv2ClientHello(prefix);
      parseCertificateList(prefix);
      parseCertificateStatus(prefix);
    }
  });
});

describe('random input', () => {
  const chunker = (sizes: number[]): Chunker => (n) => {
    const out: number[] = [];
    let total = 0;
    for (let i = 0; total < n; i++) {
      const s = sizes[i % sizes.length]!;
      out.push(s);
      total += s;
    }
    return out;
  };

  it('random byte streams in both directions never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<0 | 1>(0, 1), fc.uint8Array({ maxLength: 300 })), { maxLength: 8 }), (segments) => {
        checkErrors(run(segments));
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes behind a valid record header never throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 24 }), fc.uint8Array({ minLength: 1, maxLength: 600 }), (type, body) => {
        const rec = new Uint8Array([type, 3, 3, body.length >> 8, body.length & 0xff, ...body]);
        checkErrors(run([[0, rec], [1, rec]]));
        parseClientHello(body);
        parseServerHello(body);
        parseSslv2ClientHello(body);
        parseCertificateList(body);
        parseCertificateStatus(body);
      }),
      { numRuns: 500 },
    );
  });

  it('real sessions with random byte mutations never throw', () => {
    const sessions = SESSIONS.map(session);
    fc.assert(
      fc.property(
        fc.nat(sessions.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          const segments = sessions[which]!.map(([d, b]): Segment => [d, b.slice()]);
          for (const [seg, pos, value] of edits) {
            const target = segments[seg % segments.length]![1];
            if (target.length > 0) target[pos % target.length] = value;
          }
          checkErrors(run(segments));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('real sessions give the same events under random chunking', () => {
    const sessions = SESSIONS.map(session);
    const expected = sessions.map((s) => run(s));
    fc.assert(
      fc.property(fc.nat(sessions.length - 1), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (which, sizes) => {
        expect(run(sessions[which]!, chunker(sizes))).toEqual(expected[which]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('looksLikeTls', () => {
  it.each(HELLOS)('%s: undefined on short prefixes, true from 5 bytes', (name) => {
    const b = fixture(name);
    expect(looksLikeTls(b.subarray(0, 0))).toBeUndefined();
    for (let n = 1; n < 5; n++) expect(looksLikeTls(b.subarray(0, n))).toBeUndefined();
    expect(looksLikeTls(b.subarray(0, 5))).toBe(true);
    expect(looksLikeTls(b)).toBe(true);
  });

  it.each([
    ['HTTP request', 'GET / HTTP/1.1\r\n', false],
    ['SSH banner', 'SSH-2.0-OpenSSH_9.2\r\n', false],
    ['handshake with version 2.0', '\x16\x02\x00\x00\x10', false],
    ['handshake with version 3.5', '\x16\x03\x05\x00\x10', false],
    ['zero-length handshake record', '\x16\x03\x01\x00\x00', false],
    ['oversized handshake record', '\x16\x03\x01\x48\x01', false],
    ['application data first', '\x17\x03\x03\x00\x10', false],
    ['SSLv2 ClientHello, version 3.1', '\x80\x2e\x01\x03\x01', true],
    ['SSLv2 ClientHello, version 2.0', '\x80\x2e\x01\x00\x02', false],
    ['SSLv2 header, not a ClientHello', '\x80\x2e\x04\x03\x01', false],
    ['SSLv2 prefix', '\x80\x2e\x01', undefined],
  ])('%s → %s', (_name, s, expected) => {
    expect(looksLikeTls(new Uint8Array(Buffer.from(s, 'latin1')))).toBe(expected);
  });
});
