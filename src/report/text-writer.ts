/**
 * `--format text`: a readable per-flow view. Each flow is printed when it ends, with the
 * analyzer events it produced (bounded per flow so a chatty flow cannot hold memory),
 * then a capture summary, then the final summary of the model (verdict, hosts, findings:
 * the renderer live and watch print on exit, injected by the format registry so the two
 * never differ). `quiet` prints only that final summary. Everything from packets is
 * sanitised for the terminal.
 */
import type { Writable } from 'node:stream';
import type { Flow } from '../flow/types.js';
import type { ModelSnapshot } from '../model/types.js';
import type { AnalysisOutput, AnalysisSummary } from '../pipeline/analyze.js';
import type { GotapEvent } from '../protocols/events.js';
import { describeEvent } from './event-text.js';
import { captureRecord } from './records.js';

const MAX_LINES_PER_FLOW = 40;

interface FlowLines {
  lines: string[];
  dropped: number;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function formatTs(ts: number): string {
  const d = new Date(Math.floor(ts * 1000));
  const micros = Math.round((ts - Math.floor(ts)) * 1e6) % 1e6;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(micros).padStart(6, '0')} UTC`;
}

function flowHeader(f: Flow): string {
  const up = f.stats[0];
  const down = f.stats[1];
  const dur = (f.lastTs - f.firstTs).toFixed(3);
  const app = f.app ?? (f.protocol === 'tcp' ? 'unrecognised' : 'udp');
  return (
    `#${f.id} ${f.protocol.toUpperCase()} ${endpoint(f.client.addr, f.client.port)} → ${endpoint(f.server.addr, f.server.port)} ${app}` +
    `  frames ${f.firstFrame}-${f.lastFrame}, ${dur} s, ↑ ${up.packets} pkts ${formatBytes(up.payloadBytes)} ↓ ${down.packets} pkts ${formatBytes(
      down.payloadBytes,
    )}, ${endText(f)}`
  );
}

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function endText(f: Flow): string {
  const parts: string[] = [`end ${f.endReason ?? 'open'}`];
  if (f.protocol === 'tcp') {
    if (!f.synSeen) parts.push('no SYN (started before the capture)');
    const gaps = f.stats[0].gaps + f.stats[1].gaps;
    if (gaps > 0) parts.push(`${gaps} gap(s), ${formatBytes(f.stats[0].gapBytes + f.stats[1].gapBytes)} missing`);
    const retrans = f.stats[0].retransmissions + f.stats[1].retransmissions;
    if (retrans > 0) parts.push(`${retrans} retransmission(s)`);
  }
  return parts.join(', ');
}

export interface TextWriterOptions {
  quiet?: boolean;
  /** Renders the final model (lines ending with \n). */
  summary: (model: ModelSnapshot) => string;
}

export class TextWriter implements AnalysisOutput {
  private readonly perFlow = new Map<number, FlowLines>();
  private readonly apps = new Map<string, number>();

  constructor(
    private readonly out: Writable,
    private readonly opts: TextWriterOptions,
  ) {}

  event(ev: GotapEvent): void {
    if (this.opts.quiet) return;
    let entry = this.perFlow.get(ev.flowId);
    if (!entry) {
      entry = { lines: [], dropped: 0 };
      this.perFlow.set(ev.flowId, entry);
    }
    if (entry.lines.length < MAX_LINES_PER_FLOW) entry.lines.push(`    frame ${ev.packet}: ${describeEvent(ev)}`);
    else entry.dropped++;
  }

  flowEnded(flow: Flow): void {
    if (this.opts.quiet) return;
    const entry = this.perFlow.get(flow.id);
    this.perFlow.delete(flow.id);
    const app = flow.app ?? (flow.protocol === 'tcp' ? 'unrecognised' : 'other udp');
    this.apps.set(app, (this.apps.get(app) ?? 0) + 1);
    const lines = [flowHeader(flow), ...(entry?.lines ?? [])];
    if (entry && entry.dropped > 0) lines.push(`    … ${entry.dropped} more event(s)`);
    this.out.write(`${lines.join('\n')}\n`);
  }

  finish(summary: AnalysisSummary, model: ModelSnapshot): void {
    if (!this.opts.quiet) this.out.write(this.captureText(summary));
    this.out.write(this.opts.quiet ? this.opts.summary(model) : `\n${this.opts.summary(model)}`);
  }

  private captureText(summary: AnalysisSummary): string {
    const c = captureRecord(summary);
    const lines: string[] = [''];
    const format = c.format === 'pcap-ns' ? 'pcap (nanosecond)' : (c.format ?? 'unknown');
    lines.push(`${c.source}: ${format}${c.gzip ? ', gzip' : ''}, ${c.packets} packets, ${formatBytes(c.capturedBytes)} captured`);
    if (c.linkTypes.length > 0) lines.push(`  link types: ${c.linkTypes.map((l) => `${l.name} (${l.linkType}): ${l.packets}`).join(', ')}`);
    if (c.firstTs !== null && c.lastTs !== null) lines.push(`  time: ${formatTs(c.firstTs)} → ${formatTs(c.lastTs)} (${c.duration.toFixed(3)} s)`);
    const f = c.flows;
    const apps = [...this.apps.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(`  flows: ${f.flows} (${f.tcpFlows} TCP, ${f.udpFlows} UDP)${apps.length ? `: ${apps.map(([a, n]) => `${a} ${n}`).join(', ')}` : ''}`);
    if (f.evicted > 0 || f.bufferCapHits > 0) lines.push(`  limits hit: ${f.evicted} flow(s) evicted, ${f.bufferCapHits} buffer cap hit(s)`);
    const problems = Object.entries(c.problems);
    lines.push(`  decode problems: ${problems.length === 0 ? 'none' : problems.map(([k, n]) => `${k}: ${n}`).join('; ')}`);
    const unsupported = Object.entries(c.unsupported);
    if (unsupported.length > 0) lines.push(`  not analysed: ${unsupported.map(([k, n]) => `${k}: ${n}`).join('; ')}`);
    if (c.decryptionSecrets > 0) lines.push(`  decryption secrets blocks: ${c.decryptionSecrets}`);
    const k = c.keyLog;
    if (k) {
      const malformed = k.malformedLines > 0 ? `, ${k.malformedLines} malformed line(s) skipped` : '';
      lines.push(`  key log: ${k.lines} secret line(s) from ${k.files} file(s) and ${k.dsbs} DSB(s)${malformed}`);
      const d = k.decryption;
      const why = [...Object.entries(d.recordFailures), ...Object.entries(d.notDecrypted)].map(([r, n]) => `${r}: ${n}`);
      const dropped = d.recordsDropped > 0 ? `, ${d.recordsDropped} record(s) dropped at the hold cap` : '';
      lines.push(
        `  TLS decryption: ${d.flowsDecrypted} flow(s) decrypted, ${d.flowsNoKeys} without keys, ${d.flowsFailed} failed${why.length > 0 ? ` (${why.join('; ')})` : ''}${dropped}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
