/**
 * The TLS analyzer on real exchanges recorded through a relay between OpenSSL
 * clients and servers (fixtures/record-fixtures.mjs: a 3-certificate chain over TLS
 * 1.2, the same over TLS 1.3, and a client rejecting an untrusted chain), and on
 * built flights for the cases real tools do not produce on demand.
 */
import { testContext } from '../context.js';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GotapEvent, TlsAlertEvent, TlsCertificatesEvent, TlsClientHelloEvent, TlsServerHelloEvent } from '../../../src/protocols/events.js';
import { createTlsAnalyzer, MAX_CERTIFICATES } from '../../../src/protocols/tls/index.js';
import {
  alpnExt,
  clientHelloBody,
  concat,
  ext,
  fixture,
  handshake,
  makeFlow,
  records,
  run,
  serverHelloBody,
  session,
  sniExt,
  u16,
  u24,
  u8,
  vec24,
  versionsExt,
  type Segment,
} from './helpers.js';

const ofType = <T extends GotapEvent['type']>(events: GotapEvent[], type: T): Extract<GotapEvent, { type: T }>[] =>
  events.filter((e): e is Extract<GotapEvent, { type: T }> => e.type === type);

const HRR_RANDOM = new Uint8Array(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));
const CCS = records(20, u8(1));
const hello = (sni = 'proxy.golang.org'): Uint8Array =>
  handshake(1, clientHelloBody({ ciphers: [0x1301, 0xc02f], extensions: [sniExt(sni), alpnExt('h2'), versionsExt(0x0304, 0x0303)] }));
const certificate = (...ders: Uint8Array[]): Uint8Array => handshake(11, vec24(concat(...ders.map(vec24))));
const fakeDer = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('real TLS 1.2 exchange with a 3-certificate chain', () => {
  const events = run(session('session-tls12-chain.bin'));

  it('reports hello, ServerHello, the chain in order, the OCSP staple and the encrypted close_notify alerts', () => {
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello', 'tls-certificates', 'tls-certificate-status', 'tls-alert', 'tls-alert']);
    const staple = ofType(events, 'tls-certificate-status')[0]!;
    expect(staple.statusType).toBe(1);
    // An OCSP response signed by the (ECDSA) intermediate, which it embeds: a few hundred bytes.
    expect(staple.bytes).toBeGreaterThan(400);
    expect(staple.bytes).toBeLessThan(1500);
    const sh = events[1] as TlsServerHelloEvent;
    expect(sh).toMatchObject({ version: 0x0303, legacyVersion: 0x0303, helloRetryRequest: false, packet: 2 });
    const chain = events[2] as TlsCertificatesEvent;
    expect(chain.dir).toBe(1);
    const subjects = chain.certs.map((der) => new X509Certificate(der).subject);
    expect(subjects).toEqual(['CN=proxy.golang.org', 'CN=gotap fixture intermediate', 'CN=gotap fixture root CA']);
    const alerts = ofType(events, 'tls-alert');
    expect(alerts.map((a) => [a.dir, a.encrypted])).toEqual([
      [0, true],
      [1, true],
    ]);
  });
});

describe('real TLS 1.3 exchange', () => {
  const events = run(session('session-tls13.bin'));

  it('never shows the (encrypted) certificate, but sizes the server flight', () => {
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello', 'tls-encrypted-handshake']);
    expect((events[1] as TlsServerHelloEvent).version).toBe(0x0304);
    const flight = ofType(events, 'tls-encrypted-handshake')[0]!;
    // The same three certificates as the TLS 1.2 session travel inside the flight.
    const chain = ofType(run(session('session-tls12-chain.bin')), 'tls-certificates')[0]!;
    const certBytes = chain.certs.reduce((n, c) => n + c.length, 0);
    expect(flight.approxBytes).toBeGreaterThan(certBytes);
    expect(flight.approxBytes).toBeLessThan(certBytes + 1024);
  });
});

