/**
 * The trust store and the chain assessment every certificate verdict comes from.
 *
 * Anchors are Node's Mozilla roots (`tls.rootCertificates`, public; indexed lazily, see
 * anchors.ts) plus the CAs of --ca-file / config (user-supplied; a user bundle that
 * repeats public roots keeps them public). A chain is judged from the certificates
 * actually sent, every time (no cache that could make a bad chain look good), at the given
 * capture time, not now:
 *
 * 1. Path: from the leaf through the sent certificates, in any order, ignoring junk and
 *    repeats, to an anchor; each step needs `checkIssued` (names, key identifiers), a CA
 *    certificate as issuer (basicConstraints), and a signature that verifies. The search is
 *    bounded as Go's (path-search.ts): past MAX_SIGNATURE_CHECKS candidate checks, or past
 *    MAX_CHAIN different certificates, the verdict is 'untrusted' ('path-search-limit').
 * 2. Validity of every certificate on the path (anchor included, as Go does) at `atTs`;
 *    the leaf against the server name with `checkHost`/`checkIP` (SAN only, never the
 *    subject CN, as Go ≥ 1.15).
 * 3. When no anchor is reached, the last certificate of the longest verified path decides:
 *    - it is self-signed: 'untrusted' ('self-signed-leaf' when it is the leaf itself);
 *    - a sent CA on that path carries a trusted root's name but not its key: 'untrusted'
 *      ('forged-issuer');
 *    - else, self-signed: 'untrusted' ('unknown-issuer': a private root nobody trusts);
 *    - its issuer's name is a trusted root's, but that root did not sign it: 'untrusted'
 *      ('bad-signature': a forged CA with a real CA's name);
 *    - its authorityKeyIdentifier is a trusted root's key identifier, but that root's key
 *      did not sign it: 'untrusted' ('forged-issuer');
 *    - its issuer is a known interception product: 'untrusted' ('unknown-issuer');
 *    - otherwise its issuer was simply not sent and is no root we know: 'incomplete'
 *      ('incomplete-chain'). Without fetching the issuer (AIA) nothing more can be said,
 *      so findings call it a missing intermediate, never interception.
 * Expiry, name mismatch and the 'untrusted' causes above make the verdict 'untrusted';
 * a missing intermediate alone makes it 'incomplete'.
 *
 * What the store cannot tell: a leaf whose issuer names a public *intermediate* (e.g.
 * "WR2, O=Google Trust Services") that was not sent. Intermediates are not anchors, so a
 * forged leaf "issued by" WR2 and a real leaf whose server omitted WR2 look the same here
 * ('incomplete-chain'). `namesPublicCa` says which public CA such an issuer claims (by key
 * identifier, exact name, or organisation), so a detector that knows the server always
 * sends its intermediates (Google's do) can call the unverified claim forged.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { CertificateVerdict } from '../model/types.js';
import { nameKey, nameValue } from './der-fields.js';
import { AnchorIndex, organisationKey, type Anchor } from './anchors.js';
import { issuerCn, issuerOrg, parseCertificate, pemBlocks, type KeyType, type ParsedCert } from './certificate.js';
import { matchInterceptionProduct } from './interception-products.js';
import { MAX_SIGNATURE_CHECKS, PathSearch, type PathResult } from './path-search.js';

export { MAX_SIGNATURE_CHECKS } from './path-search.js';

export type ChainProblemCode =
  | 'expired'
  | 'not-yet-valid'
  | 'hostname-mismatch'
  | 'self-signed-leaf'
  | 'unknown-issuer'
  | 'incomplete-chain'
  | 'bad-signature'
  | 'forged-issuer'
  | 'path-search-limit'
  | 'unparseable';

export interface ChainProblem {
  code: ChainProblemCode;
  detail: string;
}

export interface CertInfo {
  subject: string;
  issuer: string;
  subjectCn?: string;
  subjectOrg?: string;
  issuerCn?: string;
  issuerOrg?: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  fingerprint256: string;
  spkiSha256: string;
  keyType: KeyType;
  keyBits?: number;
  selfSigned: boolean;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** DNS names and IP addresses from subjectAltName ("DNS:proxy.golang.org, IP Address:127.0.0.1"). */
  subjectAltName?: string;
}

