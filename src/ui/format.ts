/**
 * Short, fixed-vocabulary labels and number formats for the dashboard. Packet-derived
 * strings never pass through here unsanitised: `cell` is the one place a model string is
 * made inert (sanitizeShort) and bounded before it reaches ink.
 */
import type { GoRole } from '../attribution/types.js';
import type { Severity } from '../findings/types.js';
import type { CertificateVerdict, HostSummary } from '../model/types.js';
import { formatBytes } from '../report/text-writer.js';
import { sanitizeShort } from '../util/sanitize.js';

export { formatBytes };

/** A packet-derived string made inert and cut to at most `max` characters. */
export function cell(s: string, max: number): string {
  return sanitizeShort(s, Math.max(1, max));
}

const ROLE_SHORT: Record<GoRole, string> = {
  'module-proxy': 'proxy',
  'checksum-db': 'sumdb',
  mirror: 'mirror',
  toolchain: 'toolchain',
  telemetry: 'telemetry',
  vulndb: 'vulndb',
  vcs: 'vcs',
  'http-proxy': 'http-proxy',
  resolver: 'resolver',
  other: 'other',
};

export function roleShort(role: GoRole): string {
  return ROLE_SHORT[role] ?? 'other';
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warn: 2, info: 1 };
export const SEVERITY_TAG: Record<Severity, string> = { critical: 'CRIT', warn: 'WARN', info: 'INFO' };
export const SEVERITY_COLOR: Record<Severity, string> = { critical: 'red', warn: 'yellow', info: 'cyan' };

const VERDICT_LABEL: Record<CertificateVerdict, string> = {
  trusted: 'trusted',
  'trusted-by-user-ca': 'user CA',
  untrusted: 'UNTRUSTED',
  incomplete: 'incomplete',
  'not-visible': 'hidden',
};

const VERDICT_COLOR: Record<CertificateVerdict, string> = {
  trusted: 'green',
  'trusted-by-user-ca': 'yellow',
  untrusted: 'red',
  incomplete: 'yellow',
  'not-visible': 'gray',
};

/** Certificate column text: the verdict, or the interception product when the issuer matches one. */
export function certificateLabel(h: HostSummary): { text: string; color: string | undefined } {
  const c = h.certificate;
  // No certificate: TLS 1.3 encrypts it; with TLS 1.2 it was not captured (e.g. a resumed session).
  if (!c) return { text: h.tls.versions.includes('TLS 1.3') ? 'hidden' : h.tls.versions.length > 0 ? 'not seen' : '', color: 'gray' };
  const color = VERDICT_COLOR[c.verdict];
  if (c.interceptionProduct) return { text: `MITM ${cell(c.interceptionProduct, 20)}`, color: c.verdict === 'untrusted' ? 'red' : 'yellow' };
  return { text: verdictLabel(c.verdict), color };
}

export function verdictLabel(v: CertificateVerdict): string {
  return VERDICT_LABEL[v] ?? cell(String(v), 20);
}

/** "1.3" or "1.2,1.3"; "http" when plaintext HTTP was seen. */
export function tlsLabel(h: HostSummary): string {
  const parts = h.tls.versions.map((v) => cell(v.replace(/^TLS /, ''), 12));
  if (h.http) parts.push('http');
  return parts.join(',');
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Capture-time duration: "0.23 s", "12.4 s", "3 m 05 s", "2 h 01 m". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '0 s';
  if (sec < 60) return `${sec < 10 ? sec.toFixed(2) : sec.toFixed(1)} s`;
  const s = Math.floor(sec);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

export function formatRate(perSec: number, unit: 'pkt' | 'bytes'): string {
  if (unit === 'bytes') return `${formatBytes(Math.round(perSec))}/s`;
  return `${perSec < 10 ? perSec.toFixed(1) : formatCount(Math.round(perSec))} pkt/s`;
}

/** Capture timestamp as UTC time of day with milliseconds ("21:18:15.973"). */
export function formatClock(ts: number): string {
  if (!Number.isFinite(ts)) return '?';
  return new Date(Math.round(ts * 1000)).toISOString().slice(11, 23);
}

/**
 * Splits already-sanitised text into lines of at most `width` characters, at spaces when
 * possible. Counts code points; a wide character that still overflows is cut by the
 * truncating Text that displays the line, never wrapped by the terminal.
 */
export function wrapLines(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  let rest = [...text];
  while (rest.length > w) {
    let cut = rest.lastIndexOf(' ', w);
    if (cut <= w / 3) cut = w;
    out.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest.shift();
  }
  if (rest.length > 0 || out.length === 0) out.push(rest.join(''));
  return out;
}
