/**
 * Keeps findings bounded: one Finding per (id, host, severity), however many connections
 * show the same problem. The first occurrence is handed to the sink at once (a live view
 * shows it immediately); later occurrences update that same object in place — evidence
 * grows up to MAX_EVIDENCE frames and the detail's occurrence count goes up. Severity is
 * part of the key and never changes after the sink saw it, so consumers may count and sort
 * by it on receipt (the same interception seen trusted and then rejected is two findings).
 * The number of distinct keys is capped too, since host names come from packets.
 */
import type { Evidence, Finding, FindingSink, Severity } from '../types.js';

export const MAX_EVIDENCE = 10;
export const MAX_FINDINGS = 2000;

const RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

/** A finding as a detector concludes it from one observation. */
export interface FindingDraft {
  id: string;
  severity: Severity;
  title: string;
  /** What was observed; the book appends the occurrence count. */
  detail: string;
  host?: string;
  fix: string;
}

interface Entry {
  finding: Finding;
  baseDetail: string;
  count: number;
}

export class FindingBook {
  private readonly entries = new Map<string, Entry>();
  /** Findings not recorded because MAX_FINDINGS was reached. */
  dropped = 0;

  constructor(private readonly sink: FindingSink) {}

  report(draft: FindingDraft, evidence: Evidence[]): void {
    const key = `${draft.id}\u0000${draft.host ?? ''}\u0000${draft.severity}`;
    const entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= MAX_FINDINGS) {
        this.dropped++;
        return;
      }
      const finding: Finding = {
        id: draft.id,
        severity: draft.severity,
        title: draft.title,
        detail: draft.detail,
        host: draft.host,
        evidence: evidence.slice(0, MAX_EVIDENCE),
        fix: draft.fix,
      };
      this.entries.set(key, { finding, baseDetail: draft.detail, count: 1 });
      this.sink(finding);
      return;
    }
    const f = entry.finding;
    entry.count++;
    for (const e of evidence) {
      if (f.evidence.length >= MAX_EVIDENCE) break;
      if (!f.evidence.some((x) => x.packet === e.packet && x.what === e.what)) f.evidence.push(e);
    }
    f.detail = `${entry.baseDetail} Seen in ${entry.count} connections${entry.count > MAX_EVIDENCE ? ` (evidence lists the first frames)` : ''}.`;
  }

  findings(): Finding[] {
    return [...this.entries.values()].map((e) => e.finding);
  }
}
