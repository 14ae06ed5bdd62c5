/**
 * The session against an independently written encryptor (seal.ts): every suite and
 * version round-trips, key changes happen exactly at the records that complete Finished
 * or KeyUpdate however the messages are split, and wrong keys or random bytes never
 * produce plaintext or an exception.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel, tls13NextTrafficSecret } from '../../../../src/protocols/tls/decrypt/key-schedule.js';
import {
  createTlsDecryptSession,
  supportedSuites,
  type CipherSuite,
  type DecryptResult,
  type TlsDecryptSession,
} from '../../../../src/protocols/tls/decrypt/index.js';
import { Tls12Sealer, Tls13Sealer, type SealedRecord } from './seal.js';

const HASH_LEN = { sha256: 32, sha384: 48 } as const;

/** (suite, version, encrypt-then-MAC) for every combination the table allows. */
const variants: { suite: CipherSuite; version: number; etm: boolean }[] = supportedSuites().flatMap((suite) => {
  const versions = [0x0301, 0x0302, 0x0303, 0x0304].filter((v) => v >= suite.minVersion && v <= suite.maxVersion);
  return versions.flatMap((version) => (suite.kind === 'cbc' ? [false, true] : [false]).map((etm) => ({ suite, version, etm })));
});

function open(s: TlsDecryptSession, dir: 0 | 1, r: SealedRecord): DecryptResult {
  return s.decrypt(dir, r.type, r.version, r.fragment);
}

interface Pair {
  session: TlsDecryptSession;
  seal: [(type: number, content: Uint8Array, padding?: number) => SealedRecord, (type: number, content: Uint8Array, padding?: number) => SealedRecord];
}

/** A session and a sender per direction; TLS 1.3 senders start on their application keys (handshake done). */
function pair(v: (typeof variants)[number], sessionSecretsFrom?: Uint8Array): Pair {
  const clientRandom = randomBytes(32);
  const serverRandom = randomBytes(32);
  const base = { version: v.version, cipher: v.suite.id, clientRandom, serverRandom, encryptThenMac: v.etm };
  if (v.suite.kind === 'tls13') {
    const n = HASH_LEN[v.suite.hash];
    const secrets = { c: randomBytes(n), s: randomBytes(n) };
    const other = sessionSecretsFrom ? { c: sessionSecretsFrom.subarray(0, n), s: sessionSecretsFrom.subarray(n, 2 * n) } : secrets;
    const session = createTlsDecryptSession({
      ...base,
      // Handshake secrets double as application secrets: a one-record handshake (a bare Finished) per side switches.
      secrets: { clientHandshakeTrafficSecret: other.c, serverHandshakeTrafficSecret: other.s, clientTrafficSecret0: other.c, serverTrafficSecret0: other.s },
    });
    const c = new Tls13Sealer(v.suite, secrets.c);
    const s = new Tls13Sealer(v.suite, secrets.s);
    const finished = Buffer.concat([Buffer.of(20, 0, 0, n), randomBytes(n)]);
    for (const [dir, sealer] of [[0, c], [1, s]] as const) {
      const r = open(session, dir, sealer.seal(22, finished));
      expect(r).toMatchObject(sessionSecretsFrom ? { ok: false, reason: 'auth-failed' } : { ok: true, keyChange: 'application' });
      sealer.rekey(dir === 0 ? secrets.c : secrets.s);
    }
    return { session, seal: [c.seal.bind(c), s.seal.bind(s)] };
  }
  const ms = randomBytes(48);
  const session = createTlsDecryptSession({ ...base, secrets: { masterSecret: sessionSecretsFrom?.subarray(0, 48) ?? ms } });
  const c = new Tls12Sealer(v.suite, v.version, ms, clientRandom, serverRandom, 0, v.etm);
  const s = new Tls12Sealer(v.suite, v.version, ms, clientRandom, serverRandom, 1, v.etm);
  return { session, seal: [c.seal.bind(c), s.seal.bind(s)] };
}

const name = (v: (typeof variants)[number]) => `${v.suite.name} 0x${v.version.toString(16)}${v.etm ? ' EtM' : ''}`;

