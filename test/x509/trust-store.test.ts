import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pemBlocks } from '../../src/x509/certificate.js';
import { leafKeyIsIssuerKey } from '../../src/enrich/chain-fact.js';
import { CaFileError, TrustStore } from '../../src/x509/trust-store.js';
import { repoRoot } from '../corpus.js';
import { makePki, type TestPki } from '../detect/tls/pki.js';

const codes = (a: { problems: { code: string }[] }): string[] => a.problems.map((p) => p.code).sort();

describe('a real public chain, judged at its capture time', () => {
  // tracker.mywaifu.best as sent on 2023-05-11 (see the fixture's header): Let's Encrypt R3 → ISRG Root X1.
  const chain = pemBlocks(readFileSync(join(repoRoot, 'test/detect/tls/fixtures/public-letsencrypt-chain.pem'), 'utf8'));
  const captureTs = 1683775902;
  let store: TrustStore;
  beforeAll(async () => {
    store = await TrustStore.create();
  });

  it('verifies as trusted at the capture time', () => {
    const a = store.assessChain(chain, captureTs, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('trusted');
    expect(a.problems).toEqual([]);
    expect(a.anchor).toMatchObject({ subject: 'C=US, O=Internet Security Research Group, CN=ISRG Root X1', userSupplied: false });
    expect(a.leaf).toMatchObject({ subject: 'CN=tracker.mywaifu.best', issuerOrg: "Let's Encrypt", issuerCn: 'R3', keyType: 'rsa', keyBits: 2048 });
    expect(a.chainLength).toBe(3);
  });

  it('is expired now (capture-time validation, not wall-clock)', () => {
    const a = store.assessChain(chain, Date.now() / 1000, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toContain('expired');
    expect(a.problems.find((p) => p.code === 'expired')?.detail).toContain('2023-07-28');
  });

  it('builds the path from certificates in any order, ignoring junk and the expired cross-sign', () => {
    const junk = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]);
    const a = store.assessChain([chain[0]!, junk, chain[2]!, chain[1]!], captureTs, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('trusted');
    expect(codes(a)).toEqual(['unparseable']);
  });

  it('without the intermediate the chain is incomplete, not untrusted', () => {
    const a = store.assessChain([chain[0]!], captureTs, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('incomplete');
    expect(codes(a)).toEqual(['incomplete-chain']);
  });

  it('checks the name against the SNI', () => {
    const a = store.assessChain(chain, captureTs, 'proxy.golang.org');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['hostname-mismatch']);
  });

});

describe('chains built with openssl', () => {
  let pki: TestPki;
  let publicOnly: TrustStore;
  let withLabCa: TrustStore;
  let now: number;
  beforeAll(async () => {
    pki = makePki();
    // After the certificates were made (their notBefore is "now" to the second).
    now = Date.now() / 1000 + 2;
    publicOnly = await TrustStore.create();
    withLabCa = await TrustStore.create({ caFiles: [pki.files.root] });
  });
  afterAll(() => pki.cleanup());

  it('a lab chain is trusted via the user CA file, and only then', () => {
    const chain = [pki.der.leaf, pki.der.inter];
    const a = withLabCa.assessChain(chain, now, 'proxy.golang.org');
    expect(a.verdict).toBe('trusted-by-user-ca');
    expect(a.anchor).toMatchObject({ subject: 'O=gotap test, CN=gotap test Root CA', userSupplied: true });
    expect(a.path).toHaveLength(3);
    expect(withLabCa.userAnchorCount).toBe(1);
    expect(publicOnly.assessChain(chain, now, 'proxy.golang.org').verdict).toBe('incomplete');
  });

  it('a chain ending in a self-signed root nobody trusts is untrusted (unknown issuer)', () => {
    const a = publicOnly.assessChain([pki.der.leaf, pki.der.inter, pki.der.root], now, 'proxy.golang.org');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['unknown-issuer']);
  });

  it('a missing intermediate is incomplete even with the root trusted', () => {
    const a = withLabCa.assessChain([pki.der.leaf], now, 'proxy.golang.org');
    expect(a.verdict).toBe('incomplete');
    expect(a.problems[0]?.detail).toContain('gotap test Intermediate CA');
  });

  it('a self-signed leaf is untrusted', () => {
    const a = publicOnly.assessChain([pki.der.selfSigned], now, 'proxy.golang.org');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['self-signed-leaf']);
    expect(a.issuerSpkiSha256).toBeUndefined();
  });

  it('judges validity at the capture time: valid inside the window, expired after, not yet valid before', () => {
    const chain = [pki.der.leaf, pki.der.inter];
    expect(withLabCa.assessChain(chain, now + 3600, 'proxy.golang.org').verdict).toBe('trusted-by-user-ca');
    const later = withLabCa.assessChain(chain, now + 400 * 86400, 'proxy.golang.org');
    expect(later.verdict).toBe('untrusted');
    expect(later.problems.map((p) => p.detail.split(' "')[0])).toEqual(['the leaf', 'the intermediate']);
    expect(new Set(codes(later))).toEqual(new Set(['expired']));
    const before = withLabCa.assessChain(chain, now - 86400, 'proxy.golang.org');
    expect(codes(before)).toContain('not-yet-valid');
    const expired2020 = withLabCa.assessChain([pki.der.expired], now, 'proxy.golang.org');
    expect(codes(expired2020)).toEqual(['expired']);
    // In January 2020 that leaf was valid, but the root it chains to (made today) was not yet: anchors are checked too.
    const in2020 = withLabCa.assessChain([pki.der.expired], Date.parse('2020-01-15T00:00:00Z') / 1000, 'proxy.golang.org');
    expect(in2020.problems).toEqual([{ code: 'not-yet-valid', detail: expect.stringMatching(/^the root "O=gotap test, CN=gotap test Root CA" is valid only from/) }]);
  });

  it('reports a hostname mismatch against the SNI (SAN only)', () => {
    const a = withLabCa.assessChain([pki.der.leaf, pki.der.inter], now, 'goproxy.cn');
    expect(a.verdict).toBe('untrusted');
    expect(a.problems).toEqual([{ code: 'hostname-mismatch', detail: expect.stringContaining('not goproxy.cn') }]);
  });

  it('sees a leaf that reuses its issuer key, with or without the issuer sent', () => {
    const withIssuer = publicOnly.assessChain([pki.der.zscalerLeaf, pki.der.zscaler], now, 'proxy.golang.org');
    expect(withIssuer.issuerSpkiSha256).toBe(withIssuer.leaf?.spkiSha256);
    expect(leafKeyIsIssuerKey(withIssuer)).toBe(true);
    const leafOnly = publicOnly.assessChain([pki.der.zscalerLeaf], now, 'proxy.golang.org');
    expect(leafOnly.verdict).toBe('untrusted');
    expect(leafKeyIsIssuerKey(leafOnly)).toBe(true);
    expect(leafKeyIsIssuerKey(withLabCa.assessChain([pki.der.leaf, pki.der.inter], now, 'proxy.golang.org'))).toBe(false);
  });

  it('a leaf naming a public root it was not signed by is a bad signature, not a missing intermediate', () => {
    const a = publicOnly.assessChain([pki.der.forgedLeaf], now, 'proxy.golang.org');
    expect(a.verdict).toBe('untrusted');
    expect(codes(a)).toEqual(['bad-signature']);
  });

  it('never lets an earlier good chain make a bad one look good (no cache)', () => {
    expect(withLabCa.assessChain([pki.der.leaf, pki.der.inter], now, 'proxy.golang.org').verdict).toBe('trusted-by-user-ca');
    expect(withLabCa.assessChain([pki.der.zscalerLeaf, pki.der.inter], now, 'proxy.golang.org').verdict).toBe('untrusted');
  });

  it('an empty or garbage chain is untrusted and unparseable, never a throw', () => {
    expect(publicOnly.assessChain([], now, 'x').problems[0]?.code).toBe('unparseable');
    const a = publicOnly.assessChain([new Uint8Array(100).fill(0x30)], now, 'x');
    expect(a.verdict).toBe('untrusted');
    expect(a.leaf).toBeUndefined();
  });

  it('rejects a CA file that is missing or holds no certificate with a one-line error', async () => {
    await expect(TrustStore.create({ caFiles: [join(pki.dir, 'nope.pem')] })).rejects.toThrow(CaFileError);
    await expect(TrustStore.create({ caFiles: [join(pki.dir, 'nope.pem')] })).rejects.toThrow(/cannot read CA file .*nope\.pem: ENOENT/);
    const empty = join(pki.dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    await expect(TrustStore.create({ caFiles: [empty] })).rejects.toThrow(/contains no PEM certificate/);
    await expect(TrustStore.create({ extraPems: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] })).rejects.toThrow(/not a valid X.509/);
  });

  it('keeps a public root repeated in a user bundle public', async () => {
    const isrgRoot = rootCertificates.find((pem) => pemBlocks(pem).some((der) => new X509Certificate(der).subject.includes('ISRG Root X1')));
    const store = await TrustStore.create({ extraPems: [`${pki.pem.root}${isrgRoot}`] });
    expect(store.userAnchorCount).toBe(1);
    const le = pemBlocks(readFileSync(join(repoRoot, 'test/detect/tls/fixtures/public-letsencrypt-chain.pem'), 'utf8'));
    const a = store.assessChain(le, 1683775902, 'tracker.mywaifu.best');
    expect(a.verdict).toBe('trusted');
    expect(a.anchor?.userSupplied).toBe(false);
  });
});

describe('robustness: certificates and names are packet data', () => {
  const chain = pemBlocks(readFileSync(join(repoRoot, 'test/detect/tls/fixtures/public-letsencrypt-chain.pem'), 'utf8'));
  let store: TrustStore;
  beforeAll(async () => {
    store = await TrustStore.create();
  });

  it('never throws on mutated or truncated certificates and odd server names', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: chain[1]!.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: chain[0]!.length }),
        fc.string(),
        (pos, byte, cut, name) => {
          const mutated = chain[1]!.slice();
          mutated[pos] = byte;
          const a = store.assessChain([chain[0]!.slice(0, cut), mutated, chain[2]!], 1683775902, name);
          expect(['trusted', 'untrusted', 'incomplete', 'trusted-by-user-ca']).toContain(a.verdict);
        },
      ),
      { numRuns: 150 },
    );
    expect(store.assessChain(chain, 1683775902, 'a\u0000b').problems.map((p) => p.code)).toEqual(['hostname-mismatch']);
  });
});
