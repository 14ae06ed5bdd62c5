/**
 * One host's running totals. Every list is capped (BoundedSet), so a host costs a
 * bounded amount of memory however much traffic it sees. The aggregate keeps its last
 * HostSummary and a version number: a snapshot rebuilds the summary only when the host
 * changed since, which is what makes 10 snapshots a second cheap with thousands of hosts.
 */
import type { GoRole } from '../attribution/types.js';
import type { Severity } from '../findings/types.js';
import type { GoRequestKind } from '../protocols/events.js';
import { BoundedSet } from './bounded-set.js';
import { verdictRank } from './severity.js';
import type { CertificateSummary, DnsAnswerSummary, HostSummary } from './types.js';

const MAX_NAMES = 16;
const MAX_ADDRESSES = 32;
const MAX_RESOLVERS = 8;
const MAX_PORTS = 16;
const MAX_TLS_VALUES = 8;
const MAX_DNS_ANSWERS = 16;
const MAX_PROCESSES = 16;
const MAX_VIA = 8;

export class HostAggregate {
  role: GoRole;
  roleLabel: string;
  readonly names = new BoundedSet<string>(MAX_NAMES);
  readonly addresses = new BoundedSet<string>(MAX_ADDRESSES);
  readonly resolvers = new BoundedSet<string>(MAX_RESOLVERS);
  readonly ports = new BoundedSet<number>(MAX_PORTS);
  readonly via = new BoundedSet<string>(MAX_VIA);
  readonly processes = new BoundedSet<string>(MAX_PROCESSES);
  readonly tlsVersions = new BoundedSet<string>(MAX_TLS_VALUES);
  readonly alpn = new BoundedSet<string>(MAX_TLS_VALUES);
  readonly ja4 = new BoundedSet<string>(MAX_TLS_VALUES);
  readonly sni = new BoundedSet<string>(MAX_TLS_VALUES);
  /** Name source → first frame that showed it (at most one per NameSource kind). */
  readonly nameSources = new Map<string, number>();
  private readonly dnsKeys = new BoundedSet<string>(MAX_DNS_ANSWERS);
  readonly dns: DnsAnswerSummary[] = [];
  readonly goRequests: Partial<Record<GoRequestKind, number>> = {};
  /** Arrival indexes of this host's findings. */
  readonly findings: number[] = [];
  worst: Severity | undefined;
  certificate: CertificateSummary | undefined;
  flows = 0;
  bytesUp = 0;
  bytesDown = 0;
  firstTs = Infinity;
  lastTs = -Infinity;
  http = false;

  private version = 0;
  private builtVersion = -1;
  private built: HostSummary | undefined;

  constructor(
    readonly key: string,
    role: GoRole,
    roleLabel: string,
  ) {
    this.role = role;
    this.roleLabel = roleLabel;
  }

  /** Marks the host changed: the next snapshot rebuilds its summary. */
  touch(): void {
    this.version++;
  }

  seen(ts: number): void {
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
  }

  /** A role other than 'other' replaces 'other'; the first specific role stays. */
  setRole(role: GoRole, label: string): void {
    if (this.role !== 'other' || role === 'other') return;
    this.role = role;
    this.roleLabel = label;
  }

  nameSource(source: string, packet: number): void {
    if (!this.nameSources.has(source)) this.nameSources.set(source, packet);
  }

  dnsAnswer(a: DnsAnswerSummary): void {
    const key = [a.type ?? '', a.rcode, a.resolver, a.addresses.join(','), a.cnameChain.join(',')].join('|');
    if (this.dnsKeys.add(key)) this.dns.push(a);
  }

  goRequest(kind: GoRequestKind): void {
    this.goRequests[kind] = (this.goRequests[kind] ?? 0) + 1;
  }

  /** The worst verdict wins; among equals, the first seen stays (its frame is the evidence). */
  setCertificate(c: CertificateSummary): void {
    if (this.certificate === undefined || verdictRank(c.verdict) > verdictRank(this.certificate.verdict)) this.certificate = c;
  }

  /** The immutable summary; rebuilt only when the host changed. `position` maps a finding's arrival index to its index in the snapshot's sorted list. */
  summary(position: readonly number[]): HostSummary {
    if (this.built !== undefined && this.builtVersion === this.version) return this.built;
    const s: HostSummary = {
      key: this.key,
      role: this.role,
      roleLabel: this.roleLabel,
      names: this.names.toArray(),
      addresses: this.addresses.toArray(),
      resolvers: this.resolvers.toArray(),
      nameSources: [...this.nameSources].map(([source, packet]) => ({ source, packet })),
      flows: this.flows,
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      ports: this.ports.toArray(),
      http: this.http,
      via: this.via.toArray(),
      tls: { versions: this.tlsVersions.toArray(), alpn: this.alpn.toArray(), ja4: this.ja4.toArray(), sni: this.sni.toArray() },
      ...(this.certificate !== undefined ? { certificate: this.certificate } : {}),
      dns: [...this.dns],
      goRequests: { ...this.goRequests },
      processes: this.processes.toArray(),
      findings: this.findings
        .map((i) => position[i])
        .filter((i): i is number => i !== undefined)
        .sort((a, b) => a - b),
      ...(this.worst !== undefined ? { worst: this.worst } : {}),
    };
    this.built = Object.freeze(s);
    this.builtVersion = this.version;
    return this.built;
  }
}
