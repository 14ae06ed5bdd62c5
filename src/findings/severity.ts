/**
 * The order of severities and of findings, in one place, so detectors, the model, the
 * views, `--fail-on` and `gotap probe` agree on what "worse" means.
 */
import type { Finding, FindingId, Severity } from './types.js';

export const SEVERITIES: readonly Severity[] = ['info', 'warn', 'critical'];

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** The worse of two severities (undefined counts as none). */
export function worseSeverity(a: Severity | undefined, b: Severity): Severity {
  return a === undefined || SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

/** Time of a finding: its earliest evidence, or +∞ when it has none. */
export function findingTs(f: Pick<Finding, 'evidence'>): number {
  let ts = Infinity;
  for (const e of f.evidence) if (e.ts < ts) ts = e.ts;
  return ts;
}

// Within one severity, the findings that answer "is someone in the middle?" lead: they make
// the report's verdict sentence. The rest keep the order of their first evidence.
const HEADLINE_IDS: readonly FindingId[] = ['tls-interception', 'tls-client-rejected-certificate', 'tls-untrusted-chain', 'dns-conflicting-responses'];

function headlineRank(f: Finding): number {
  const i = HEADLINE_IDS.indexOf(f.id);
  return i < 0 ? HEADLINE_IDS.length : i;
}

/** Most severe first, then headline findings (interception first), then earliest evidence first. */
export function compareFindings(a: Finding, b: Finding): number {
  const ta = findingTs(a);
  const tb = findingTs(b);
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || headlineRank(a) - headlineRank(b) || (ta === tb ? 0 : ta < tb ? -1 : 1);
}
