import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedBy, parseCertificate, pemBlocks, type ParsedCert } from '../../src/x509/certificate.js';
import { readDerFields } from '../../src/x509/der-fields.js';
import { MAX_DEPTH } from '../../src/x509/path-search.js';
import { MAX_CHAIN, MAX_SIGNATURE_CHECKS, TrustStore, type ChainAssessment } from '../../src/x509/trust-store.js';
import { repoRoot } from '../corpus.js';
import { makePki, type TestPki } from '../detect/tls/pki.js';
import { ca, caCert, leafCert, type Ca } from './crafted-certs.js';

const codes = (a: { problems: { code: string }[] }): string[] => a.problems.map((p) => p.code).sort();
const at = Date.parse('2030-01-01T00:00:00Z') / 1000;
const pem = (der: Uint8Array): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;

/** CPU milliseconds `fn` takes (CPU, not wall time: the bound must hold on a loaded machine). */
function cpuMs<T>(fn: () => T): { value: T; ms: number } {
  const t0 = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(t0);
  return { value, ms: (d.user + d.system) / 1000 };
}

/** Assesses and returns the assessment with the CPU time it took. */
function timed(store: TrustStore, certs: Uint8Array[], ts = at, host = 'proxy.golang.org'): { a: ChainAssessment; ms: number } {
  const { value, ms } = cpuMs(() => store.assessChain(certs, ts, host));
  return { a: value, ms };
}

describe('hostile chains: path search is bounded', () => {
  let pki: TestPki;
  let store: TrustStore;
  let now: number;
  beforeAll(async () => {
    pki = makePki();
    now = Date.now() / 1000 + 2;
    store = await TrustStore.create();
    store.assessChain([pki.der.zscalerLeaf, pki.der.zscaler], now, 'proxy.golang.org'); // warm up
  });
  afterAll(() => pki.cleanup());

  it.each([8, 15, 64])('a leaf followed by %i copies of one untrusted self-signed CA is judged like one copy, fast', (n) => {
    const one = store.assessChain([pki.der.zscalerLeaf, pki.der.zscaler], now, 'proxy.golang.org');
    const { a, ms } = timed(store, [pki.der.zscalerLeaf, ...Array<Uint8Array>(n).fill(pki.der.zscaler)], now);
    expect(ms).toBeLessThan(100);
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['unknown-issuer']);
    expect(a.problems).toEqual(one.problems);
    expect(a.path).toEqual(one.path);
    expect(a.chain).toHaveLength(n + 1);
    expect(a.signatureChecks).toBeLessThanOrEqual(3);
  });

  it('re-issued copies of one CA (same name and key, other serials) are one CA on a path', () => {
    const root = ca('Looping Root');
    const copies = Array.from({ length: 40 }, (_, i) => caCert(root, root, { serial: i + 1 }));
    const { a, ms } = timed(store, [leafCert(root), ...copies]);
    expect(ms).toBeLessThan(100);
    expect(codes(a)).toEqual(['unknown-issuer']);
    expect(a.path).toHaveLength(2);
    expect(a.signatureChecks).toBeLessThanOrEqual(MAX_SIGNATURE_CHECKS);
  });

  it('many CAs with one name and different keys exhaust the budget: untrusted, path-search-limit', () => {
    const cas = Array.from({ length: 60 }, () => ca('Same Name CA'));
    const certs = [leafCert(cas[0]!), ...cas.map((c) => caCert(c))];
    const { a, ms } = timed(store, certs);
    expect(ms).toBeLessThan(200);
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['path-search-limit']);
    expect(a.problems[0]?.detail).toMatch(/gave up the path search after 100 signature checks/);
    expect(a.signatureChecks).toBe(MAX_SIGNATURE_CHECKS);
  });

  it('a mesh of cross-signed CAs without an anchor stays within the budget', () => {
    const cas = Array.from({ length: 8 }, (_, i) => ca(`Mesh CA ${i % 2}`));
    const certs = [leafCert(cas[0]!)];
    for (const s of cas) for (const i of cas) if (s !== i) certs.push(caCert(s, i));
    const { a, ms } = timed(store, certs);
    expect(ms).toBeLessThan(200);
    expect(a.verdict).toBe('untrusted');
    expect(a.signatureChecks).toBeLessThanOrEqual(MAX_SIGNATURE_CHECKS);
  });

  it('a real path behind junk is still found, and a chain longer than 16 is judged, not cut', async () => {
    const root = ca('Long Root');
    const user = await TrustStore.create({ extraPems: [pem(caCert(root))] });
    const inters: Ca[] = Array.from({ length: 6 }, (_, i) => ca(`Long Inter ${i}`));
    const certs: Uint8Array[] = [];
    inters.forEach((c, i) => certs.push(caCert(c, i === 0 ? root : inters[i - 1])));
    const junk = Array.from({ length: 30 }, (_, i) => caCert(ca(`Junk ${i}`)));
    const chain = [leafCert(inters[5]!), ...junk, ...certs.reverse()];
    expect(chain.length).toBeGreaterThan(16);
    const { a, ms } = timed(user, chain);
    expect(ms).toBeLessThan(200);
    expect(a.verdict).toBe('trusted-by-user-ca');
    expect(a.path).toHaveLength(8);
    expect(a.chain).toHaveLength(37);
  });

  it('more different certificates than MAX_CHAIN: read up to the cap, and the cap is a problem', () => {
    const junk = Array.from({ length: MAX_CHAIN + 5 }, (_, i) => caCert(ca(`Filler ${i}`)));
    const { a, ms } = timed(store, [pki.der.zscalerLeaf, pki.der.zscaler, ...junk], now);
    expect(ms).toBeLessThan(300);
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['path-search-limit', 'unknown-issuer']);
    expect(a.problems.find((p) => p.code === 'path-search-limit')?.detail).toMatch(/more than 64 different certificates \(7 more were not read\)/);
    expect(a.chain).toHaveLength(MAX_CHAIN);
  });
});

