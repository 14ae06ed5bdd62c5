/**
 * Live output without the dashboard (`--no-ui`, or stdout is not a terminal): one line per
 * new host, per process newly seen talking to a host, and per new finding, found by
 * comparing model snapshots; and the final plain-text summary (verdict, hosts table,
 * findings with evidence and fix) that live and watch print when the capture stops.
 * Every model string is packet data: each goes through sanitizeTerminal before printing.
 */
import type { Finding } from '../findings/types.js';
import { OTHER_HOSTS_KEY } from '../model/model-builder.js';
import type { HostSummary, ModelSnapshot } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import { formatBytes } from '../report/text-writer.js';
import { SEVERITY_TAG, certificateLabel, roleShort, tlsLabel } from '../ui/format.js';
import { sanitizeShort, sanitizeTerminal } from '../util/sanitize.js';
import type { TcpdumpStats } from './tcpdump.js';

const NAME_MAX = 60;

function addressText(h: HostSummary): string {
  if (h.addresses.length === 0) return '';
  const ports = h.ports.length > 0 ? ` port ${h.ports.slice(0, 3).join(',')}` : '';
  return ` at ${h.addresses.slice(0, 3).map(sanitizeTerminal).join(', ')}${h.addresses.length > 3 ? ', …' : ''}${ports}`;
}

/** Prints what is new in each snapshot it is given. Memory: the keys of hosts and findings, both capped by the model. */
export class LinePrinter {
  private readonly hosts = new Map<string, Set<string>>();
  private readonly findings = new Set<string>();

  constructor(private readonly write: (line: string) => void) {}

  update(snap: ModelSnapshot): void {
    for (const h of snap.hosts) {
      let processes = this.hosts.get(h.key);
      if (!processes) {
        processes = new Set();
        this.hosts.set(h.key, processes);
        this.write(`host ${sanitizeShort(h.key, NAME_MAX)} [${roleShort(h.role)}] ${sanitizeTerminal(h.roleLabel)}${addressText(h)}`);
      }
      for (const p of h.processes) {
        if (processes.has(p)) continue;
        processes.add(p);
        this.write(`process ${sanitizeShort(h.key, NAME_MAX)}: ${sanitizeTerminal(p)}`);
      }
    }
    for (const f of snap.findings) {
      const key = f.key;
      if (this.findings.has(key)) continue;
      this.findings.add(key);
      const host = f.host ? ` (${sanitizeShort(f.host, NAME_MAX)})` : '';
      this.write(`finding ${SEVERITY_TAG[f.severity]} ${sanitizeTerminal(f.id)}: ${sanitizeTerminal(f.title)}${host}`);
    }
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
      .join('  ')
      .trimEnd(),
  );
}

function frames(f: Finding): string {
  const packets = [...new Set(f.evidence.map((e) => e.packet))];
  if (packets.length === 0) return '';
  return `frame${packets.length === 1 ? '' : 's'} ${packets.slice(0, 8).join(', ')}${packets.length > 8 ? ` (+${packets.length - 8} more)` : ''}`;
}

export interface SummaryExtras {
  /** tcpdump's exit statistics. */
  stats?: TcpdumpStats;
  /** Where the report was written. */
  reportFile?: string;
}

/** The final summary as plain text (lines end with \n). */
export function summaryText(snap: ModelSnapshot, extras: SummaryExtras = {}): string {
  const out: string[] = [];
  const verdict = verdictOf(snap);
  const c = snap.capture;
  out.push(`gotap: ${sanitizeTerminal(verdict.sentence)}`);
  const dropped = extras.stats?.dropped ?? c.drops;
  const problems = Object.values(c.problems).reduce((a, b) => a + b, 0);
  out.push(
    `capture: ${c.packets} packets, ${formatBytes(c.bytes)}, ${snap.counts.flows} flows` +
      (dropped !== undefined ? `, ${dropped} dropped by the kernel` : '') +
      (problems > 0 ? `, ${problems} decode problems` : ''),
  );
  if (dropped !== undefined && dropped > 0) out.push('warning: tcpdump lost packets: results may miss connections (use a narrower -f filter)');
  const hosts = snap.hosts.filter((h) => h.key !== OTHER_HOSTS_KEY || h.flows > 0);
  if (hosts.length > 0) {
    out.push('', 'hosts:');
    const rows = [['HOST', 'ROLE', 'FLOWS', 'UP', 'DOWN', 'TLS', 'CERT', 'PROCESS']];
    for (const h of hosts) {
      rows.push([
        sanitizeShort(h.key, NAME_MAX),
        roleShort(h.role),
        String(h.flows),
        formatBytes(h.bytesUp),
        formatBytes(h.bytesDown),
        tlsLabel(h) || '-',
        certificateLabel(h).text || '-',
        h.processes.map((p) => sanitizeShort(p, NAME_MAX)).join(', ') || '-',
      ]);
    }
    out.push(...table(rows).map((l) => `  ${l}`));
  }
  if (snap.findings.length > 0) {
    out.push('', 'findings:');
    for (const f of snap.findings) {
      const host = f.host ? ` (${sanitizeShort(f.host, NAME_MAX)})` : '';
      out.push(`  ${SEVERITY_TAG[f.severity]} ${sanitizeTerminal(f.id)}: ${sanitizeTerminal(f.title)}${host}`);
      if (f.detail) out.push(`       ${sanitizeTerminal(f.detail)}`);
      const ev = frames(f);
      if (ev) out.push(`       evidence: ${ev}`);
      if (f.fix) out.push(`       fix: ${sanitizeTerminal(f.fix)}`);
    }
  }
  if (extras.reportFile) out.push('', `report written to ${sanitizeTerminal(extras.reportFile)}`);
  return out.join('\n') + '\n';
}
