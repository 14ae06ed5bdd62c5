/**
 * JA3 / JA4 checked against an independent implementation — the npm package
 * read-tls-client-hello (2.0.0, Apache-2.0, computes JA3 and JA4 from a ClientHello
 * record) — on hellos built here and on real hellos recorded from OpenSSL, curl and
 * Go 1.19 (fixtures/record-fixtures.mjs), plus the worked examples of the FoxIO JA4
 * specification (technical_details/JA4.md) for the rules that package does not
 * implement (highest supported version, 99 cap, ALPN hex rule).
 */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { calculateJa3, calculateJa4, readTlsClientHello } from 'read-tls-client-hello';
import { describe, expect, it } from 'vitest';
import { isGrease, ja3, ja3s, ja4, parseClientHello, parseServerHello, type ClientHello } from '../../../src/protocols/tls/index.js';
import {
  alpnExt,
  clientHelloBody,
  ext,
  fixture,
  groupsExt,
  handshake,
  keyShareExt,
  pointFormatsExt,
  records,
  serverHelloBody,
  sigAlgsExt,
  sniExt,
  u16,
  versionsExt,
} from './helpers.js';

async function reference(record: Uint8Array): Promise<{ ja3: string; ja4: string }> {
  const s = new PassThrough();
  s.end(Buffer.from(record));
  const hello = await readTlsClientHello(s);
  return { ja3: calculateJa3(hello), ja4: calculateJa4(hello) };
}

/** The ClientHello of a single-record first flight. */
function helloOf(record: Uint8Array): ClientHello {
  const parsed = parseClientHello(record.subarray(9));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const REAL = ['hello-go119.bin', 'hello-curl-tls13.bin', 'hello-openssl-tls12.bin', 'hello-openssl-default.bin'];

const BUILT: Record<string, Uint8Array> = {
  'chrome-like with GREASE': clientHelloBody({
    ciphers: [0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x00ff],
    extensions: [
      ext(0xdada, new Uint8Array(0)),
      sniExt('proxy.golang.org'),
      ext(0x0017, new Uint8Array(0)),
      groupsExt(0x4a4a, 0x001d, 0x0017, 0x0018),
      pointFormatsExt(0),
      sigAlgsExt(0x0403, 0x0804, 0x0401),
      alpnExt('h2', 'http/1.1'),
      versionsExt(0x7a7a, 0x0304, 0x0303),
      keyShareExt(0x2a2a, 0x001d),
      ext(0xfe0d, new Uint8Array(8)),
      ext(0x1a1a, new Uint8Array(1)),
    ],
  }),
  'TLS 1.2, no SNI, no ALPN': clientHelloBody({ ciphers: [0xc02f, 0x009c, 0x002f], extensions: [groupsExt(0x0017), pointFormatsExt(0, 1), sigAlgsExt(0x0401)] }),
  'http/1.1 only, no signature algorithms': clientHelloBody({ ciphers: [0x1301], extensions: [sniExt('sum.golang.org'), alpnExt('http/1.1'), versionsExt(0x0304)] }),
};

describe('JA3/JA4 against read-tls-client-hello', () => {
  it.each(REAL)('real hello %s', async (name) => {
    const record = fixture(name);
    const ref = await reference(record);
    const h = helloOf(record);
    expect(ja3(h).hash).toBe(ref.ja3);
    expect(ja4(h).ja4).toBe(ref.ja4);
  });

  it.each(Object.keys(BUILT))('built hello: %s', async (name) => {
    const record = records(22, handshake(1, BUILT[name]!));
    const ref = await reference(record);
    const h = helloOf(record);
    expect(ja3(h).hash).toBe(ref.ja3);
    expect(ja4(h).ja4).toBe(ref.ja4);
  });
});

it('empty extension list: same JA3 and JA4 a/b parts; JA4 c is 000000000000 per the spec where the package hashes ""', async () => {
  const record = records(22, handshake(1, clientHelloBody({ version: 0x0301, ciphers: [0x002f, 0x0035, 0x000a], extensions: [] })));
  const ref = await reference(record);
  const h = helloOf(record);
  expect(ja3(h).hash).toBe(ref.ja3);
  expect(ref.ja4.endsWith('_e3b0c44298fc')).toBe(true);
  expect(ja4(h).ja4).toBe(ref.ja4.replace(/_e3b0c44298fc$/, '_000000000000'));
});

describe('real hellos decode as the clients sent them', () => {
  it('Go 1.19 (the go command\'s TLS stack)', () => {
    const h = helloOf(fixture('hello-go119.bin'));
    expect(h.sni).toBe('proxy.golang.org');
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.supportedVersions).toEqual([0x0304, 0x0303]);
    expect(h.keyShareGroups).toEqual([0x001d]);
    expect(h.grease).toBe(false);
    expect(ja4(h).ja4.startsWith('t13d1910h2_')).toBe(true);
  });

  it('OpenSSL forced to TLS 1.2 has no supported_versions and JA4 says 12', () => {
    const h = helloOf(fixture('hello-openssl-tls12.bin'));
    expect(h.supportedVersions).toEqual([]);
    expect(h.legacyVersion).toBe(0x0303);
    expect(ja4(h).ja4.startsWith('t12d')).toBe(true);
  });
});