describe('forged issuers: a public CA named without its key', () => {
  const le = pemBlocks(readFileSync(join(repoRoot, 'test/detect/tls/fixtures/public-letsencrypt-chain.pem'), 'utf8'));
  const isrgName = (): Ca['name'] => [['C', 'US'], ['O', 'Internet Security Research Group'], ['CN', 'ISRG Root X1']];
  let store: TrustStore;
  let isrgKeyId: Buffer;
  beforeAll(async () => {
    store = await TrustStore.create();
    const isrg = rootCertificates.flatMap((p) => pemBlocks(p)).find((d) => readDerFields(d)?.subject.some((n) => n.value === 'ISRG Root X1'));
    isrgKeyId = Buffer.from(readDerFields(isrg!)!.subjectKeyId!, 'hex');
  });

  it('a sent self-signed CA carrying a public root\'s name is forged, not an unknown private root', () => {
    const fake: Ca = { ...ca('x'), name: isrgName() };
    const a = store.assessChain([leafCert(fake), caCert(fake)], at, 'proxy.golang.org');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['forged-issuer']);
    expect(a.problems[0]?.detail).toContain('carries the name of the trusted root "C=US, O=Internet Security Research Group, CN=ISRG Root X1" but not its key');
  });

  it('a sent CA with a public root\'s name issued by someone not sent is forged, not a missing intermediate', () => {
    const fake: Ca = { ...ca('x'), name: isrgName() };
    const a = store.assessChain([leafCert(fake), caCert(fake, ca('Evil CA'))], at, 'proxy.golang.org');
    expect(codes(a)).toEqual(['forged-issuer']);
    expect(a.verdict).toBe('untrusted');
  });

  it('a leaf claiming a public root by key identifier, under another issuer name, is forged', () => {
    const fakeR3 = ca('R3', "Let's Encrypt");
    const a = store.assessChain([leafCert(fakeR3, 'proxy.golang.org', { authorityKeyId: isrgKeyId })], at, 'proxy.golang.org');
    expect(codes(a)).toEqual(['forged-issuer']);
    expect(a.problems[0]?.detail).toContain('names by key identifier the trusted root "C=US, O=Internet Security Research Group, CN=ISRG Root X1"');
  });

  it('a real missing intermediate stays incomplete: its issuer is no root by name or key', () => {
    const a = store.assessChain([le[0]!], 1683775902, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('incomplete');
    expect(codes(a)).toEqual(['incomplete-chain']);
    const lab = store.assessChain([leafCert(ca('Some Intermediate', 'Google Trust Services'))], at, 'proxy.golang.org');
    expect(codes(lab)).toEqual(['incomplete-chain']);
  });

  it('the real cross-signed ISRG Root X1 (same name, same key) is no forgery', () => {
    const a = store.assessChain(le, 1683775902, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('trusted');
    // Without R3 the cross-sign is not on any path: still a missing intermediate.
    expect(codes(store.assessChain([le[0]!, le[2]!], 1683775902, 'tracker.mywaifu.best'))).toEqual(['incomplete-chain']);
  });

  it('namesPublicCa says which public CA an issuer claims: by key, by name, by organisation', () => {
    const r3 = parseCertificate(le[1]!)!;
    expect(store.namesPublicCa({ issuer: r3.issuer, issuerOrg: 'Internet Security Research Group', authorityKeyId: r3.fields.authorityKeyId })).toEqual({
      by: 'key',
      organisation: 'Internet Security Research Group',
      roots: ['C=US, O=Internet Security Research Group, CN=ISRG Root X1'],
    });
    expect(store.namesPublicCa({ issuer: 'c=us,  o=Internet Security Research Group, CN=ISRG Root X1 ', issuerOrg: undefined })).toMatchObject({
      by: 'name',
      roots: ['C=US, O=Internet Security Research Group, CN=ISRG Root X1'],
    });
    const gts = store.namesPublicCa({ issuer: 'C=US, O=Google Trust Services, CN=WR2', issuerOrg: 'Google Trust Services' });
    expect(gts).toMatchObject({ by: 'organisation', organisation: 'Google Trust Services LLC' });
    expect(gts?.roots).toEqual(expect.arrayContaining(['C=US, O=Google Trust Services LLC, CN=GTS Root R1', 'C=US, O=Google Trust Services LLC, CN=GTS Root R4']));
    expect(store.namesPublicCa({ issuer: 'C=US, O=Google Trust Services LLC, CN=GTS CA 1C3', issuerOrg: 'Google Trust Services LLC' })?.by).toBe('organisation');
    expect(store.namesPublicCa({ issuer: "C=US, O=Let's Encrypt, CN=R3", issuerOrg: "Let's Encrypt", authorityKeyId: '00' })).toBeUndefined();
    expect(store.namesPublicCa({ issuer: 'O=Zscaler Inc., CN=Zscaler Root CA', issuerOrg: 'Zscaler Inc.' })).toBeUndefined();
  });

  it('user CAs are never claimed as public CAs', async () => {
    const corp = ca('Corp Root', 'Corp Trust Services LLC');
    const user = await TrustStore.create({ extraPems: [pem(caCert(corp))] });
    expect(user.namesPublicCa({ issuer: 'O=Corp Trust Services LLC, CN=Corp Root', issuerOrg: 'Corp Trust Services LLC' })).toBeUndefined();
  });
});

describe('random issuer graphs (property)', () => {
  // A universe of CAs (some sharing a name), every cross-certificate between them, re-issued
  // copies, leaves and junk; one CA's self-signed certificate is the user's anchor.
  const names = ['Alpha', 'Beta', 'Gamma', 'Alpha', 'Delta', 'Beta', 'Alpha', 'Alpha', 'Beta', 'Delta'];
  const cas = names.map((n) => ca(n));
  const anchor = cas[0]!;
  const anchorDer = caCert(anchor);
  const cross: { der: Uint8Array; subject: number; issuer: number }[] = [];
  cas.forEach((s, i) =>
    cas.forEach((iss, j) => {
      cross.push({ der: caCert(s, iss), subject: i, issuer: j });
      if ((i + j) % 4 === 0) cross.push({ der: caCert(s, iss, { serial: 7 + i * 10 + j }), subject: i, issuer: j });
    }),
  );
  const leaves = cas.map((c) => leafCert(c));
  const junk = [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), new Uint8Array(300).fill(0x30)];
  let store: TrustStore;
  beforeAll(async () => {
    store = await TrustStore.create({ extraPems: [pem(anchorDer)] });
  });

  /**
   * Exhaustive reference: is there a path leaf → … → anchor through sent CAs, no entity
   * (subject, key, SAN) twice, every step `issuedBy`? Memoised on (certificate, entities on
   * the path), so it is exact and fast for ten entities.
   */
  function reachable(leaf: ParsedCert, pool: ParsedCert[], anchorCert: ParsedCert): boolean {
    const entityIds = new Map<string, number>();
    const entity = (c: ParsedCert): number => {
      const key = `${c.subject}|${c.spkiSha256}|${c.x509.subjectAltName}`;
      if (!entityIds.has(key)) entityIds.set(key, entityIds.size);
      return entityIds.get(key)!;
    };
    const memo = new Map<string, boolean>();
    const signs = new Map<string, boolean>();
    const issued = (c: ParsedCert, by: ParsedCert): boolean => {
      const key = `${c.fingerprint256}|${by.fingerprint256}`;
      if (!signs.has(key)) signs.set(key, issuedBy(c, by));
      return signs.get(key)!;
    };
    const walk = (cert: ParsedCert, onPath: number, length: number): boolean => {
      const key = `${cert.fingerprint256}|${onPath}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let ok = (cert.subject === anchorCert.subject && cert.spkiSha256 === anchorCert.spkiSha256) || issued(cert, anchorCert);
      if (!ok && length < MAX_DEPTH) {
        ok = pool.some((next) => next.ca && !(onPath & (1 << entity(next))) && issued(cert, next) && walk(next, onPath | (1 << entity(next)), length + 1));
      }
      memo.set(key, ok);
      return ok;
    };
    return walk(leaf, 1 << entity(leaf), 1);
  }

  it('never exceeds the signature-check budget, stays fast, and finds a path whenever one exists (unless the budget ran out)', () => {
    const anchorCert = parseCertificate(anchorDer)!;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: leaves.length - 1 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: cross.length - 1 }).map((i) => cross[i]!.der), fc.constantFrom(...junk)), { maxLength: 40, size: 'max' }),
        (leafIndex, rest) => {
          const certs = [leaves[leafIndex]!, ...rest];
          const { value: a, ms } = cpuMs(() => store.assessChain(certs, at, 'proxy.golang.org'));
          expect(a.signatureChecks).toBeLessThanOrEqual(MAX_SIGNATURE_CHECKS);
          expect(ms).toBeLessThan(250);
          const exhausted = a.problems.some((p) => p.code === 'path-search-limit');
          if (a.verdict === 'trusted-by-user-ca') expect(a.anchor?.fingerprint256).toBe(anchorCert.fingerprint256);
          const pool = [...new Map(rest.map((d) => [Buffer.from(d).toString('hex'), parseCertificate(d)])).values()].filter((c): c is ParsedCert => c !== undefined);
          if (exhausted) expect(a.verdict).toBe('untrusted');
          else expect(a.verdict === 'trusted-by-user-ca').toBe(reachable(parseCertificate(leaves[leafIndex]!)!, pool, anchorCert));
        },
      ),
      { numRuns: 120 },
    );
  });
});
