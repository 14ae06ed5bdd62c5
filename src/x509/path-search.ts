/**
 * Certification path search over the certificates one server sent, bounded the way Go's
 * crypto/x509 bounds it (verify.go `buildChains`), because the certificates are the
 * attacker's: a leaf followed by copies of one self-signed CA made the plain depth-first
 * search factorial (15 copies hung `gotap report`).
 *
 * - Candidates for a certificate's issuer are only the sent certificates and anchors whose
 *   subject has its issuer's `nameKey` (X509_check_issued demands equal names anyway; Go
 *   looks candidates up by raw issuer name the same way).
 * - Certificates sent twice (same DER) count once.
 * - A candidate with the same subject, key and subjectAltName as a certificate already on
 *   the path is not tried (Go's `alreadyInChain`), so re-issued or cross-signed copies of
 *   one CA cannot loop.
 * - A sent certificate from which no anchor is reachable by any path is not searched
 *   again (a failed branch is remembered, unless it failed only because of the path that
 *   led there: a candidate already on that path, or the depth limit).
 * - Every issuer candidate considered counts, at most MAX_SIGNATURE_CHECKS per assessment
 *   (Go's maxChainSignatureChecks; each pair's signature is verified once, later
 *   considerations reuse the result). When the budget runs out the search stops:
 *   `exhausted`, and the caller reports a `path-search-limit` problem, untrusted.
 * So the work per assessment is bounded by the budget whatever was sent. Remembering
 * failures never hides a path (a branch is remembered only when no path from it exists),
 * and a real chain (2–5 certificates) gets the path plain depth-first search gave it.
 */
import { nameKey } from './der-fields.js';
import { issuedBy, type ParsedCert } from './certificate.js';
import type { Anchor } from './anchors.js';

/** Issuer candidates checked per assessment at most (Go: maxChainSignatureChecks = 100). */
export const MAX_SIGNATURE_CHECKS = 100;
/** Longest path built (leaf + intermediates), as OpenSSL's default depth. */
export const MAX_DEPTH = 10;

export interface AnchorLookup {
  /** Anchors whose subject has this `nameKey`. */
  named(key: string): Anchor[];
}

export interface PathResult {
  certs: ParsedCert[];
  anchor?: Anchor;
}

/** Go's alreadyInChain: same subject, same key, same subjectAltName. */
function sameEntity(a: ParsedCert, b: ParsedCert): boolean {
  return a.subject === b.subject && a.spkiSha256 === b.spkiSha256 && a.x509.subjectAltName === b.x509.subjectAltName;
}

export class PathSearch {
  /** Issuer candidates checked so far (each a name/key-identifier match and, when that passes, a signature verification). */
  signatureChecks = 0;
  /** The budget ran out: a verdict built on this search is incomplete. */
  exhausted = false;
  private readonly checked = new Map<ParsedCert, Map<ParsedCert, boolean>>();
  private readonly poolByName = new Map<string, ParsedCert[]>();
  private readonly failed = new Set<ParsedCert>();

  /** `pool`: the sent certificates after the leaf, without repeats, in the order sent. */
  constructor(
    private readonly anchors: AnchorLookup,
    pool: ParsedCert[],
    private readonly budget = MAX_SIGNATURE_CHECKS,
  ) {
    for (const c of pool) {
      const key = nameKey(c.subject);
      const list = this.poolByName.get(key);
      if (list) list.push(c);
      else this.poolByName.set(key, [c]);
    }
  }

  /** One more issuer candidate considered; false once the budget is spent. */
  private spend(): boolean {
    if (this.signatureChecks >= this.budget) {
      this.exhausted = true;
      return false;
    }
    this.signatureChecks++;
    return true;
  }

  /** Does `issuer` sign `cert`? Counted; verified once per pair. */
  issued(cert: ParsedCert, issuer: ParsedCert): boolean {
    if (!this.spend()) return false;
    let row = this.checked.get(cert);
    const known = row?.get(issuer);
    if (known !== undefined) return known;
    const ok = issuedBy(cert, issuer);
    if (!row) this.checked.set(cert, (row = new Map()));
    row.set(issuer, ok);
    return ok;
  }

  /** Does `issuer`'s key verify `cert`'s signature, names aside? Counted against the budget; false once it is spent. */
  signedByKey(cert: ParsedCert, issuer: ParsedCert): boolean {
    if (!this.spend()) return false;
    try {
      return cert.x509.verify(issuer.x509.publicKey);
    } catch {
      return false;
    }
  }

  /** Sent certificates whose subject is `cert`'s issuer name. */
  candidates(cert: ParsedCert): ParsedCert[] {
    return this.poolByName.get(nameKey(cert.issuer)) ?? [];
  }

  /**
   * Depth-first path from `leaf` to an anchor: at each certificate, first whether it is an
   * anchor itself (`selfAnchor`), then the anchors that issued it, then the sent CAs that
   * issued it, in the order sent.
   */
  toAnchor(leaf: ParsedCert, selfAnchor: (cert: ParsedCert) => Anchor | undefined): PathResult | undefined {
    // `dependsOn`: the lowest path index whose certificate cut the search short (a candidate
    // already on the path, or -1 for the depth limit); a certificate at index i whose failure
    // depends only on indexes ≥ i failed whatever path led to it.
    const walk = (path: ParsedCert[]): { found?: PathResult; dependsOn: number } => {
      const at = path.length - 1;
      const cert = path[at] as ParsedCert;
      const self = selfAnchor(cert);
      if (self) return { found: { certs: path.slice(0, -1), anchor: self }, dependsOn: Infinity };
      if (this.failed.has(cert)) return { dependsOn: Infinity };
      for (const a of this.anchors.named(nameKey(cert.issuer))) {
        if (this.issued(cert, a.cert)) return { found: { certs: path, anchor: a }, dependsOn: Infinity };
      }
      let dependsOn = Infinity;
      for (const next of this.candidates(cert)) {
        if (this.exhausted) break;
        if (!next.ca) continue;
        const onPath = path.findIndex((p) => sameEntity(p, next));
        if (onPath >= 0) {
          dependsOn = Math.min(dependsOn, onPath);
          continue;
        }
        if (path.length >= MAX_DEPTH) {
          dependsOn = -1;
          break;
        }
        if (!this.issued(cert, next)) continue;
        const r = walk([...path, next]);
        if (r.found) return r;
        dependsOn = Math.min(dependsOn, r.dependsOn);
      }
      if (dependsOn >= at && !this.exhausted) this.failed.add(cert);
      return { dependsOn };
    };
    return walk([leaf]).found;
  }

  /** Without an anchor: the chain of verified issuers among the sent CAs, taking the first that verifies at each step. */
  longestPartial(leaf: ParsedCert): PathResult {
    const certs = [leaf];
    let cur = leaf;
    while (certs.length < MAX_DEPTH && !cur.selfSigned) {
      const next = this.candidates(cur).find((c) => c.ca && !certs.some((p) => sameEntity(p, c)) && this.issued(cur, c));
      if (!next) break;
      certs.push(next);
      cur = next;
    }
    return { certs };
  }

  /** The named issuer was sent but is not a CA (a leaf used to sign another leaf). */
  issuerNotCa(cert: ParsedCert): boolean {
    return this.candidates(cert).some((c) => !c.ca && this.issued(cert, c));
  }
}
