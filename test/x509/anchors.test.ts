import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnchorIndex, organisationKey } from '../../src/x509/anchors.js';
import { parseCertificate, pemBlocks } from '../../src/x509/certificate.js';
import { formatName, nameKey, readDerFields } from '../../src/x509/der-fields.js';
import { readSubjectQuickly } from '../../src/x509/der-names.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { craft, newKey } from './crafted-certs.js';

const roots = rootCertificates.flatMap((pem) => pemBlocks(pem));

describe('the roots index reads names without a full parse', () => {
  it('reads the same subject and key identifier as the full parser, for every Node root', () => {
    expect(roots.length).toBeGreaterThan(100);
    for (const der of roots) {
      const full = readDerFields(der)!;
      const quick = readSubjectQuickly(der)!;
      expect(quick.subject).toEqual(full.subject);
      expect(quick.subjectKeyId).toBe(full.subjectKeyId);
    }
  });

  it('reads crafted names (UTF-8, PrintableString) the same way, and refuses what is not a certificate', () => {
    const der = craft({ subject: [['C', 'DE'], ['O', 'Zürich CA, "quoted"'], ['CN', '  spaced  name ']], issuer: [['CN', 'x']], key: newKey(), signer: newKey(), ca: true });
    expect(readSubjectQuickly(der)?.subject).toEqual(readDerFields(der)?.subject);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const quick = readSubjectQuickly(bytes);
        expect(quick === undefined || Array.isArray(quick.subject)).toBe(true);
      }),
    );
    const cut = der.slice(0, 60);
    expect(readSubjectQuickly(cut)).toBeUndefined();
  });

  it('parses no root until a certificate names one, then only the roots of that name', () => {
    const index = new AnchorIndex(rootCertificates);
    expect(index.parsedCount).toBe(0);
    const isrg = index.named(nameKey('C=US, O=Internet Security Research Group, CN=ISRG Root X1'));
    expect(isrg.map((a) => a.cert.subject)).toEqual(['C=US, O=Internet Security Research Group, CN=ISRG Root X1']);
    expect(index.parsedCount).toBe(1);
    expect(index.named(nameKey('CN=nobody'))).toEqual([]);
    expect(index.parsedCount).toBe(1);
  });

  it('TrustStore.create parses no root (CPU time far below the ~160 ms of parsing them all)', async () => {
    await TrustStore.create();
    const t0 = process.cpuUsage();
    await TrustStore.create();
    const d = process.cpuUsage(t0);
    expect((d.user + d.system) / 1000).toBeLessThan(20);
  });

  it('a user CA equal to a public root stays public; other user CAs come after the public roots of their name', () => {
    const isrgDer = roots.find((d) => formatName(readDerFields(d)!.subject).endsWith('CN=ISRG Root X1'))!;
    const index = new AnchorIndex(rootCertificates);
    // A private CA that only borrows the public root's name (another key).
    const key = newKey();
    const name: [ 'C' | 'O' | 'CN', string][] = [['C', 'US'], ['O', 'Internet Security Research Group'], ['CN', 'ISRG Root X1']];
    const borrowed = craft({ subject: name, issuer: name, key, signer: key, ca: true });
    index.addUser(parseCertificate(isrgDer)!);
    index.addUser(parseCertificate(borrowed)!);
    expect(index.userCount).toBe(1);
    const named = index.named(nameKey('C=US, O=Internet Security Research Group, CN=ISRG Root X1'));
    expect(named.map((a) => a.userSupplied)).toEqual([false, true]);
  });
});

describe('organisationKey', () => {
  it.each([
    ['Google Trust Services LLC', 'google trust services'],
    ['Google Trust Services', 'google trust services'],
    ['GlobalSign nv-sa', 'globalsign'],
    ['DigiCert, Inc.', 'digicert'],
    ["Let's Encrypt", 'let s encrypt'],
    ['LLC', 'llc'],
  ])('%s → %s', (org, key) => {
    expect(organisationKey(org)).toBe(key);
  });
});
