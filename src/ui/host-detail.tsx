/**
 * The detail view of one host: how gotap knows its name, DNS answers, the certificate
 * chain summary (subject, issuer, validity, verdict), Go requests by kind, the evidence
 * frame numbers to look up in Wireshark, and the host's findings with their fixes. Built
 * as a list of single lines so it can scroll and never wraps in the terminal.
 */
import { Box, Text } from 'ink';
import type { Finding } from '../findings/types.js';
import type { HostSummary } from '../model/types.js';
import { SEVERITY_COLOR, SEVERITY_TAG, cell, formatBytes, formatClock, roleShort, verdictLabel, wrapLines } from './format.js';

export interface DetailLine {
  text: string;
  color?: string;
  bold?: boolean;
}

const LIST = 12;

function list(items: readonly string[], width: number, max = LIST): string {
  const shown = items.slice(0, max).map((s) => cell(s, width));
  return shown.join(', ') + (items.length > max ? `, … ${items.length - max} more` : '');
}

/** The frames that prove what this view says, ascending and de-duplicated. */
function evidenceFrames(h: HostSummary, findings: readonly Finding[]): number[] {
  const frames = new Set<number>();
  for (const s of h.nameSources) frames.add(s.packet);
  for (const d of h.dns) frames.add(d.packet);
  if (h.certificate) frames.add(h.certificate.packet);
  for (const i of h.findings) for (const e of findings[i]?.evidence ?? []) frames.add(e.packet);
  return [...frames].filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
}

export function detailLines(h: HostSummary, findings: readonly Finding[], width: number): DetailLine[] {
  const w = Math.max(20, width);
  const out: DetailLine[] = [];
  const line = (text: string, style: Omit<DetailLine, 'text'> = {}): void => void out.push({ text, ...style });
  const section = (title: string): void => line(title, { bold: true, color: 'blue' });

  line(`${cell(h.key, w)} — ${cell(h.roleLabel, w)} [${roleShort(h.role)}]`, { bold: true });
  if (h.names.length > 0) line(`names      ${list(h.names, w)}`);
  if (h.addresses.length > 0) line(`addresses  ${list(h.addresses, w)}`);
  if (h.nameSources.length > 0) line(`name from  ${h.nameSources.map((s) => `${cell(s.source, 20)} (frame ${s.packet})`).join(', ')}`);
  line(
    `flows ${h.flows} · up ${formatBytes(h.bytesUp)} · down ${formatBytes(h.bytesDown)} · ports ${h.ports.slice(0, LIST).join(', ') || '-'} · ` +
      `seen ${formatClock(h.firstTs)} – ${formatClock(h.lastTs)} UTC`,
  );
  if (h.via.length > 0) line(`via proxy  ${list(h.via, w)}`);
  if (h.processes.length > 0) line(`process    ${list(h.processes, w)}`);
  const tls = h.tls;
  if (tls.versions.length + tls.sni.length + tls.alpn.length > 0 || h.http) {
    const parts = [
      tls.versions.length > 0 ? `versions ${list(tls.versions, 20)}` : '',
      tls.alpn.length > 0 ? `ALPN ${list(tls.alpn, 20)}` : '',
      tls.sni.length > 0 ? `SNI ${list(tls.sni, w)}` : '',
      h.http ? 'plaintext HTTP seen' : '',
    ].filter((p) => p !== '');
    line(`TLS        ${parts.join(' · ')}`, { color: h.http ? 'yellow' : undefined });
    if (tls.ja4.length > 0) line(`JA4        ${list(tls.ja4, 40, 3)}`);
  }

  section(`DNS answers (${h.dns.length})`);
  if (h.dns.length === 0) line('  none seen', { color: 'gray' });
  for (const d of h.dns.slice(0, LIST)) {
    const chain = d.cnameChain.length > 0 ? ` via CNAME ${d.cnameChain.map((c) => cell(c, 60)).join(' → ')}` : '';
    const ttl = d.ttl !== undefined ? ` ttl ${d.ttl}` : '';
    line(
      `  ${cell(d.name, 60)} → ${d.addresses.length > 0 ? list(d.addresses, 40, 6) : '(no address)'} ${cell(d.rcode, 12)}${chain} · resolver ${cell(d.resolver, 40)}${ttl} · frame ${d.packet}`,
      { color: d.rcode === 'NOERROR' ? undefined : 'yellow' },
    );
  }
  if (h.dns.length > LIST) line(`  … ${h.dns.length - LIST} more`, { color: 'gray' });

  section('Certificate');
  const c = h.certificate;
  if (!c) line(tls.versions.length > 0 ? '  not visible (TLS 1.3 encrypts it, or no handshake seen)' : '  none seen', { color: 'gray' });
  else {
    const bad = c.verdict === 'untrusted' || c.interceptionProduct !== undefined;
    line(`  verdict   ${verdictLabel(c.verdict)}${c.interceptionProduct ? ` · intercepted by ${cell(c.interceptionProduct, 40)}` : ''}`, {
      color: bad ? 'red' : c.verdict === 'trusted' ? 'green' : 'yellow',
      bold: bad,
    });
    line(`  subject   ${cell(c.subject, w)}`);
    line(`  issuer    ${cell(c.issuer, w)}${c.issuerOrg ? ` (${cell(c.issuerOrg, 60)})` : ''}`);
    line(`  valid     ${cell(c.notBefore, 30)} → ${cell(c.notAfter, 30)}`);
    line(`  chain     ${c.chainLength} certificate${c.chainLength === 1 ? '' : 's'} · frame ${c.packet} · sha256 ${cell(c.fingerprint256, 64)}`);
  }

  section('Go requests');
  const kinds = Object.entries(h.goRequests).filter(([, n]) => (n ?? 0) > 0);
  line(kinds.length > 0 ? `  ${kinds.map(([k, n]) => `${cell(k, 20)} ${n}`).join(' · ')}` : '  none visible (encrypted, or not a Go host)', {
    color: kinds.length > 0 ? undefined : 'gray',
  });

  const frames = evidenceFrames(h, findings);
  section('Evidence frames');
  line(frames.length > 0 ? `  ${frames.slice(0, 40).join(', ')}${frames.length > 40 ? ', …' : ''}` : '  none', {
    color: frames.length > 0 ? undefined : 'gray',
  });

  section(`Findings (${h.findings.length})`);
  if (h.findings.length === 0) line('  none', { color: 'gray' });
  for (const i of h.findings) {
    const f = findings[i];
    if (!f) continue;
    line(`  ${SEVERITY_TAG[f.severity]} ${cell(f.title, w)}`, { color: SEVERITY_COLOR[f.severity], bold: true });
    for (const l of wrapLines(cell(f.detail, 2000), w - 7)) line(`       ${l}`);
    for (const l of wrapLines(`fix: ${cell(f.fix, 2000)}`, w - 7)) line(`       ${l}`, { color: 'green' });
    if (f.evidence.length > 0) {
      line(`       frames ${f.evidence.slice(0, 20).map((e) => `${e.packet} (${cell(e.what, 60)})`).join(', ')}${f.evidence.length > 20 ? ', …' : ''}`, {
        color: 'gray',
      });
    }
  }
  return out;
}

export interface HostDetailProps {
  lines: readonly DetailLine[];
  scroll: number;
  height: number;
  width: number;
}

export function HostDetail({ lines, scroll, height, width }: HostDetailProps) {
  const shown = lines.slice(scroll, scroll + Math.max(1, height));
  return (
    <Box flexDirection="column" width={width}>
      {shown.map((l, i) => (
        <Text key={scroll + i} wrap="truncate-end" color={l.color} bold={l.bold}>
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}
