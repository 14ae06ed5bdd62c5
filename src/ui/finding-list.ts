/**
 * The order the findings panel shows: most severe first, and within a severity the newest
 * first (by the capture time of a finding's latest evidence, then by position in the model,
 * which is the order detectors emitted them).
 */
import type { Finding } from '../findings/types.js';
import { SEVERITY_RANK } from './format.js';

export interface IndexedFinding {
  finding: Finding;
  /** Index into ModelSnapshot.findings (what HostSummary.findings refers to). */
  index: number;
}

function latest(f: Finding): number {
  let t = -Infinity;
  for (const e of f.evidence) if (e.ts > t) t = e.ts;
  return t;
}

export function orderFindings(findings: readonly Finding[]): IndexedFinding[] {
  const items = findings.map((finding, index) => ({ finding, index, ts: latest(finding) }));
  items.sort(
    (a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] || b.ts - a.ts || b.index - a.index,
  );
  return items.map(({ finding, index }) => ({ finding, index }));
}