describe.each(variants.map((v) => ({ ...v, label: name(v) })))('$label', (v) => {
  it('round-trips records of random sizes and padding, in both directions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0 as const, 1 as const), fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 15 })), { maxLength: 12 }),
        (records) => {
          const p = pair(v);
          for (const [dir, content, padding] of records) {
            const r = open(p.session, dir, p.seal[dir](23, content, padding));
            expect(r).toEqual({ ok: true, contentType: 23, plaintext: Buffer.from(content) });
          }
          expect([p.session.failed(0), p.session.failed(1)]).toEqual([false, false]);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('never yields plaintext under the wrong key, nor from a flipped bit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), (content, bit) => {
        const wrong = pair(v, randomBytes(96));
        const r = wrong.seal[1](23, content);
        expect(open(wrong.session, 1, r)).toEqual({ ok: false, reason: 'auth-failed' });
        expect(wrong.session.failed(1)).toBe(true);
        const right = pair(v);
        const t = right.seal[0](23, content);
        const i = bit % (t.fragment.length * 8);
        t.fragment[i >> 3]! ^= 1 << (i & 7);
        expect(open(right.session, 0, t).ok).toBe(false);
      }),
      { numRuns: 10 },
    );
  });
});

describe('TLS 1.3 key changes', () => {
  const suite = supportedSuites().find((s) => s.id === 0x1301)!;
  const tls13 = { suite, version: 0x0304, etm: false };
  const serverSession = (handshake: Uint8Array, application: Uint8Array) =>
    createTlsDecryptSession({
      version: 0x0304,
      cipher: 0x1301,
      clientRandom: randomBytes(32),
      serverRandom: randomBytes(32),
      encryptThenMac: false,
      secrets: { serverHandshakeTrafficSecret: handshake, serverTrafficSecret0: application },
    });

  it('switches to application keys at the record that completes Finished, however the flight is split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }), (cuts) => {
        const hs = { s: randomBytes(32) };
        const app = randomBytes(32);
        const session = serverSession(hs.s, app);
        // EncryptedExtensions, a 300-byte Certificate, Finished: split at arbitrary points.
        const flight = Buffer.concat([Buffer.of(8, 0, 0, 2, 0, 0), Buffer.of(11, 0, 1, 44), randomBytes(300), Buffer.of(20, 0, 0, 32), randomBytes(32)]);
        const sealer = new Tls13Sealer(suite, hs.s);
        let p = 0;
        const changes: (string | undefined)[] = [];
        for (const cut of [...cuts, flight.length]) {
          const end = Math.min(flight.length, p + cut);
          if (end === p) continue;
          const r = open(session, 1, sealer.seal(22, flight.subarray(p, end)));
          expect(r.ok).toBe(true);
          changes.push(r.ok ? r.keyChange : undefined);
          p = end;
        }
        expect(changes.slice(0, -1).every((c) => c === undefined)).toBe(true);
        expect(changes.at(-1)).toBe('application');
        sealer.rekey(app);
        expect(open(session, 1, sealer.seal(23, Buffer.from('after')))).toMatchObject({ ok: true, plaintext: Buffer.from('after') });
      }),
      { numRuns: 30 },
    );
  });

  it('follows KeyUpdates (RFC 8446 §7.2 "traffic upd"), also split across records', () => {
    const secret0 = randomBytes(32);
    const session = serverSession(secret0, secret0);
    const sealer = new Tls13Sealer(suite, secret0);
    expect(open(session, 1, sealer.seal(22, Buffer.concat([Buffer.of(20, 0, 0, 32), randomBytes(32)])))).toMatchObject({ keyChange: 'application' });
    sealer.rekey(secret0);
    let secret: Uint8Array = secret0;
    for (let gen = 1; gen <= 3; gen++) {
      // KeyUpdate(update_requested) in two records; the second completes it.
      expect(open(session, 1, sealer.seal(22, Buffer.of(24, 0, 0)))).toEqual({ ok: true, contentType: 22, plaintext: Buffer.of(24, 0, 0) });
      expect(open(session, 1, sealer.seal(22, Buffer.of(1, 1)))).toMatchObject({ ok: true, keyChange: 'key-update' });
      const next = tls13NextTrafficSecret(suite, secret);
      expect(next.equals(hkdfExpandLabel('sha256', secret, 'traffic upd', new Uint8Array(0), 32))).toBe(true);
      secret = next;
      sealer.rekey(secret);
      expect(open(session, 1, sealer.seal(23, Buffer.from(`gen ${gen}`)))).toMatchObject({ ok: true, plaintext: Buffer.from(`gen ${gen}`) });
    }
    expect(session.stats(1).keyUpdates).toBe(3);
  });

  it('strips zero padding and rejects an all-zero inner plaintext', () => {
    const p = pair(tls13);
    expect(open(p.session, 0, p.seal[0](21, Buffer.of(1, 0), 200))).toEqual({ ok: true, contentType: 21, plaintext: Buffer.of(1, 0) });
    const bare = p.seal[1](0, new Uint8Array(0), 5);
    expect(open(p.session, 1, bare)).toEqual({ ok: false, reason: 'malformed-plaintext' });
    expect(p.session.failed(1)).toBe(true);
  });
});

