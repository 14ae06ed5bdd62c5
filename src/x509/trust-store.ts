/**
 * The trust store and the chain assessment every certificate verdict comes from.
 *
 * Anchors are Node's Mozilla roots (`tls.rootCertificates`, public) plus the CAs of
 * --ca-file / config (user-supplied; a user bundle that repeats public roots keeps them
 * public). A chain is judged from the certificates actually sent, every time (no cache
 * that could make a bad chain look good), at the given capture time, not now:
 *
 * 1. Path: from the leaf through the sent certificates, in any order and ignoring junk,
 *    to an anchor; each step needs `checkIssued` (names, key identifiers), a CA
 *    certificate as issuer (basicConstraints), and a signature that verifies.
 * 2. Validity of every certificate on the path (anchor included, as Go does) at `atTs`;
 *    the leaf against the server name with `checkHost`/`checkIP` (SAN only, never the
 *    subject CN, as Go ≥ 1.15).
 * 3. When no anchor is reached, the last certificate of the longest verified path decides:
 *    - it is self-signed: 'untrusted' ('self-signed-leaf' when it is the leaf itself,
 *      else 'unknown-issuer': a private root nobody trusts);
 *    - its issuer's name is a trusted root's, but that root did not sign it:
 *      'untrusted' ('bad-signature': a forged CA with a real CA's name);
 *    - its issuer is a known interception product: 'untrusted' ('unknown-issuer');
 *    - otherwise its issuer was simply not sent and is no root we know: 'incomplete'
 *      ('incomplete-chain'). Without fetching the issuer (AIA) nothing more can be said,
 *      so findings call it a missing intermediate, never interception.
 * Expiry, name mismatch and the 'untrusted' causes above make the verdict 'untrusted';
 * a missing intermediate alone makes it 'incomplete'.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { CertificateVerdict } from '../model/types.js';
import type { TlsCertificatesEvent } from '../protocols/events.js';
import { nameValue } from './der-fields.js';
import { issuedBy, issuerCn, issuerOrg, parseCertificate, pemBlocks, type KeyType, type ParsedCert } from './certificate.js';
import { matchInterceptionProduct } from './interception-products.js';

export type ChainProblemCode =
  | 'expired'
  | 'not-yet-valid'
  | 'hostname-mismatch'
  | 'self-signed-leaf'
  | 'unknown-issuer'
  | 'incomplete-chain'
  | 'bad-signature'
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
  /** The sent certificates that parsed, in the order sent. */
  chain: CertInfo[];
  /** Subjects along the verified path, leaf first (ends at the anchor when one was reached). */
  path: string[];
}

export interface TrustStoreOptions {
  /** PEM files (bundles allowed) whose CAs the user trusts. */
  caFiles?: string[];
  /** PEM texts whose CAs the user trusts (from a config file). */
  extraPems?: string[];
}

/** Most certificates of one chain looked at (real chains have 2–4; the rest is ignored). */
const MAX_CHAIN = 16;
/** Longest path built (leaf + intermediates), as OpenSSL's default depth. */
const MAX_DEPTH = 10;

/** A --ca-file or configured CA that cannot be used; its message is one line for the CLI. */
export class CaFileError extends Error {
  override name = 'CaFileError';
}

interface Anchor {
  cert: ParsedCert;
  userSupplied: boolean;
}

