/**
 * The findings contract, shared by detectors, the model, every view and report. A finding
 * is the user-facing verdict: what was seen (with the frames that prove it) and the
 * concrete action that fixes it (docs/detectors.md documents every id).
 *
 * Texts are structured messages (message.ts): static wording from gotap plus values from
 * packets or settings, and code spans, so each renderer formats and escapes them itself.
 * `title`/`detail`/`fix` hold the plain rendering (code spans in backticks) for views that
 * print text; `values` carries the facts a machine-readable writer wants without parsing
 * English. A published finding is immutable: an update is a new version with the same key.
 */
import type { Message } from './message.js';

export type Severity = 'info' | 'warn' | 'critical';

/** Every finding id gotap emits (docs/detectors.md has one section per id). */
export const FINDING_IDS = [
  'tls-interception',
  'tls-client-rejected-certificate',
  'tls-untrusted-chain',
  'tls-self-signed',
  'tls-expired',
  'tls-not-yet-valid',
  'tls-hostname-mismatch',
  'tls-incomplete-chain',
  'tls-trusted-by-user-ca',
  'tls-unexpected-issuer',
  'tls-leaf-key-reuse',
  'tls-shared-leaf-key',
  'tls-fresh-leaf',
  'tls-downgrade',
  'tls-certificate-not-visible',
  'tls-server-hello-shape',
  'dns-conflicting-responses',
  'dns-bogon-answer',
  'dns-unexpected-address',
  'dns-error-for-go-host',
  'dns-resolver-disagreement',
  'http-plaintext-go',
  'http-redirect-to-http',
  'http-connect-proxy',
  'go-download-via-unknown-host',
  'policy-proxy-not-in-goproxy',
  'policy-sumdb-contacted-while-off',
  'policy-private-module-leaked',
  'policy-unexpected-sumdb',
  'policy-fallback',
  'policy-sumdb-via-proxy',
  'policy-contact-explained',
  'stream-ambiguity',
  'findings-capped',
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export interface Evidence {
  /** Frame number to look up in Wireshark. */
  packet: number;
  ts: number;
  flowId: number;
  /** What this frame shows ("ServerHello chose TLS 1.2"). */
  what: string;
}

/** Facts a finding is about, apart from its wording (all optional; exact packet strings). */
export interface FindingValues {
  host?: string;
  /** Certificate issuer as shown (CN, else O, else the DN). */
  issuer?: string;
  /** Interception product ("Zscaler"). */
  product?: string;
  /** Frames of the evidence, de-duplicated, in order. */
  frames?: number[];
  /** go env settings the finding is judged against ("GOPROXY" → value). */
  settings?: Record<string, string>;
  /** Module paths involved. */
  modules?: string[];
  /** How many occurrences the finding aggregates. */
  count?: number;
}

/** What a detector concludes: a finding before the store gives it a key, version and evidence. */
export interface FindingDraft {
  id: FindingId;
  severity: Severity;
  title: Message;
  detail: Message;
  fix: Message;
  host?: string;
  values?: FindingValues;
}

export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  /** Plain renderings of `text` (code spans in backticks). */
  readonly title: string;
  readonly detail: string;
  readonly host?: string;
  readonly evidence: readonly Evidence[];
  readonly fix: string;
  readonly text: { readonly title: Message; readonly detail: Message; readonly fix: Message };
  readonly values: FindingValues;
  /** Identity across versions: the store's aggregation key. */
  readonly key: string;
  /** 1 for the first publication, +1 for every update of the same key. */
  readonly version: number;
}

export type FindingSink = (f: Finding) => void;