describe('TLS ≤ 1.2 specifics', () => {
  it('stops at a protected ChangeCipherSpec (renegotiation)', () => {
    const v = variants.find((x) => x.suite.id === 0xc02f)!;
    const p = pair(v);
    expect(open(p.session, 0, p.seal[0](20, Buffer.of(1)))).toEqual({ ok: true, contentType: 20, plaintext: Buffer.of(1) });
    expect(open(p.session, 0, p.seal[0](23, Buffer.of(1)))).toEqual({ ok: false, reason: 'renegotiated' });
    expect(open(p.session, 1, p.seal[1](23, Buffer.of(7)))).toMatchObject({ ok: true });
  });

  it('rejects a master secret that is not 48 bytes', () => {
    const s = createTlsDecryptSession({ version: 0x0303, cipher: 0xc02f, clientRandom: randomBytes(32), serverRandom: randomBytes(32), encryptThenMac: false, secrets: { masterSecret: randomBytes(47) } });
    expect(s.decrypt(0, 23, 0x0303, randomBytes(40))).toEqual({ ok: false, reason: 'bad-secret' });
  });
});

describe('unsupported connections are named, never guessed', () => {
  const base = { clientRandom: randomBytes(32), serverRandom: randomBytes(32), encryptThenMac: false, secrets: { masterSecret: randomBytes(48) } };
  it.each([
    [0x0303, 0x0005, 'unsupported suite TLS_RSA_WITH_RC4_128_SHA'],
    [0x0303, 0x000a, 'unsupported suite TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
    [0x0303, 0x0041, 'unsupported suite TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
    [0x0304, 0x1304, 'unsupported suite TLS_AES_128_CCM_SHA256'],
    [0x0303, 0xfefe, 'unsupported suite 0xfefe'],
    [0x0300, 0x002f, 'unsupported version 0x0300'],
    [0x0302, 0xc02f, 'suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is not defined for version 0x0302'],
    [0x0303, 0x1301, 'suite TLS_AES_128_GCM_SHA256 is not defined for version 0x0303'],
  ])('version 0x%s suite %s', (version, cipher, text) => {
    const s = createTlsDecryptSession({ ...base, version, cipher });
    expect(s.unsupported).toBe(text);
    expect(s.decrypt(0, 23, 0x0303, randomBytes(64))).toEqual({ ok: false, reason: 'unsupported' });
  });
});

describe('hostile input', () => {
  it('random parameters and records never throw and never authenticate', () => {
    const ids = [...supportedSuites().map((s) => s.id), 0x0005, 0x1304, 0];
    fc.assert(
      fc.property(
        fc.record({
          version: fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7f1c),
          cipher: fc.constantFrom(...ids),
          clientRandom: fc.uint8Array({ minLength: 0, maxLength: 40 }),
          serverRandom: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          encryptThenMac: fc.boolean(),
          clientOfferedEarlyData: fc.boolean(),
          secret: fc.uint8Array({ minLength: 0, maxLength: 64 }),
        }),
        fc.array(fc.tuple(fc.constantFrom(0 as const, 1 as const), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 2100 })), {
          maxLength: 20,
        }),
        (params, records) => {
          const sec = params.secret;
          const s = createTlsDecryptSession({
            ...params,
            secrets: { masterSecret: sec, clientHandshakeTrafficSecret: sec, serverHandshakeTrafficSecret: sec, clientTrafficSecret0: sec, serverTrafficSecret0: sec },
          });
          for (const [dir, type, version, fragment] of records) expect(s.decrypt(dir, type, version, fragment).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('spends time linear in the bytes offered (maximal records with random contents)', () => {
    for (const suite of supportedSuites()) {
      const version = suite.maxVersion;
      const s = createTlsDecryptSession({ version, cipher: suite.id, clientRandom: randomBytes(32), serverRandom: randomBytes(32), encryptThenMac: false, secrets: { masterSecret: randomBytes(48), serverHandshakeTrafficSecret: randomBytes(HASH_LEN[suite.hash]) } });
      const fragment = randomBytes(16 * 1024 + 2048);
      const start = process.hrtime.bigint();
      for (let i = 0; i < 100; i++) s.decrypt(1, 23, 0x0303, fragment);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      // 1.8 MB per suite; decrypting runs at hundreds of MB/s, so 2 s is a generous bound.
      expect(ms).toBeLessThan(2000);
      expect(s.stats(1).failed).toBe(100);
    }
  });
});
