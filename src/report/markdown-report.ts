/**
 * `gotap report --format md`: an incident report an engineer can paste into a ticket.
 * Verdict first (one sentence), then findings by severity with the frames that prove
 * them and the fix, then the host table, then the timeline. Every string that can come
 * from packets or from detectors quoting packets (names, titles, evidence) goes through
 * sanitizeMarkdown: Markdown syntax is escaped so a host name cannot become a link or
 * break the table, and control characters, ESC sequences and bidi overrides become
 * visible escapes, so the file is also safe to `cat`.
 */
import { runs, type Message } from '../findings/message.js';
import type { Finding, Severity } from '../findings/types.js';
import { OTHER_HOSTS_KEY } from '../model/model-builder.js';
import type { HostSummary, ModelSnapshot, TimelineEntry } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import { markdownCode, sanitizeMarkdown } from '../util/sanitize.js';
import { formatBytes, formatTs } from './text-writer.js';

const md = (s: string, max?: number): string => sanitizeMarkdown(s, max);

const SECTION: Record<Severity, string> = { critical: 'Critical', warn: 'Warnings', info: 'Informational' };
const ORDER: Severity[] = ['critical', 'warn', 'info'];
const LIST_MAX = 4;
const CELL_MAX = 80;

/** "a, b (+2 more)", each item escaped. */
function cellList(items: readonly (string | number)[], max = LIST_MAX): string {
  if (items.length === 0) return '–';
  const shown = items.slice(0, max).map((i) => md(String(i), CELL_MAX));
  return shown.join(', ') + (items.length > max ? ` (+${items.length - max} more)` : '');
}

/** Time of day with milliseconds, UTC ("21:18:18.136"); the date is in the header. */
function timeOfDay(ts: number): string {
  return Number.isFinite(ts) ? new Date(Math.round(ts * 1000)).toISOString().slice(11, 23) : '–';
}

function header(m: ModelSnapshot): string[] {
  const c = m.capture;
  const source = c.source === '-' ? 'standard input' : c.source;
  const lines = [`# gotap incident report`, '', `**Verdict:** ${md(verdictOf(m).sentence)}`, ''];
  const span = c.firstTs !== null && c.lastTs !== null ? `, ${formatTs(c.firstTs)} → ${formatTs(c.lastTs)} (${(c.lastTs - c.firstTs).toFixed(3)} s)` : '';
  lines.push(
    `Capture ${md(source)}: ${md(c.format ?? 'unknown format')}, ${c.packets} packets${span}; ` +
      `${m.counts.flows} flows (${m.counts.tcpFlows} TCP, ${m.counts.udpFlows} UDP) to ${m.hosts.length} hosts.`,
  );
  if (c.truncated !== null) lines.push('', `> **Warning:** the capture is incomplete (${md(c.truncated)}); results cover the readable part.`);
  if (c.drops !== undefined && c.drops > 0) lines.push('', `> **Warning:** ${c.drops} packets were dropped by the capture; some traffic is missing.`);
  const problems = Object.entries(c.problems);
  if (problems.length > 0) lines.push('', `Malformed input skipped: ${problems.map(([k, n]) => `${md(k)} (${n})`).join('; ')}.`);
  if (m.overflow.hostsFolded > 0) lines.push('', `${m.overflow.hostsFolded} hosts beyond the model's cap are aggregated as "${OTHER_HOSTS_KEY}".`);
  return lines;
}

/** A finding text: prose escaped, code spans as real code spans. */
function mdText(m: Message): string {
  return runs(m)
    .map((r) => (r.code ? markdownCode(r.text) : md(r.text)))
    .join('');
}

function findingBlock(f: Finding, n: number): string[] {
  const lines = [`#### ${n}. ${mdText(f.text.title)}`, ''];
  if (f.host !== undefined) lines.push(`- **Host:** ${md(f.host)}`);
  lines.push(`- **Finding:** ${md(f.id)}`, `- **What:** ${mdText(f.text.detail)}`);
  if (f.evidence.length > 0) {
    lines.push('- **Evidence:**');
    for (const e of f.evidence) lines.push(`  - frame ${e.packet} (${timeOfDay(e.ts)}, flow ${e.flowId}): ${md(e.what)}`);
  }
  lines.push(`- **Fix:** ${mdText(f.text.fix)}`, '');
  return lines;
}

function findings(m: ModelSnapshot): string[] {
  const lines = ['## Findings', ''];
  if (m.findings.length === 0) lines.push('No findings.', '');
  let n = 0;
  for (const sev of ORDER) {
    const group = m.findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    lines.push(`### ${SECTION[sev]} (${group.length})`, '');
    for (const f of group) lines.push(...findingBlock(f, ++n));
  }
  if (m.overflow.findingsDropped > 0) lines.push(`${m.overflow.findingsDropped} further findings were counted but not kept (finding cap).`, '');
  return lines;
}

function certificateCell(h: HostSummary): string {
  const c = h.certificate;
  if (c === undefined) return h.tls.versions.includes('TLS 1.3') ? 'not visible (TLS 1.3)' : '–';
  const product = c.interceptionProduct !== undefined ? `, ${md(c.interceptionProduct)}` : '';
  return `${c.verdict}${product}: issuer ${md(c.issuer, CELL_MAX)} (frame ${c.packet})`;
}

function goRequestsCell(h: HostSummary): string {
  const entries = Object.entries(h.goRequests);
  return entries.length === 0 ? '–' : entries.map(([kind, n]) => `${kind} ${n}`).join(', ');
}

function hosts(m: ModelSnapshot): string[] {
  const lines = [
    '## Hosts',
    '',
    '| Host | Role | Addresses | Flows | Bytes ↑/↓ | TLS | Certificate | Resolvers | Go requests | Worst |',
    '| --- | --- | --- | ---: | --- | --- | --- | --- | --- | --- |',
  ];
  for (const h of m.hosts) {
    const via = h.via.length > 0 ? ` via ${cellList(h.via)}` : '';
    lines.push(
      `| ${md(h.key, CELL_MAX)} | ${h.role} | ${cellList(h.addresses)}${via} | ${h.flows} | ${formatBytes(h.bytesUp)} / ${formatBytes(h.bytesDown)} | ` +
        `${cellList(h.tls.versions)} | ${certificateCell(h)} | ${cellList(h.resolvers)} | ${goRequestsCell(h)} | ${h.worst ?? '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

function timelineRow(e: TimelineEntry): string {
  return `| ${timeOfDay(e.ts)} | ${e.packet} | ${e.host !== undefined ? md(e.host, CELL_MAX) : '–'} | ${md(e.what, 200)} |`;
}

function timeline(m: ModelSnapshot): string[] {
  const lines = ['## Timeline', ''];
  if (m.timelineDropped > 0) lines.push(`(${m.timelineDropped} earlier entries not kept.)`, '');
  if (m.timeline.length === 0) return [...lines, 'Nothing to show.', ''];
  lines.push('| Time (UTC) | Frame | Host | Event |', '| --- | ---: | --- | --- |', ...m.timeline.map(timelineRow), '');
  return lines;
}

export function markdownReport(m: ModelSnapshot): string {
  return `${[...header(m), '', ...findings(m), ...hosts(m), ...timeline(m)].join('\n').trimEnd()}\n`;
}
