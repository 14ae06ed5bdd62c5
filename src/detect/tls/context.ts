/**
 * What the TLS detectors share: their options, the per-flow handshake frames they cite as
 * evidence (bounded, dropped when the flow ends), and the judgements several of them need
 * — which interception product a chain names, whether the user accepted it, and how
 * severe an interception signal is given how the chain is trusted.
 */
import type { CatalogEntry, FlowAttribution } from '../../attribution/types.js';
import type { CertificateSummary } from '../../model/types.js';
import type { GotapEvent, TlsCertificatesEvent } from '../../protocols/events.js';
import { tlsVersionName } from '../../protocols/tls/version-names.js';
import type { Evidence, Severity } from '../types.js';
import { matchInterceptionProduct } from '../../x509/interception-products.js';
import type { ChainAssessment } from '../../x509/trust-store.js';
import type { TrustStore } from '../../x509/trust-store.js';

export interface AcceptedInterceptionRule {
  /** Issuer organisation or common name, compared exactly. */
  issuer?: string;
  /** SHA-256 of a CA certificate's DER, lower-case hex. */
  fingerprint256?: string;
  /** Product name as gotap reports it ("Zscaler"). */
  product?: string;
}

export interface TlsDetectorOptions {
  trust: TrustStore;
  catalog: { lookup(host: string, path?: string): CatalogEntry | undefined };
  acceptedInterception?: AcceptedInterceptionRule[];
  /** Called for every server certificate chain seen, with its summary for the model. */
  onCertificate?: (ev: TlsCertificatesEvent, attribution: FlowAttribution, summary: CertificateSummary) => void;
}

/** Flows whose handshake frames are remembered at once (oldest forgotten first). */
const MAX_FLOWS = 8192;

export interface HandshakeFrames {
  clientHello?: Evidence;
  /** The ClientHello offered TLS 1.3 (supported_versions). */
  offered13?: boolean;
  serverHello?: Evidence;
  version?: number;
  certificate?: Evidence;
}

export class HandshakeTracker {
  private readonly flows = new Map<number, HandshakeFrames>();

  get(flowId: number): HandshakeFrames {
    let f = this.flows.get(flowId);
    if (!f) {
      if (this.flows.size >= MAX_FLOWS) {
        const oldest = this.flows.keys().next().value;
        if (oldest !== undefined) this.flows.delete(oldest);
      }
      f = {};
      this.flows.set(flowId, f);
    }
    return f;
  }

  /** Keeps a ClientHello or ServerHello as evidence for its flow; false for any other event. */
  observeHello(ev: GotapEvent): boolean {
    if (ev.type === 'tls-client-hello') {
      const what = `ClientHello${ev.sni === undefined ? ' (no SNI)' : ` SNI ${ev.sni}`}`;
      this.get(ev.flowId).clientHello = { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what };
      return true;
    }
    if (ev.type === 'tls-server-hello') {
      this.get(ev.flowId).serverHello = { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `ServerHello chose ${tlsVersionName(ev.version)}` };
      return true;
    }
    return false;
  }

  /** The flow's ClientHello and ServerHello evidence, then `last` (the Certificate). */
  evidence(flowId: number, last: Evidence): Evidence[] {
    const f = this.get(flowId);
    const out: Evidence[] = [];
    if (f.clientHello) out.push(f.clientHello);
    if (f.serverHello) out.push(f.serverHello);
    out.push(last);
    return out;
  }

  end(flowId: number): void {
    this.flows.delete(flowId);
  }
}

/** The name to check the leaf against: the flow's host (SNI when there was one). */
export function serverNameOf(attribution: FlowAttribution): string | undefined {
  return attribution.nameSource === 'none' ? undefined : attribution.host;
}

/** The host a finding is about: its name, else the server address. */
export function findingHost(attribution: FlowAttribution): string | undefined {
  return attribution.host ?? (attribution.address === '' ? undefined : attribution.address);
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
export function isAccepted(a: ChainAssessment, product: string | undefined, rules: AcceptedInterceptionRule[] | undefined): boolean {
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

export function issuerLabel(a: ChainAssessment): string {
  const leaf = a.leaf;
  if (!leaf) return 'an unparseable certificate';
  return leaf.issuerCn ?? leaf.issuerOrg ?? leaf.issuer;
}