export interface ChainAssessment {
  verdict: CertificateVerdict;
  /** The trust anchor the chain verified to, when it did. */
  anchor?: { subject: string; userSupplied: boolean; fingerprint256: string };
  problems: ChainProblem[];
  /** The leaf (absent only when the first certificate could not be parsed). */
  leaf?: CertInfo;
  /** SPKI hash of the certificate that signed the leaf, when it is known (sent or an anchor). */
  issuerSpkiSha256?: string;
  /** Certificates sent. */
  chainLength: number;
  /** The sent certificates that parsed, in the order sent (repeats included). */
  chain: CertInfo[];
  /** Subjects along the verified path, leaf first (ends at the anchor when one was reached). */
  path: string[];
  /** Issuer candidates considered (Go's sigChecks: each a signature check, unless that pair was checked already); at most MAX_SIGNATURE_CHECKS. */
  signatureChecks: number;
}

/** Which public CA a certificate's issuer claims to be. */
export interface PublicCaClaim {
  /**
   * How: 'key' — its authorityKeyIdentifier is a public root's key identifier; 'name' — its
   * issuer name is a public root's subject; 'organisation' — only its issuer O names the
   * organisation of public roots (legal suffixes and case ignored: "Google Trust Services"
   * claims the roots of "Google Trust Services LLC").
   */
  by: 'key' | 'name' | 'organisation';
  /** The organisation as the public roots spell it, when they have one. */
  organisation?: string;
  /** Subjects of the public roots claimed. */
  roots: string[];
}

export interface TrustStoreOptions {
  /** PEM files (bundles allowed) whose CAs the user trusts. */
  caFiles?: string[];
  /** PEM texts whose CAs the user trusts (from a config file). */
  extraPems?: string[];
}

/**
 * Most different certificates of one chain parsed (real chains have 2–5; repeats of one
 * certificate cost a hash, not a parse). Go has no count limit, only the handshake message
 * size; here parsing one costs ~0.5–1 ms of CPU, so the cap keeps one assessment well
 * under 100 ms. More is reported ('path-search-limit', untrusted), never dropped silently.
 */
export const MAX_CHAIN = 64;

/** A --ca-file or configured CA that cannot be used; its message is one line for the CLI. */
export class CaFileError extends Error {
  override name = 'CaFileError';
}

function iso(d: Date): string {
  return d.toISOString();
}

export function certInfo(c: ParsedCert): CertInfo {
  return {
    subject: c.subject,
    issuer: c.issuer,
    subjectCn: nameValue(c.fields.subject, 'CN'),
    subjectOrg: nameValue(c.fields.subject, 'O'),
    issuerCn: issuerCn(c),
    issuerOrg: issuerOrg(c),
    notBefore: iso(c.fields.notBefore),
    notAfter: iso(c.fields.notAfter),
    fingerprint256: c.fingerprint256,
    spkiSha256: c.spkiSha256,
    keyType: c.keyType,
    keyBits: c.keyBits,
    selfSigned: c.selfSigned,
    subjectKeyId: c.fields.subjectKeyId,
    authorityKeyId: c.fields.authorityKeyId,
    subjectAltName: c.x509.subjectAltName,
  };
}

/** The certificates sent, each distinct DER parsed once, at most MAX_CHAIN of them. */
function parseSent(certs: Uint8Array[]): { sent: (ParsedCert | undefined)[]; distinct: ParsedCert[]; notRead: number } {
  const byFingerprint = new Map<string, ParsedCert | undefined>();
  const sent: (ParsedCert | undefined)[] = [];
  let notRead = 0;
  for (const der of certs) {
    const fingerprint = createHash('sha256').update(der).digest('hex');
    if (byFingerprint.has(fingerprint)) {
      sent.push(byFingerprint.get(fingerprint));
    } else if (byFingerprint.size >= MAX_CHAIN) {
      notRead++;
    } else {
      const cert = parseCertificate(der);
      byFingerprint.set(fingerprint, cert);
      sent.push(cert);
    }
  }
  const distinct = [...byFingerprint.values()].filter((c): c is ParsedCert => c !== undefined);
  return { sent, distinct, notRead };
}

export class TrustStore {
  private readonly anchors = new AnchorIndex(rootCertificates);
  /** Assessments of Certificate events, so the detectors that judge one chain verify it once. */

  private constructor() {}