describe('JA4 specification examples (FoxIO JA4.md)', () => {
  const specCiphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
  const specExtensions = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
  const specSigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
  const hello = (sigs: number[]): ClientHello => ({
    legacyVersion: 0x0303,
    sslv2: false,
    sessionIdLength: 32,
    ciphers: specCiphers,
    extensions: specExtensions,
    sni: 'example.com',
    alpn: ['h2'],
    supportedVersions: [0x0304, 0x0303],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: sigs,
    keyShareGroups: [],
    ech: false,
    esni: false,
    grease: false,
  });

  it('gives the documented fingerprint and raw form', () => {
    const fp = ja4(hello(specSigs));
    expect(fp.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(fp.raw).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
  });

  it('ends the extension string without an underscore when there are no signature algorithms', () => {
    expect(ja4(hello([])).ja4.endsWith('_6d807ffa2a79')).toBe(true);
  });

  it.each([
    [[0xab], 'ab'],
    [[0xab, 0xcd], 'ad'],
    [[0x30, 0xab], '3b'],
    [[0x30, 0x31, 0xab, 0xcd], '3d'],
    [[0x30, 0xab, 0xcd, 0x31], '01'],
    [[0x68], 'hh'],
    [[], '00'],
  ])('ALPN bytes %j → %s', (bytes, expected) => {
    const h = { ...hello(specSigs), alpn: [Buffer.from(bytes).toString('latin1')] };
    expect(ja4(h).ja4.slice(8, 10)).toBe(expected);
  });

  it('takes the highest supported version, maps old versions, and caps counts at 99', () => {
    const base = hello(specSigs);
    expect(ja4({ ...base, supportedVersions: [0x0302, 0x0303] }).ja4.slice(0, 3)).toBe('t12');
    expect(ja4({ ...base, supportedVersions: [], legacyVersion: 0x0300 }).ja4.slice(0, 3)).toBe('ts3');
    expect(ja4({ ...base, supportedVersions: [], legacyVersion: 0x0002 }).ja4.slice(0, 3)).toBe('ts2');
    expect(ja4({ ...base, supportedVersions: [0x7f1c] }).ja4.slice(0, 3)).toBe('t00');
    const many = Array.from({ length: 150 }, (_, i) => i + 1);
    expect(ja4({ ...base, ciphers: many, extensions: many }).ja4.slice(4, 8)).toBe('9999');
    expect(ja4({ ...base, alpn: [], sni: undefined, extensions: [0x0010] }).ja4).toMatch(/^t13i1501/);
  });

  it('writes 000000000000 for empty cipher and extension lists', () => {
    const fp = ja4({ ...hello([]), ciphers: [], extensions: [0x0000], alpn: [] });
    expect(fp.ja4).toBe('t13d000100_000000000000_000000000000');
  });

  it('the cached JA3/JA4 parts equal a fresh computation, also after the bounded caches were emptied', () => {
    // The uncached computation, as the spec words it: sorted hex lists, SHA-256 truncated to 12.
    const sha12 = (s: string) => (s === '' ? '000000000000' : createHash('sha256').update(s).digest('hex').slice(0, 12));
    const hex = (v: number) => v.toString(16).padStart(4, '0');
    const fresh = (h: ClientHello) => {
      const b = h.ciphers.map(hex).sort().join(',');
      const exts = h.extensions.filter((e) => e !== 0x0000 && e !== 0x0010).map(hex).sort().join(',');
      const sigs = h.signatureAlgorithms.map(hex).join(',');
      const c = sigs === '' ? exts : `${exts}_${sigs}`;
      return { hashes: `${sha12(b)}_${exts === '' ? '000000000000' : sha12(c)}`, raw: `${b}_${c}` };
    };
    // Small value domains so lists repeat (cache hits) among many distinct ones (evictions).
    const list = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.record({ ciphers: list, extensions: list, sigs: list }), { minLength: 1100, maxLength: 1500 }), (hellos) => {
        for (const { ciphers, extensions, sigs } of hellos) {
          const h = { ...hello(sigs), ciphers, extensions };
          const want = fresh(h);
          const got = ja4(h);
          expect(got.ja4.slice(11)).toBe(want.hashes);
          expect(got.raw.slice(11)).toBe(want.raw);
          const text = `771,${ciphers.join('-')},${extensions.join('-')},,`;
          expect(ja3(h)).toEqual({ text, hash: createHash('md5').update(text).digest('hex') });
        }
      }),
      { numRuns: 5 },
    );
  });
});

describe('JA3 details', () => {
  it('uses legacy_version, removes GREASE and keeps extension order', () => {
    const parsed = parseClientHello(BUILT['chrome-like with GREASE']!);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.grease).toBe(true);
    expect(ja3(parsed.value).text).toBe('771,4865-4866-4867-49195-49199-255,0-23-10-11-13-16-43-51-65037,29-23-24,0');
  });

  it('a hello without an extension block (SSLv3/TLS 1.0 style) has empty extension fields', () => {
    const parsed = parseClientHello(clientHelloBody({ version: 0x0300, ciphers: [0x000a, 0x0005] }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(ja3(parsed.value).text).toBe('768,10-5,,,');
    expect(ja4(parsed.value).ja4).toMatch(/^ts3i020000_[0-9a-f]{12}_000000000000$/);
  });

  it('JA3S is version,cipher,extensions of the ServerHello', () => {
    const parsed = parseServerHello(serverHelloBody({ cipher: 0x1301, extensions: [ext(0x002b, u16(0x0304)), ext(0x0033, new Uint8Array(36))] }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const fp = ja3s(parsed.value);
    expect(fp.text).toBe('771,4865,43-51');
    expect(fp.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('GREASE is exactly the RFC 8701 values', () => {
    const grease = Array.from({ length: 0x10000 }, (_, v) => v).filter(isGrease);
    expect(grease).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
  });
});
