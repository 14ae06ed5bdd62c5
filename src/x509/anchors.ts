/**
 * The trust anchors, indexed by subject name, subject key identifier and organisation.
 * Node's Mozilla roots are indexed on first use from their DER names alone (der-names.ts,
 * a few ms) and each root is parsed fully only when some certificate names it as issuer,
 * so `TrustStore.create` costs nothing for them and a capture without a certificate chain
 * never parses one. The user's CAs (--ca-file / config) are parsed at once, since a bad
 * file must fail at start. A user CA that repeats a public root (corporate bundles often
 * do) stays public; on equal names the public roots come first, as if loaded first.
 */
import { createHash } from 'node:crypto';
import { formatName, nameKey, nameValue } from './der-fields.js';
import { readSubjectQuickly } from './der-names.js';
import { parseCertificate, pemBlocks, type ParsedCert } from './certificate.js';

export interface Anchor {
  cert: ParsedCert;
  userSupplied: boolean;
}

interface Entry {
  der: Uint8Array;
  fingerprint256: string;
  subject: string;
  organisation?: string;
  subjectKeyId?: string;
  userSupplied: boolean;
  /** Parsed on first use; null when it cannot be. */
  anchor?: Anchor | null;
}

/**
 * An organisation name without case, punctuation or legal-form suffix, so "Google Trust
 * Services" (the name in GTS intermediates) and "Google Trust Services LLC" (in its roots)
 * compare equal.
 */
export function organisationKey(org: string): string {
  const words = org.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ');
  const legal = new Set(['llc', 'inc', 'incorporated', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'sa', 'nv', 'bv', 'plc', 'spa', 'srl', 'as', 'ab', 'oy', 'kk', 'se']);
  while (words.length > 1 && legal.has(words[words.length - 1] as string)) words.pop();
  return words.join(' ');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class AnchorIndex {
  private readonly userEntries: Entry[] = [];
  private indexed = false;
  private readonly bySubject = new Map<string, Entry[]>();
  private readonly byKeyId = new Map<string, Entry[]>();
  private readonly publicByOrganisation = new Map<string, Entry[]>();

  constructor(private readonly publicPems: readonly string[]) {}

  addUser(cert: ParsedCert): void {
    if (this.userEntries.some((e) => e.fingerprint256 === cert.fingerprint256)) return;
    this.userEntries.push({
      der: cert.der,
      fingerprint256: cert.fingerprint256,
      subject: cert.subject,
      organisation: nameValue(cert.fields.subject, 'O'),
      subjectKeyId: cert.fields.subjectKeyId,
      userSupplied: true,
      anchor: { cert, userSupplied: true },
    });
  }

  /** User CAs that are not also public roots. */
  get userCount(): number {
    this.ensureIndexed();
    return this.userEntries.filter((e) => e.userSupplied).length;
  }

  /** Anchors parsed so far (the start-up cost: none until a chain names one). */
  get parsedCount(): number {
    let n = 0;
    for (const list of this.bySubject.values()) for (const e of list) if (e.anchor) n++;
    return this.indexed ? n : this.userEntries.length;
  }

  /** Anchors whose subject has this `nameKey`, public roots first. */
  named(key: string): Anchor[] {
    this.ensureIndexed();
    return this.anchorsOf(this.bySubject.get(key));
  }

  /** Anchors whose subjectKeyIdentifier is this (hex). */
  withKeyId(keyId: string): Anchor[] {
    this.ensureIndexed();
    return this.anchorsOf(this.byKeyId.get(keyId));
  }

  /** The public roots with this subjectKeyIdentifier (hex), `nameKey`, or `organisationKey`. */
  publicRoots(by: 'key' | 'name' | 'organisation', key: string): { subject: string; organisation?: string }[] {
    this.ensureIndexed();
    const map = by === 'key' ? this.byKeyId : by === 'name' ? this.bySubject : this.publicByOrganisation;
    return (map.get(key) ?? []).filter((e) => !e.userSupplied).map((e) => ({ subject: e.subject, organisation: e.organisation }));
  }

  private anchorsOf(entries: Entry[] | undefined): Anchor[] {
    const out: Anchor[] = [];
    for (const e of entries ?? []) {
      if (e.anchor === undefined) {
        const cert = parseCertificate(e.der);
        e.anchor = cert ? { cert, userSupplied: e.userSupplied } : null;
      }
      if (e.anchor) out.push(e.anchor);
    }
    return out;
  }

  private ensureIndexed(): void {
    if (this.indexed) return;
    this.indexed = true;
    const userByFingerprint = new Map(this.userEntries.map((e) => [e.fingerprint256, e]));
    const entries: Entry[] = [];
    for (const pem of this.publicPems) {
      for (const der of pemBlocks(pem)) {
        const fingerprint256 = createHash('sha256').update(der).digest('hex');
        const repeated = userByFingerprint.get(fingerprint256);
        if (repeated) {
          // Keeps its place among the public roots, as a public root.
          repeated.userSupplied = false;
          repeated.anchor = repeated.anchor && { cert: repeated.anchor.cert, userSupplied: false };
          entries.push(repeated);
          continue;
        }
        const names = readSubjectQuickly(der);
        if (!names) continue;
        entries.push({
          der,
          fingerprint256,
          subject: formatName(names.subject),
          organisation: nameValue(names.subject, 'O'),
          subjectKeyId: names.subjectKeyId,
          userSupplied: false,
        });
      }
    }
    entries.push(...this.userEntries.filter((e) => e.userSupplied));
    for (const e of entries) {
      push(this.bySubject, nameKey(e.subject), e);
      if (e.subjectKeyId !== undefined) push(this.byKeyId, e.subjectKeyId, e);
      if (!e.userSupplied && e.organisation !== undefined) push(this.publicByOrganisation, organisationKey(e.organisation), e);
    }
  }
}