  /** Node's Mozilla roots plus the user's CAs. Throws CaFileError (one line) for a bad CA file. */
  static async create(opts: TrustStoreOptions = {}): Promise<TrustStore> {
    const store = new TrustStore();
    for (const file of opts.caFiles ?? []) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CaFileError(`cannot read CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
      store.addUserPem(text, `CA file ${file}`);
    }
    (opts.extraPems ?? []).forEach((pem, i) => store.addUserPem(pem, `configured CA #${i + 1}`));
    return store;
  }

  /** CAs from --ca-file / config that are not also public roots. */
  get userAnchorCount(): number {
    return this.anchors.userCount;
  }

  private addUserPem(text: string, what: string): void {
    const blocks = pemBlocks(text);
    if (blocks.length === 0) throw new CaFileError(`${what} contains no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    blocks.forEach((der, i) => {
      const cert = parseCertificate(der);
      if (!cert) throw new CaFileError(`${what}: certificate ${i + 1} is not a valid X.509 certificate`);
      this.anchors.addUser(cert);
    });
  }

  /** The anchor this very certificate is (same DER, or same name and key: a re-issued root). */
  private anchorFor(cert: ParsedCert): Anchor | undefined {
    const named = this.anchors.named(nameKey(cert.subject));
    return named.find((a) => a.cert.fingerprint256 === cert.fingerprint256) ?? named.find((a) => a.cert.spkiSha256 === cert.spkiSha256);
  }

  /**
   * Which public root or organisation `cert`'s issuer claims to be, strongest evidence first
   * (key identifier, exact name, organisation); undefined when it names no public CA. A
   * claim is only a claim: whether the chain verifies is the assessment's verdict.
   */
  namesPublicCa(cert: Pick<CertInfo, 'issuer' | 'issuerOrg' | 'authorityKeyId'>): PublicCaClaim | undefined {
    const keys: [PublicCaClaim['by'], string | undefined][] = [
      ['key', cert.authorityKeyId],
      ['name', nameKey(cert.issuer)],
      ['organisation', cert.issuerOrg === undefined ? undefined : organisationKey(cert.issuerOrg)],
    ];
    for (const [by, key] of keys) {
      const roots = key === undefined ? [] : this.anchors.publicRoots(by, key);
      if (roots.length === 0) continue;
      const organisation = roots.find((r) => r.organisation !== undefined)?.organisation;
      return { by, ...(organisation !== undefined ? { organisation } : {}), roots: roots.map((r) => r.subject) };
    }
    return undefined;
  }

  /**
   * Judges the chain a server sent (DER, leaf first) at capture time `atTs` (seconds since
   * the epoch) for `serverName` (SNI or host; IP literals are checked against IP SANs).
   */
  assessChain(certs: Uint8Array[], atTs: number, serverName: string | undefined): ChainAssessment {
    const problems: ChainProblem[] = [];
    const { sent, distinct, notRead } = parseSent(certs);
    const parsed = sent.filter((c): c is ParsedCert => c !== undefined);
    const unparseable = sent.length - parsed.length;
    const leaf = sent[0];
    // One CertInfo per distinct certificate, however often it was sent.
    const infos = new Map(distinct.map((c) => [c, certInfo(c)]));
    const base = { chainLength: certs.length, chain: parsed.map((c) => infos.get(c) as CertInfo) };
    if (!leaf) {
      problems.push({ code: 'unparseable', detail: certs.length === 0 ? 'the server sent an empty certificate list' : 'the leaf certificate could not be parsed' });
      return { verdict: 'untrusted', problems, path: [], signatureChecks: 0, ...base };
    }
    if (unparseable > 0) problems.push({ code: 'unparseable', detail: `${unparseable} of the ${certs.length} certificates sent could not be parsed (ignored)` });

    const search = new PathSearch(this.anchors, distinct.filter((c) => c !== leaf));
    const full = search.toAnchor(leaf, (c) => this.anchorFor(c));
    const path = full ?? (search.exhausted ? { certs: [leaf] } : search.longestPartial(leaf));
    // A self-signed leaf is its own issuer: no separate issuer key to compare with.
    const issuerOfLeaf = leaf.selfSigned ? undefined : (path.certs[1] ?? path.anchor?.cert);

    let verdict: CertificateVerdict;
    if (path.anchor) {
      verdict = path.anchor.userSupplied ? 'trusted-by-user-ca' : 'trusted';
    } else {
      const cause = this.whyNoAnchor(path, leaf, search);
      // The search may have run out of budget inside whyNoAnchor too.
      const problem: ChainProblem = search.exhausted
        ? {
            code: 'path-search-limit',
            detail: `gotap gave up the path search after ${search.signatureChecks} signature checks: the ${certs.length} certificates sent offer more candidate issuers than a real chain (Go gives up the same way after ${MAX_SIGNATURE_CHECKS})`,
          }
        : cause;
      problems.push(problem);
      verdict = problem.code === 'incomplete-chain' ? 'incomplete' : 'untrusted';
    }
    if (notRead > 0) {
      problems.push({
        code: 'path-search-limit',
        detail: `the server sent more than ${MAX_CHAIN} different certificates (${notRead} more were not read); no real chain has that many`,
      });
    }

    const onPath = [...path.certs, ...(path.anchor ? [path.anchor.cert] : [])];
    for (const c of onPath) {
      const role = c === leaf ? 'the leaf' : c === path.anchor?.cert ? 'the root' : 'the intermediate';
      if (atTs * 1000 > c.fields.notAfter.getTime()) {
        problems.push({ code: 'expired', detail: `${role} "${c.subject}" expired ${iso(c.fields.notAfter)}, before the capture time ${isoTs(atTs)}` });
      } else if (atTs * 1000 < c.fields.notBefore.getTime()) {
        problems.push({ code: 'not-yet-valid', detail: `${role} "${c.subject}" is valid only from ${iso(c.fields.notBefore)}, after the capture time ${isoTs(atTs)}` });
      }
    }
    const name = serverName?.toLowerCase().replace(/\.$/, '');
    if (name) {
      if (!nameMatches(leaf, name)) {
        problems.push({ code: 'hostname-mismatch', detail: `the leaf is for ${leaf.x509.subjectAltName ?? 'no subjectAltName'}, not ${name}` });
      }
    }
    if (problems.some((p) => p.code !== 'incomplete-chain' && p.code !== 'unparseable')) verdict = 'untrusted';

    return {
      verdict,
      anchor: path.anchor
        ? { subject: path.anchor.cert.subject, userSupplied: path.anchor.userSupplied, fingerprint256: path.anchor.cert.fingerprint256 }
        : undefined,
      problems,
      leaf: infos.get(leaf),
      issuerSpkiSha256: issuerOfLeaf?.spkiSha256,
      path: onPath.map((c) => c.subject),
      signatureChecks: search.signatureChecks,
      ...base,
    };
  }

  /** Why the longest verified path reached no anchor (see the module comment for the order). */
  private whyNoAnchor(path: PathResult, leaf: ParsedCert, search: PathSearch): ChainProblem {
    const last = path.certs[path.certs.length - 1] as ParsedCert;
    if (last.selfSigned && last === leaf) {
      return { code: 'self-signed-leaf', detail: `the leaf "${last.subject}" is self-signed and not a trusted CA` };
    }
    for (const c of path.certs.slice(1)) {
      const root = this.anchors.named(nameKey(c.subject))[0];
      if (root) {
        return { code: 'forged-issuer', detail: `the sent CA "${c.subject}" carries the name of the trusted root "${root.cert.subject}" but not its key: a forged CA` };
      }
    }
    if (last.selfSigned) {
      return { code: 'unknown-issuer', detail: `the chain ends at the self-signed "${last.subject}", which is not a trusted root` };
    }
    if (this.anchors.named(nameKey(last.issuer)).length > 0) {
      return { code: 'bad-signature', detail: `"${last.subject}" names the trusted root "${last.issuer}" as its issuer, but that root did not sign it` };
    }
    const aki = last.fields.authorityKeyId;
    const keyed = aki === undefined ? [] : this.anchors.withKeyId(aki);
    if (keyed.length > 0 && !keyed.some((a) => search.signedByKey(last, a.cert))) {
      return {
        code: 'forged-issuer',
        detail: `"${last.subject}" names by key identifier the trusted root "${(keyed[0] as Anchor).cert.subject}" as its issuer (as "${last.issuer}"), but that root's key did not sign it`,
      };
    }
    const product = matchInterceptionProduct(issuerCn(last), issuerOrg(last));
    if (product) {
      return { code: 'unknown-issuer', detail: `"${last.subject}" is issued by "${last.issuer}" (${product}), which is not a trusted root` };
    }
    if (last.subject !== last.issuer && !search.issuerNotCa(last)) {
      return {
        code: 'incomplete-chain',
        detail: `the issuer of "${last.subject}" ("${last.issuer}") was not sent and is not a trusted root: a missing intermediate`,
      };
    }
    return { code: 'unknown-issuer', detail: `"${last.subject}" is issued by "${last.issuer}", which is not a trusted CA` };
  }
}

/** SAN match for a host name or IP literal; a name Node refuses (e.g. with NUL) matches nothing. */
function nameMatches(leaf: ParsedCert, name: string): boolean {
  try {
    return isIP(name) ? leaf.x509.checkIP(name) !== undefined : leaf.x509.checkHost(name, { subject: 'never' }) !== undefined;
  } catch {
    return false;
  }
}

function isoTs(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts * 1000).toISOString() : String(ts);
}