function nameKey(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ');
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

interface PathResult {
  certs: ParsedCert[];
  anchor?: Anchor;
}

export class TrustStore {
  private readonly anchors: Anchor[] = [];
  private readonly byFingerprint = new Map<string, Anchor>();
  private readonly bySubject = new Map<string, Anchor[]>();
  /** Assessments of Certificate events, so the detectors that judge one chain verify it once. */
  private readonly byEvent = new WeakMap<TlsCertificatesEvent, { serverName: string | undefined; assessment: ChainAssessment }>();

  private constructor() {}

  /** Node's Mozilla roots plus the user's CAs. Throws CaFileError (one line) for a bad CA file. */
  static async create(opts: TrustStoreOptions = {}): Promise<TrustStore> {
    const store = new TrustStore();
    for (const pem of rootCertificates) {
      for (const der of pemBlocks(pem)) {
        const cert = parseCertificate(der);
        if (cert) store.add(cert, false);
      }
    }
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
    return this.anchors.filter((a) => a.userSupplied).length;
  }

  private addUserPem(text: string, what: string): void {
    const blocks = pemBlocks(text);
    if (blocks.length === 0) throw new CaFileError(`${what} contains no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    blocks.forEach((der, i) => {
      const cert = parseCertificate(der);
      if (!cert) throw new CaFileError(`${what}: certificate ${i + 1} is not a valid X.509 certificate`);
      this.add(cert, true);
    });
  }

  private add(cert: ParsedCert, userSupplied: boolean): void {
    // A user bundle repeating a public root (corporate bundles often do) keeps it public.
    if (this.byFingerprint.has(cert.fingerprint256)) return;
    const anchor: Anchor = { cert, userSupplied };
    this.anchors.push(anchor);
    this.byFingerprint.set(cert.fingerprint256, anchor);
    const key = nameKey(cert.subject);
    const list = this.bySubject.get(key);
    if (list) list.push(anchor);
    else this.bySubject.set(key, [anchor]);
  }

  /** The anchor this very certificate is (same DER, or same name and key: a re-issued root). */
  private anchorFor(cert: ParsedCert): Anchor | undefined {
    const same = this.byFingerprint.get(cert.fingerprint256);
    if (same) return same;
    return this.bySubject.get(nameKey(cert.subject))?.find((a) => a.cert.spkiSha256 === cert.spkiSha256);
  }

  /** Anchors that may have issued `cert`: by name first, else every anchor (names can differ only in encoding). */
  private anchorCandidates(cert: ParsedCert): Anchor[] {
    return this.bySubject.get(nameKey(cert.issuer)) ?? this.anchors;
  }

  /**
   * assessChain for a Certificate event at its capture time. Several detectors judge the same
   * event: it is verified once per event object (the chain that was sent, never another one).
   */
  assessEvent(ev: TlsCertificatesEvent, serverName: string | undefined): ChainAssessment {
    const known = this.byEvent.get(ev);
    if (known && known.serverName === serverName) return known.assessment;
    const assessment = this.assessChain(ev.certs, ev.ts, serverName);
    this.byEvent.set(ev, { serverName, assessment });
    return assessment;
  }

  /**
   * Judges the chain a server sent (DER, leaf first) at capture time `atTs` (seconds since
   * the epoch) for `serverName` (SNI or host; IP literals are checked against IP SANs).
   */
  assessChain(certs: Uint8Array[], atTs: number, serverName: string | undefined): ChainAssessment {
    const problems: ChainProblem[] = [];
    const sent = certs.slice(0, MAX_CHAIN).map((der) => parseCertificate(der));
    const parsed = sent.filter((c): c is ParsedCert => c !== undefined);
    const unparseable = sent.length - parsed.length;
    const leaf = sent[0];
    const base = { chainLength: certs.length, chain: parsed.map(certInfo) };
    if (!leaf) {
      problems.push({ code: 'unparseable', detail: certs.length === 0 ? 'the server sent an empty certificate list' : 'the leaf certificate could not be parsed' });
      return { verdict: 'untrusted', problems, path: [], ...base };
    }
    if (unparseable > 0) problems.push({ code: 'unparseable', detail: `${unparseable} of the ${certs.length} certificates sent could not be parsed (ignored)` });

    const others = sent.slice(1).filter((c): c is ParsedCert => c !== undefined);
    const full = this.buildPath(leaf, others, [leaf]);
    const path = full ?? this.longestPartialPath(leaf, others);
    // A self-signed leaf is its own issuer: no separate issuer key to compare with.
    const issuerOfLeaf = leaf.selfSigned ? undefined : (path.certs[1] ?? path.anchor?.cert);

    let verdict: CertificateVerdict;
    if (path.anchor) {
      verdict = path.anchor.userSupplied ? 'trusted-by-user-ca' : 'trusted';
    } else {
      verdict = 'untrusted';
      const last = path.certs[path.certs.length - 1] as ParsedCert;
      const product = matchInterceptionProduct(issuerCn(last), issuerOrg(last));
      if (last.selfSigned && last === leaf) {
        problems.push({ code: 'self-signed-leaf', detail: `the leaf "${last.subject}" is self-signed and not a trusted CA` });
      } else if (last.selfSigned) {
        problems.push({ code: 'unknown-issuer', detail: `the chain ends at the self-signed "${last.subject}", which is not a trusted root` });
      } else if (this.bySubject.has(nameKey(last.issuer))) {
        problems.push({ code: 'bad-signature', detail: `"${last.subject}" names the trusted root "${last.issuer}" as its issuer, but that root did not sign it` });
      } else if (product) {
        problems.push({ code: 'unknown-issuer', detail: `"${last.subject}" is issued by "${last.issuer}" (${product}), which is not a trusted root` });
      } else if (last.subject !== last.issuer && !this.issuerNotCa(last, others)) {
        verdict = 'incomplete';
        problems.push({
          code: 'incomplete-chain',
          detail: `the issuer of "${last.subject}" ("${last.issuer}") was not sent and is not a trusted root: a missing intermediate`,
        });
      } else {
        problems.push({ code: 'unknown-issuer', detail: `"${last.subject}" is issued by "${last.issuer}", which is not a trusted CA` });
      }
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
      leaf: certInfo(leaf),
      issuerSpkiSha256: issuerOfLeaf?.spkiSha256,
      path: onPath.map((c) => c.subject),
      ...base,
    };
  }

  /** Depth-first path to an anchor. */
  private buildPath(cert: ParsedCert, pool: ParsedCert[], used: ParsedCert[]): PathResult | undefined {
    const self = this.anchorFor(cert);
    if (self) return { certs: used.slice(0, -1), anchor: self };
    for (const a of this.anchorCandidates(cert)) {
      if (issuedBy(cert, a.cert)) return { certs: used, anchor: a };
    }
    if (used.length >= MAX_DEPTH) return undefined;
    for (const next of pool) {
      if (used.includes(next) || !next.ca) continue;
      if (!issuedBy(cert, next)) continue;
      const found = this.buildPath(next, pool, [...used, next]);
      if (found) return found;
    }
    return undefined;
  }

  /** Without an anchor: the longest chain of verified issuers among the sent certificates. */
  private longestPartialPath(leaf: ParsedCert, pool: ParsedCert[]): PathResult {
    const certs = [leaf];
    let cur = leaf;
    while (certs.length < MAX_DEPTH && !cur.selfSigned) {
      const next = pool.find((c) => !certs.includes(c) && c.ca && issuedBy(cur, c));
      if (!next) break;
      certs.push(next);
      cur = next;
    }
    return { certs };
  }

  /** The named issuer was sent but is not a CA (a leaf used to sign another leaf). */
  private issuerNotCa(cert: ParsedCert, pool: ParsedCert[]): boolean {
    return pool.some((c) => !c.ca && issuedBy(cert, c));
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
