/**
 * The model: the one source of truth for every view and report. It is built
 * incrementally from analyzer events, flows, attributions and findings, so the live
 * dashboard can render a snapshot at any moment and a report renders the final one.
 * Nothing here holds packet bytes; memory grows with hosts and findings (both bounded),
 * never with packets.
 */
import type { GoRole } from '../attribution/types.js';
import type { Finding } from '../findings/types.js';
import type { GoRequestKind } from '../protocols/events.js';

/** What gotap concluded about a host's certificate chain. */
export type CertificateVerdict =
  /** Verifies to a public root (Node's Mozilla store) at capture time, hostname matches. */
  | 'trusted'
  /** Verifies only with a CA from --ca-file / config (e.g. a corporate interception CA the user accepts). */
  | 'trusted-by-user-ca'
  /** Does not verify: unknown issuer, self-signed, expired, wrong name ... (a finding says which). */
  | 'untrusted'
  /** The chain lacks an intermediate that would make it verify. */
  | 'incomplete'
  /** TLS 1.3 (or no handshake seen): the certificate never crossed the wire in the clear. */
  | 'not-visible';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Issuer O= value, e.g. "Google Trust Services". */
  issuerOrg?: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the leaf DER, hex. */
  fingerprint256: string;
  chainLength: number;
  verdict: CertificateVerdict;
  /** Interception product the issuer matches ("Zscaler"), when any. */
  interceptionProduct?: string;
  /** Frame of the Certificate message. */
  packet: number;
}

export interface DnsAnswerSummary {
  name: string;
  /** Query type ("A", "AAAA", "HTTPS" ...). */
  type?: string;
  /** Final addresses, CNAME chain resolved. */
  addresses: string[];
  cnameChain: string[];
  rcode: string;
  resolver: string;
  ttl?: number;
  packet: number;
}

export interface HostSummary {
  /** Host name, or the server address when no name is known. */
  key: string;
  role: GoRole;
  roleLabel: string;
  names: string[];
  addresses: string[];
  /** DNS resolvers that answered for this host. */
  resolvers: string[];
  /** How the name was learned, with the frame that proves it (first occurrence). */
  nameSources: { source: string; packet: number }[];
  flows: number;
  /** Transport payload bytes client → server / server → client. */
  bytesUp: number;
  bytesDown: number;
  firstTs: number;
  lastTs: number;
  ports: number[];
  /** Plaintext HTTP seen. */
  http: boolean;
  /** HTTP CONNECT proxies ("127.0.0.9:3128") this host was reached through. */
  via: string[];
  tls: {
    /** Negotiated versions ("TLS 1.3"). */
    versions: string[];
    alpn: string[];
    ja4: string[];
    sni: string[];
  };
  certificate?: CertificateSummary;
  dns: DnsAnswerSummary[];
  /** Go module-protocol requests by kind (when visible: plaintext or decrypted). */
  goRequests: Partial<Record<GoRequestKind, number>>;
  /** Processes seen owning this host's flows (live mode). */
  processes: string[];
  /** Indexes into Model.findings. */
  findings: number[];
  /** Worst finding severity, if any. */
  worst?: Finding['severity'];
}

export interface TimelineEntry {
  ts: number;
  packet: number;
  flowId?: number;
  host?: string;
  /** Short, exact text (sanitised at the view boundary): "DNS proxy.golang.org → 127.0.0.2", "TLS 1.3 to proxy.golang.org". */
  what: string;
  kind: 'dns' | 'tls' | 'http' | 'go' | 'finding' | 'flow';
}

export interface CaptureInfo {
  source: string;
  format: string | null;
  packets: number;
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
  truncated: string | null;
  problems: Record<string, number>;
  /** Live mode: packets the kernel/tcpdump dropped. */
  drops?: number;
  /** The capture has ended (replay finished, live stopped). */
  ended: boolean;
}

/** An immutable view of the model at one moment. */
export interface ModelSnapshot {
  capture: CaptureInfo;
  hosts: HostSummary[];
  findings: Finding[];
  /** Bounded (most recent entries kept, with a count of dropped ones). */
  timeline: TimelineEntry[];
  timelineDropped: number;
  /** What the memory caps folded or dropped: hosts beyond the cap (aggregated into the "(other hosts)" entry), findings beyond the cap (still counted in counts.findingsBySeverity and hosts' worst). */
  overflow: { hostsFolded: number; findingsDropped: number };
  counts: { flows: number; tcpFlows: number; udpFlows: number; findingsBySeverity: Record<Finding['severity'], number> };
}