describe('real Go 1.19 client (net/http, HTTP/2 enabled) against a TLS 1.3 server', () => {
  it('reports its SNI, ALPN and JA4, and the encrypted flight', () => {
    const events = run(session('session-go119-tls13.bin'));
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello', 'tls-encrypted-handshake']);
    expect(events[0]).toMatchObject({ sni: 'proxy.golang.org', alpn: ['h2', 'http/1.1'], ja4: 't13d1910h2_9dc949149365_97f8aa674fd9' });
    expect(events[1]).toMatchObject({ version: 0x0304, alpn: undefined });
  });
});

describe('real client rejecting an untrusted chain over TLS 1.2', () => {
  it('reports the plaintext fatal unknown_ca alert from the client', () => {
    const alerts = ofType(run(session('session-tls12-unknown-ca.bin')), 'tls-alert');
    expect(alerts).toEqual([
      expect.objectContaining({ dir: 0, encrypted: false, level: 2, description: 48, levelName: 'fatal', descriptionName: 'unknown_ca' }),
    ]);
  });
});

describe('record and handshake reassembly', () => {
  it('reassembles a ClientHello fragmented over several records and reports the first record version', () => {
    const body = hello();
    const events = run([[0, records(22, body, 50, 0x0301)]]);
    const ch = ofType(events, 'tls-client-hello');
    expect(ch).toHaveLength(1);
    expect(ch[0]).toMatchObject({ sni: 'proxy.golang.org', alpn: ['h2'], recordVersion: 0x0301, legacyVersion: 0x0303 });
  });

  it('parses several handshake messages in one record: ServerHello, Certificate, CertificateStatus, ServerHelloDone', () => {
    const flight = concat(
      handshake(2, serverHelloBody({ cipher: 0xc02f, extensions: [ext(0x0010, concat(u16(3), u8(2), u8(0x68, 0x32)))] })),
      certificate(fakeDer(300, 1), fakeDer(200, 2)),
      handshake(22, concat(u8(1), vec24(new Uint8Array(1500)))),
      handshake(14, new Uint8Array(0)),
    );
    const events = run([
      [0, records(22, hello())],
      [1, records(22, flight)],
    ]);
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello', 'tls-certificates', 'tls-certificate-status']);
    expect(events[1]).toMatchObject({ alpn: 'h2', cipher: 0xc02f, version: 0x0303 });
    expect((events[2] as TlsCertificatesEvent).certs.map((c) => c.length)).toEqual([300, 200]);
    expect(events[3]).toMatchObject({ statusType: 1, bytes: 1500, packet: 2 });
  });

  it('reports at most MAX_CERTIFICATES certificates of an absurd chain, copied out of the stream', () => {
    const flight = records(22, certificate(...Array.from({ length: MAX_CERTIFICATES + 8 }, (_, i) => fakeDer(10, i))));
    const events = run([
      [0, records(22, hello())],
      [1, flight],
    ]);
    const certs = ofType(events, 'tls-certificates')[0]!.certs;
    expect(certs).toHaveLength(MAX_CERTIFICATES);
    expect(certs[5]).toEqual(fakeDer(10, 5));
    flight.fill(0);
    expect(certs[5]).toEqual(fakeDer(10, 5));
  });

  it('reports ECH, ESNI and GREASE presence', () => {
    const body = handshake(
      1,
      clientHelloBody({ ciphers: [0x0a0a, 0x1301], extensions: [sniExt('public.example'), ext(0xfe0d, new Uint8Array(40)), ext(0xffce, new Uint8Array(10)), ext(0x3a3a, new Uint8Array(0))] }),
    );
    const ch = ofType(run([[0, records(22, body)]]), 'tls-client-hello')[0]!;
    expect(ch).toMatchObject({ ech: true, esni: true, grease: true, ciphers: [0x1301], extensions: [0x0000, 0xfe0d, 0xffce] });
  });

  it('reports client certificates as direction 0 (TLS 1.2)', () => {
    const events = run([
      [0, records(22, hello())],
      [1, records(22, handshake(2, serverHelloBody({ cipher: 0xc02f })))],
      [0, concat(records(22, certificate(fakeDer(100, 9))), CCS, records(22, fakeDer(40, 0xee)))],
    ]);
    const certs = ofType(events, 'tls-certificates');
    expect(certs).toEqual([expect.objectContaining({ dir: 0, packet: 3 })]);
    expect(ofType(events, 'tls-error')).toEqual([]);
  });

  it('does not parse handshake records after ChangeCipherSpec, and flags encrypted alerts', () => {
    const events = run([
      [0, records(22, hello())],
      [1, concat(records(22, handshake(2, serverHelloBody({ cipher: 0xc02f }))), CCS, records(22, fakeDer(40, 0x0b)))],
      [1, records(21, u8(0x7a, 0x13, 0x55, 0x01, 0x99))],
      [0, records(21, u8(2, 40))],
    ]);
    expect(ofType(events, 'tls-certificates')).toEqual([]);
    expect(ofType(events, 'tls-alert').map((a) => [a.dir, a.encrypted, a.descriptionName])).toEqual([
      [1, true, undefined],
      [0, false, 'handshake_failure'],
    ]);
  });

  it('follows a HelloRetryRequest: second ClientHello after compatibility ChangeCipherSpec is still parsed', () => {
    const hrr = handshake(2, serverHelloBody({ random: HRR_RANDOM, cipher: 0x1301, extensions: [ext(0x002b, u16(0x0304))] }));
    const sh = handshake(2, serverHelloBody({ cipher: 0x1301, extensions: [ext(0x002b, u16(0x0304))] }));
    const events = run([
      [0, records(22, hello())],
      [1, concat(records(22, hrr), CCS)],
      [0, concat(CCS, records(22, hello('retry.example')))],
      [1, concat(records(22, sh), CCS, records(23, new Uint8Array(2000)), records(23, new Uint8Array(300)))],
      [0, records(23, new Uint8Array(60))],
      [1, records(23, new Uint8Array(5000))],
    ]);
    const hellos = ofType(events, 'tls-client-hello');
    expect(hellos.map((h) => h.sni)).toEqual(['proxy.golang.org', 'retry.example']);
    expect(ofType(events, 'tls-server-hello').map((s) => s.helloRetryRequest)).toEqual([true, false]);
    expect(ofType(events, 'tls-encrypted-handshake')).toEqual([expect.objectContaining({ approxBytes: 2300, packet: 4 })]);
  });

  it('TLS 1.3 flight without a visible end (client direction lost) is not reported', () => {
    const events: GotapEvent[] = [];
    const a = createTlsAnalyzer(testContext(makeFlow(), (e) => events.push(e)));
    const sh = handshake(2, serverHelloBody({ cipher: 0x1301, extensions: [ext(0x002b, u16(0x0304))] }));
    a.data(0, { data: records(22, hello()), offset: 0, frame: 1, ts: 1 });
    a.data(1, { data: concat(records(22, sh), records(23, new Uint8Array(3000))), offset: 0, frame: 2, ts: 2 });
    a.gap(0, 500, 3, 3);
    a.data(1, { data: records(23, new Uint8Array(9000)), offset: 0, frame: 4, ts: 4 });
    a.end(5, 5);
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello', 'tls-error']);
  });

  it('TLS 1.3 flight is reported at the end when the client never sent a protected record', () => {
    const sh = handshake(2, serverHelloBody({ cipher: 0x1301, extensions: [ext(0x002b, u16(0x0304))] }));
    const events = run([
      [0, records(22, hello())],
      [1, concat(records(22, sh), records(23, new Uint8Array(3000)))],
      [1, records(23, new Uint8Array(200))],
    ]);
    expect(ofType(events, 'tls-encrypted-handshake')).toEqual([expect.objectContaining({ approxBytes: 3200, packet: 3 })]);
  });

  it('accepts an SSLv2-format ClientHello and keeps only the TLS cipher suites', () => {
    const specs = concat(u8(0x07, 0x00, 0xc0), u8(0x00, 0x00, 0x2f), u8(0x00, 0x00, 0x0a), u8(0x00, 0x0a, 0x0a));
    const challenge = new Uint8Array(16).fill(7);
    const body = concat(u8(1), u16(0x0301), u16(specs.length), u16(0), u16(challenge.length), specs, challenge);
    const record = concat(u8(0x80 | (body.length >> 8), body.length & 0xff), body);
    const events = run([[0, record]]);
    const ch = ofType(events, 'tls-client-hello')[0] as TlsClientHelloEvent;
    expect(ch).toMatchObject({ sslv2: true, recordVersion: 0x0002, legacyVersion: 0x0301, ciphers: [0x2f, 0x0a], grease: true, extensions: [] });
    expect(ch.ja3).toBe('769,47-10,,,');
    expect(ch.ja4.startsWith('t10i020000_')).toBe(true);
  });

  it('does not depend on chunk offsets starting at 0 (CONNECT tunnels)', () => {
    const segments = session('session-tls12-chain.bin');
    expect(run(segments, undefined, 123_456)).toEqual(run(segments));
  });

  it('skips large application data without events once encrypted', () => {
    const events = run([
      [0, records(22, hello())],
      [1, concat(records(22, handshake(2, serverHelloBody({ cipher: 0xc02f }))), CCS)],
      [0, CCS],
      [0, records(23, new Uint8Array(100_000), 16384)],
      [1, records(23, new Uint8Array(300_000), 16384)],
    ]);
    expect(events.map((e) => e.type)).toEqual(['tls-client-hello', 'tls-server-hello']);
  });
});

