/**
 * The certificate-chain fact: a server's chain assessed once, at the packet's capture
 * time, for the flow's server name — trust verdict, the interception product its
 * certificates name, whether the user's config accepts that interception, and the summary
 * the model shows. Detectors and the model read this fact; none of them parses DER or
 * verifies signatures again.
 */
import type { CertificateSummary } from '../model/types.js';
import { matchInterceptionProduct } from '../x509/interception-products.js';
import type { ChainAssessment, TrustStore } from '../x509/trust-store.js';
import type { Severity } from '../findings/types.js';

export interface AcceptedInterceptionRule {
  /** Issuer organisation or common name, compared exactly. */
  issuer?: string;
  /** SHA-256 of a CA certificate's DER, lower-case hex. */
  fingerprint256?: string;
  /** Product name as gotap reports it ("Zscaler"). */
  product?: string;
}

export interface ChainFact {
  assessment: ChainAssessment;
  /** The interception product any certificate of the chain names. */
  product?: string;
  /** The chain matches one of the user's acceptedInterception rules. */
  accepted: boolean;
  summary: CertificateSummary;
  /** The name the leaf was checked against (SNI or the flow's host), if any. */
  serverName?: string;
  packet: number;
  ts: number;
}

/** The interception product any certificate of the chain names (issuer, or a sent CA's subject). */
export function productOf(a: ChainAssessment): string | undefined {
  for (const [i, c] of a.chain.entries()) {
    const byIssuer = matchInterceptionProduct(c.issuerCn, c.issuerOrg);
    if (byIssuer) return byIssuer;
    if (i > 0) {
      const bySubject = matchInterceptionProduct(c.subjectCn, c.subjectOrg);
      if (bySubject) return bySubject;
    }
  }
  return undefined;
}

/** The chain matches one of the user's acceptedInterception rules (every field a rule sets must match). */
export function isAccepted(a: ChainAssessment, product: string | undefined, rules: readonly AcceptedInterceptionRule[] | undefined): boolean {
  if (!rules || rules.length === 0) return false;
  const issuers = new Set<string>();
  const fingerprints = new Set<string>();
  for (const c of a.chain) {
    for (const v of [c.issuerCn, c.issuerOrg]) if (v !== undefined) issuers.add(v);
    fingerprints.add(c.fingerprint256);
  }
  if (a.anchor?.fingerprint256) fingerprints.add(a.anchor.fingerprint256);
  return rules.some((r) => {
    if (r.issuer === undefined && r.fingerprint256 === undefined && r.product === undefined) return false;
    if (r.issuer !== undefined && !issuers.has(r.issuer)) return false;
    if (r.fingerprint256 !== undefined && !fingerprints.has(r.fingerprint256.toLowerCase().replace(/:/g, ''))) return false;
    if (r.product !== undefined && r.product !== product) return false;
    return true;
  });
}

/**
 * How severe an interception signal is: critical when the chain is not trusted (the go
 * command fails or someone forged it), warn when the user's own CA makes it verify,
 * info when the user listed it in acceptedInterception.
 */
export function interceptionSeverity(a: ChainAssessment, accepted: boolean): Severity {
  if (accepted) return 'info';
  if (a.verdict === 'trusted-by-user-ca' || a.verdict === 'trusted') return 'warn';
  return 'critical';
}

/** The leaf's key is its issuer's key (mitmproxy style): by issuer SPKI, or by equal key identifiers when the issuer was not sent. */
export function leafKeyIsIssuerKey(a: ChainAssessment): boolean {
  const leaf = a.leaf;
  if (!leaf || leaf.selfSigned) return false;
  if (a.issuerSpkiSha256 !== undefined) return a.issuerSpkiSha256 === leaf.spkiSha256;
  return leaf.subjectKeyId !== undefined && leaf.subjectKeyId === leaf.authorityKeyId;
}

/** The leaf's issuer as people name it: CN, else O, else the whole DN. */
export function issuerLabel(a: ChainAssessment): string {
  const leaf = a.leaf;
  if (!leaf) return 'an unparseable certificate';
  return leaf.issuerCn ?? leaf.issuerOrg ?? leaf.issuer;
}

export function certificateSummary(a: ChainAssessment, packet: number, product: string | undefined): CertificateSummary {
  return {
    subject: a.leaf?.subject ?? '(unparseable)',
    issuer: a.leaf?.issuer ?? '(unparseable)',
    issuerOrg: a.leaf?.issuerOrg,
    notBefore: a.leaf?.notBefore ?? '',
    notAfter: a.leaf?.notAfter ?? '',
    fingerprint256: a.leaf?.fingerprint256 ?? '',
    chainLength: a.chainLength,
    verdict: a.verdict,
    interceptionProduct: product,
    packet,
  };
}

/** Assesses a chain (DER, leaf first) seen at `ts` in frame `packet` for `serverName`. */
export function assessChainFact(
  trust: TrustStore,
  certs: Uint8Array[],
  at: { ts: number; packet: number },
  serverName: string | undefined,
  rules: readonly AcceptedInterceptionRule[] | undefined,
): ChainFact {
  const assessment = trust.assessChain(certs, at.ts, serverName);
  const product = productOf(assessment);
  return {
    assessment,
    ...(product !== undefined ? { product } : {}),
    accepted: isAccepted(assessment, product, rules),
    summary: certificateSummary(assessment, at.packet, product),
    ...(serverName !== undefined ? { serverName } : {}),
    packet: at.packet,
    ts: at.ts,
  };
}
