/**
 * The one-sentence verdict every report and view leads with: the most severe finding's
 * title and the count by severity ("TLS to proxy.golang.org is intercepted by Zscaler;
 * 2 critical, 3 warnings"), or what was seen when nothing is wrong. Derived from a
 * snapshot, so the dashboard and the reports cannot disagree. The text embeds finding
 * titles and host names (packet data): views sanitise it.
 */
import type { Severity } from '../findings/types.js';
import { OTHER_HOSTS_KEY } from './model-builder.js';
import type { ModelSnapshot } from './types.js';

export interface Verdict {
  /** The worst severity found, or 'clean'. */
  status: Severity | 'clean';
  sentence: string;
  findings: Record<Severity, number>;
}

const MAX_NAMED_HOSTS = 4;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function countsText(c: Record<Severity, number>): string {
  const parts: string[] = [];
  if (c.critical > 0) parts.push(`${c.critical} critical`);
  if (c.warn > 0) parts.push(plural(c.warn, 'warning', 'warnings'));
  if (c.info > 0) parts.push(plural(c.info, 'note', 'notes'));
  return parts.join(', ');
}

export function verdictOf(m: ModelSnapshot): Verdict {
  const c = m.counts.findingsBySeverity;
  const findings = { critical: c.critical, warn: c.warn, info: c.info };
  const status: Verdict['status'] = c.critical > 0 ? 'critical' : c.warn > 0 ? 'warn' : c.info > 0 ? 'info' : 'clean';
  const top = m.findings[0];
  if (status === 'clean' || top === undefined) {
    const goHosts = m.hosts.filter((h) => h.role !== 'other' && h.role !== 'resolver' && h.key !== OTHER_HOSTS_KEY).map((h) => h.key);
    const named = goHosts.slice(0, MAX_NAMED_HOSTS).join(', ') + (goHosts.length > MAX_NAMED_HOSTS ? ', …' : '');
    const seen = `${plural(m.counts.flows, 'flow', 'flows')} to ${plural(m.hosts.length, 'host', 'hosts')}`;
    const sentence =
      status === 'clean'
        ? `No problems found: ${seen}${goHosts.length > 0 ? `, Go hosts ${named}` : ', none with a Go role'}`
        : `${countsText(findings)} (details below)`;
    return { status, sentence, findings };
  }
  if (status === 'info') {
    const hidden = m.findings.filter((f) => f.id === 'tls-certificate-not-visible').length;
    if (hidden === 0) return { status, sentence: `No problems found; ${countsText(findings)} (${top.title})`, findings };
    const others = { ...findings, info: findings.info - hidden };
    const rest = others.info > 0 ? `; ${countsText(others)}` : '';
    const what = hidden === 1 ? "1 Go host's certificate" : `${hidden} Go hosts' certificates`;
    return { status, sentence: `No problems seen; ${what} not visible (TLS 1.3)${rest}`, findings };
  }
  return { status, sentence: `${top.title}; ${countsText(findings)}`, findings };
}