describe('stopping a direction', () => {
  const base: Segment[] = [[0, records(22, hello())]];

  it('a gap stops that direction with one tls-error, the other continues', () => {
    const events: GotapEvent[] = [];
    const a = createTlsAnalyzer(testContext(makeFlow(), (e) => events.push(e)));
    a.data(0, { data: base[0]![1].subarray(0, 20), offset: 0, frame: 1, ts: 1 });
    a.gap(0, 100, 2, 2);
    a.gap(0, 100, 3, 3);
    a.data(0, { data: base[0]![1].subarray(120), offset: 120, frame: 4, ts: 4 });
    a.data(1, { data: records(21, u8(2, 70)), offset: 0, frame: 5, ts: 5 });
    expect(events.map((e) => [e.type, e.packet])).toEqual([
      ['tls-error', 2],
      ['tls-alert', 5],
    ]);
    expect(events[0]).toMatchObject({ dir: 0 });
    expect((events[1] as TlsAlertEvent).descriptionName).toBe('protocol_version');
  });

  it.each([
    ['non-TLS bytes', u8(0x47, 0x45, 0x54, 0x20, 0x2f, 0x20), /not a TLS record/],
    ['an oversized record', concat(u8(22, 3, 3), u16(18433)), /record too long/],
    ['an absurd handshake length', concat(records(22, concat(u8(1), u24(0xffffff)))), /handshake message too long/],
    ['a truncated ClientHello body', records(22, handshake(1, u8(3, 3, 0))), /truncated ClientHello/],
    ['a malformed Certificate', records(22, handshake(11, concat(u24(10), u24(20)))), /Certificate/],
  ])('%s → one tls-error and nothing after', (_name, bytes, reason) => {
    const events = run([
      [0, bytes],
      [0, records(22, hello())],
    ]);
    expect(events).toEqual([expect.objectContaining({ type: 'tls-error', dir: 0, reason: expect.stringMatching(reason) })]);
  });
});

describe('chunking invariance', () => {
  const flights: Record<string, Segment[]> = {
    'tls12-chain': session('session-tls12-chain.bin'),
    tls13: session('session-tls13.bin'),
    'unknown-ca': session('session-tls12-unknown-ca.bin'),
    'go119-tls13': session('session-go119-tls13.bin'),
    go119: [[0, fixture('hello-go119.bin')]],
  };

  it.each(Object.keys(flights))('%s: byte by byte and in 1..N-byte chunks give the same events', (name) => {
    const segments = flights[name]!;
    const expected = run(segments);
    expect(expected.length).toBeGreaterThan(0);
    expect(run(segments, (n) => Array.from({ length: n }, () => 1))).toEqual(expected);
    for (const size of [2, 3, 5, 7, 64, 1000]) {
      expect(run(segments, (n) => Array.from({ length: Math.ceil(n / size) }, () => size))).toEqual(expected);
    }
  });
});
