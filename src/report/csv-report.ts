/**
 * `gotap report --format csv`: one row per host, for spreadsheets and quick joins.
 * RFC 4180 (CRLF line ends, quoted fields). Every packet-derived cell goes through
 * sanitizeCsvCell: control characters, ESC sequences and bidi overrides become visible
 * escapes and a leading `= + - @` is neutralised, because spreadsheets execute formulas
 * in CSV files they open.
 */
import type { HostSummary, ModelSnapshot } from '../model/types.js';
import { csvField, sanitizeCsvCell } from '../util/sanitize.js';

const COLUMNS = [
  'host',
  'role',
  'role_label',
  'names',
  'addresses',
  'ports',
  'via_proxy',
  'resolvers',
  'name_sources',
  'flows',
  'bytes_up',
  'bytes_down',
  'first_seen',
  'last_seen',
  'plaintext_http',
  'tls_versions',
  'alpn',
  'ja4',
  'sni',
  'cert_subject',
  'cert_issuer',
  'cert_verdict',
  'interception_product',
  'go_requests',
  'processes',
  'worst',
  'findings',
] as const;

/** A list of packet strings as one cell: "a; b; c". */
const list = (items: readonly (string | number)[]): string => sanitizeCsvCell(items.join('; '));

function isoTime(ts: number): string {
  return Number.isFinite(ts) ? new Date(Math.round(ts * 1000)).toISOString() : '';
}

/** Distinct finding ids of a host, most severe first. */
function findingIds(h: HostSummary, m: ModelSnapshot): string[] {
  return [...new Set(h.findings.map((i) => m.findings[i]?.id).filter((id) => id !== undefined))];
}

function row(h: HostSummary, m: ModelSnapshot): string[] {
  const c = h.certificate;
  return [
    sanitizeCsvCell(h.key),
    h.role,
    sanitizeCsvCell(h.roleLabel),
    list(h.names),
    list(h.addresses),
    list(h.ports),
    list(h.via),
    list(h.resolvers),
    list(h.nameSources.map((s) => `${s.source}@${s.packet}`)),
    String(h.flows),
    String(h.bytesUp),
    String(h.bytesDown),
    isoTime(h.firstTs),
    isoTime(h.lastTs),
    h.http ? 'yes' : 'no',
    list(h.tls.versions),
    list(h.tls.alpn),
    list(h.tls.ja4),
    list(h.tls.sni),
    sanitizeCsvCell(c?.subject ?? ''),
    sanitizeCsvCell(c?.issuer ?? ''),
    c?.verdict ?? '',
    sanitizeCsvCell(c?.interceptionProduct ?? ''),
    list(Object.entries(h.goRequests).map(([kind, n]) => `${kind}=${n}`)),
    list(h.processes),
    h.worst ?? '',
    list(findingIds(h, m)),
  ];
}

export function csvReport(m: ModelSnapshot): string {
  const lines = [COLUMNS.map(csvField).join(','), ...m.hosts.map((h) => row(h, m).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
