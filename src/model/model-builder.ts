/**
 * Builds the model incrementally from the pipeline's outputs (events with their flow's
 * attribution, ended flows, findings, certificate verdicts), so the live dashboard can
 * take a snapshot at any moment and a report takes the last one.
 *
 * Cost: each input updates one or two host aggregates in O(1); snapshot() reuses the
 * summary of every host that did not change (HostAggregate keeps it) and returns the
 * previous snapshot outright when nothing changed at all, so 10 snapshots a second with
 * thousands of hosts is a pointer copy per host. Hosts are listed in order of first
 * appearance in the pipeline (views that want another order sort the array they get),
 * with the "(other hosts)" bucket last.
 *
 * Memory: bounded by `maxHosts` (beyond it new hosts are folded into one "(other hosts)"
 * entry and counted), `maxFindings` (beyond it findings are counted by severity and in
 * their host's worst severity but not kept), `maxTimeline`, and per-host list caps.
 * Nothing here holds packet bytes or grows with packets.
 */
import { isIP } from 'node:net';
import { normalizeName } from '../attribution/host-name.js';
import { ROLE_LABELS } from '../attribution/roles.js';
import type { FlowAttribution, GoRole, ProxyHop } from '../attribution/types.js';
import type { FlowContext } from '../enrich/flow-context.js';
import type { Finding, Severity } from '../findings/types.js';
import type { Flow } from '../flow/types.js';
import type { DnsResponseEvent, GotapEvent } from '../protocols/events.js';
import { tlsVersionName } from '../protocols/tls/version-names.js';
import { HostAggregate } from './host-aggregate.js';
import { compareFindings, findingTs, worseSeverity } from '../findings/severity.js';
import { Timeline } from './timeline.js';
import type { CaptureInfo, ModelSnapshot, TimelineEntry } from './types.js';

/** Key of the bucket that aggregates hosts beyond `maxHosts`. */
export const OTHER_HOSTS_KEY = '(other hosts)';

export interface ModelBuilderOptions {
  /** Timeline entries kept (most recent); default 1000. */
  maxTimeline?: number;
  /** Hosts kept individually; default 10000. */
  maxHosts?: number;
  /** Findings kept; default 5000. */
  maxFindings?: number;
  /** Role of a host known only by name (from a DNS answer or a finding): the host catalog's lookup. */
  roleOf?: (host: string) => { role: GoRole; label: string } | undefined;
  /** Called first by every snapshot(): lets the findings store publish the updates it coalesced. */
  beforeSnapshot?: () => void;
}

// DNS query types whose answers say where a host is; PTR, TXT, MX … name no host gotap tracks.
const ADDRESS_QTYPES = new Set(['A', 'AAAA', 'CNAME', 'HTTPS', 'SVCB']);
const MAX_PENDING_PROCESSES = 4096;
/** Addresses (and CNAMEs) kept per DNS answer; a response can carry hundreds. */
const MAX_ANSWER_ADDRESSES = 16;
const MAX_LISTED = 4;
const OTHER_LABEL = ROLE_LABELS.other;

function emptyCapture(): CaptureInfo {
  return { source: '', format: null, packets: 0, bytes: 0, firstTs: null, lastTs: null, truncated: null, problems: {}, ended: false };
}

function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Port of a CONNECT target "host:port" / "[v6]:port". */
function targetPort(target: string): number | undefined {
  const m = /:(\d{1,5})$/.exec(target);
  const port = m ? Number(m[1]) : NaN;
  return port >= 0 && port <= 65535 ? port : undefined;
}

/** "a, b, c, d (+3 more)": short enough for one timeline line. */
function listText(items: readonly string[]): string {
  const more = items.length > MAX_LISTED ? ` (+${items.length - MAX_LISTED} more)` : '';
  return `${items.slice(0, MAX_LISTED).join(', ')}${more}`;
}

export class ModelBuilder {
  private readonly maxHosts: number;
  private readonly maxFindings: number;
  private readonly roleOf: ModelBuilderOptions['roleOf'];
  private readonly beforeSnapshot: ModelBuilderOptions['beforeSnapshot'];
  private readonly hosts = new Map<string, HostAggregate>();
  private other: HostAggregate | undefined;
  /** Distinct keys folded into the bucket (bounded; the count is a lower bound beyond it). */
  private readonly foldedKeys = new Set<string>();
  private hostsFolded = 0;
  /** Findings in arrival order (host summaries refer to them by position in the sorted list). */
  private readonly findings: Finding[] = [];
  /** Finding key → its index in `findings`, so a new version replaces the old one (bounded by the store's caps). */
  private readonly findingIndex = new Map<string, number>();
  private findingsDropped = 0;
  private readonly bySeverity: Record<Severity, number> = { info: 0, warn: 0, critical: 0 };
  private readonly hostsWithFindings = new Set<HostAggregate>();
  /** Open flows → the host their latest event was attributed to (for process names). */
  private readonly flowHosts = new Map<number, HostAggregate>();
  private readonly pendingProcesses = new Map<number, string>();
  private readonly flowCounts = { flows: 0, tcpFlows: 0, udpFlows: 0 };
  private captureInfo: CaptureInfo = emptyCapture();
  private readonly timeline: Timeline;
  private lastEventTs = 0;

  private changed = true;
  private findingsChanged = true;
  private sortedFindings: Finding[] = [];
  private position: number[] = [];
  private last: ModelSnapshot | undefined;

  constructor(opts: ModelBuilderOptions = {}) {
    this.timeline = new Timeline(opts.maxTimeline ?? 1000);
    this.maxHosts = opts.maxHosts ?? 10_000;
    this.maxFindings = opts.maxFindings ?? 5000;
    this.roleOf = opts.roleOf;
    this.beforeSnapshot = opts.beforeSnapshot;
  }

  event(ev: GotapEvent, ctx: FlowContext): void {
    this.changed = true;
    const attribution = ctx.attribution;
    this.lastEventTs = ev.ts;
    const host = this.flowHost(attribution);
    host.seen(ev.ts);
    this.flowHosts.set(ev.flowId, host);
    const pending = this.pendingProcesses.get(ev.flowId);
    if (pending !== undefined) {
      host.processes.add(pending);
      this.pendingProcesses.delete(ev.flowId);
    }
    const at = { ts: ev.ts, packet: ev.packet, flowId: ev.flowId };
    switch (ev.type) {
      case 'dns-response':
        this.dnsResponse(ev);
        break;
      case 'dns-unanswered':
        for (const q of ev.questions.slice(0, 1))
          this.push({ ...at, host: normalizeName(q.name), kind: 'dns', what: `DNS ${q.name} ${q.type}: no answer from ${ev.server.addr}` });
        break;
      case 'dns-conflict': {
        const q = ev.questions[0];
        const answers = ev.responses
          .slice(0, 4)
          .map((r) => `${r.addresses.length > 0 ? listText(r.addresses) : r.rcode} (frame ${r.packet})`)
          .join(' vs ');
        this.push({ ...at, ...(q ? { host: normalizeName(q.name) } : {}), kind: 'dns', what: `DNS conflicting answers for ${q?.name ?? '(no question)'}: ${answers}` });
        break;
      }
      case 'http-request':
        if (attribution.via !== undefined) {
          const proxy = this.proxyHost(attribution.via);
          proxy.http = true;
          proxy.seen(ev.ts);
          proxy.touch();
        }
        if (ev.connectTarget !== undefined) {
          this.push({ ...at, host: host.key, kind: 'http', what: `CONNECT ${ev.connectTarget} via ${endpointText(attribution.address, attribution.port)}` });
        } else {
          host.http = true;
          this.push({ ...at, host: host.key, kind: 'http', what: `HTTP ${ev.method} ${ev.host ?? host.key}${ev.target.startsWith('/') ? ev.target : ` ${ev.target}`}` });
        }
        break;
      case 'http-response':
        if (ev.status >= 300 && ev.status < 400 && ev.location !== undefined)
          this.push({ ...at, host: host.key, kind: 'http', what: `HTTP ${ev.status} redirect to ${ev.location}` });
        else if (ev.status >= 400)
          this.push({ ...at, host: host.key, kind: 'http', what: `HTTP ${ev.status} for ${ev.method ?? '?'} ${ev.target ?? '?'}` });
        break;
      case 'tls-client-hello':
        if (ev.sni !== undefined) host.sni.add(ev.sni);
        host.ja4.add(ev.ja4);
        break;
      case 'tls-certificates':
        if (ev.dir === 1 && ctx.chain) host.setCertificate(ctx.chain.summary);
        break;
      case 'tls-server-hello':
        if (!ev.helloRetryRequest) {
          const version = tlsVersionName(ev.version);
          host.tlsVersions.add(version);
          if (ev.alpn !== undefined) host.alpn.add(ev.alpn);
          this.push({ ...at, host: host.key, kind: 'tls', what: `${version} with ${host.key}${ev.alpn !== undefined ? ` (ALPN ${ev.alpn})` : ''}` });
        }
        break;
      case 'tls-alert':
        if (!ev.encrypted && ev.levelName === 'fatal')
          this.push({ ...at, host: host.key, kind: 'tls', what: `TLS fatal alert ${ev.descriptionName ?? ev.description} from the ${ev.dir === 0 ? 'client' : 'server'}` });
        break;
      case 'go-request':
        host.goRequest(ev.kind);
        break;
      default:
        break;
    }
    host.touch();
  }

  flowEnded(flow: Flow, ctx: FlowContext): void {
    this.changed = true;
    const attribution = ctx.attribution;
    const host = this.flowHost(attribution);
    const hosts = attribution.via !== undefined ? [host, this.proxyHost(attribution.via)] : [host];
    for (const h of hosts) {
      h.flows++;
      h.bytesUp += flow.stats[0].payloadBytes;
      h.bytesDown += flow.stats[1].payloadBytes;
      h.seen(flow.firstTs);
      h.seen(flow.lastTs);
      h.touch();
    }
    const pending = this.pendingProcesses.get(flow.id);
    if (pending !== undefined) host.processes.add(pending);
    this.pendingProcesses.delete(flow.id);
    this.flowHosts.delete(flow.id);
    this.flowCounts.flows++;
    if (flow.protocol === 'tcp') this.flowCounts.tcpFlows++;
    else this.flowCounts.udpFlows++;
  }

  /** A finding, or a new version of one (same key): the new version takes the old one's place. */
  finding(f: Finding): void {
    this.changed = true;
    const known = this.findingIndex.get(f.key);
    if (known !== undefined) {
      // -1: the first version was past maxFindings (counted, not kept).
      if (known >= 0) {
        this.findings[known] = f;
        this.findingsChanged = true;
      }
      return;
    }
    this.bySeverity[f.severity]++;
    const host = f.host !== undefined && f.host !== '' ? this.namedHost(normalizeName(f.host)) : undefined;
    const ts = findingTs(f);
    if (host) {
      host.seen(Number.isFinite(ts) ? ts : this.lastEventTs);
      host.worst = worseSeverity(host.worst, f.severity);
      host.touch();
    }
    if (this.findings.length >= this.maxFindings) {
      this.findingsDropped++;
      this.findingIndex.set(f.key, -1);
      return;
    }
    this.findingsChanged = true;
    const index = this.findings.push(f) - 1;
    this.findingIndex.set(f.key, index);
    if (host) {
      host.findings.push(index);
      this.hostsWithFindings.add(host);
    }
    // A finding without evidence has no moment to show on the timeline.
    const first = f.evidence.reduce<Finding['evidence'][number] | undefined>((a, e) => (a === undefined || e.ts < a.ts ? e : a), undefined);
    if (first === undefined) return;
    this.push({ ts: first.ts, packet: first.packet, flowId: first.flowId, ...(host ? { host: host.key } : {}), kind: 'finding', what: `${f.severity}: ${f.title}` });
  }

  /** Live mode: the process owning a flow. */
  process(flowId: number, name: string): void {
    const host = this.flowHosts.get(flowId);
    if (host) {
      if (host.processes.add(name)) {
        host.touch();
        this.changed = true;
      }
    } else if (this.pendingProcesses.size < MAX_PENDING_PROCESSES) this.pendingProcesses.set(flowId, name);
  }

  capture(info: Partial<CaptureInfo>): void {
    this.changed = true;
    this.captureInfo = { ...this.captureInfo, ...info };
  }

  snapshot(): ModelSnapshot {
    this.beforeSnapshot?.();
    if (!this.changed && this.last !== undefined) return this.last;
    if (this.findingsChanged) {
      const order = this.findings.map((_, i) => i).sort((a, b) => compareFindings(this.findings[a]!, this.findings[b]!) || a - b);
      this.sortedFindings = Object.freeze(order.map((i) => this.findings[i]!)) as Finding[];
      const position: number[] = [];
      order.forEach((arrival, sorted) => (position[arrival] = sorted));
      this.position = position;
      for (const h of this.hostsWithFindings) h.touch();
      this.findingsChanged = false;
    }
    const hosts = [];
    for (const h of this.hosts.values()) hosts.push(h.summary(this.position));
    if (this.other) hosts.push(this.other.summary(this.position));
    this.last = Object.freeze({
      capture: Object.freeze({ ...this.captureInfo }),
      hosts: Object.freeze(hosts) as ModelSnapshot['hosts'],
      findings: this.sortedFindings,
      timeline: this.timeline.entries(),
      timelineDropped: this.timeline.dropped,
      overflow: { hostsFolded: this.hostsFolded, findingsDropped: this.findingsDropped },
      counts: { ...this.flowCounts, findingsBySeverity: { ...this.bySeverity } },
    });
    this.changed = false;
    return this.last;
  }

  private push(entry: TimelineEntry): void {
    this.timeline.push(entry);
  }

  /** The aggregate for `key`, created with the given role; beyond maxHosts, the "(other hosts)" bucket. */
  private host(key: string, role: GoRole, label: string): HostAggregate {
    const existing = this.hosts.get(key);
    if (existing) {
      existing.setRole(role, label);
      return existing;
    }
    if (this.hosts.size >= this.maxHosts) {
      if (!this.foldedKeys.has(key) && this.foldedKeys.size < this.maxHosts) {
        this.foldedKeys.add(key);
        this.hostsFolded++;
      }
      this.other ??= new HostAggregate(OTHER_HOSTS_KEY, 'other', `hosts beyond the first ${this.maxHosts}`);
      return this.other;
    }
    const h = new HostAggregate(key, role, label);
    this.hosts.set(key, h);
    return h;
  }

  /** A host known by name only: its role from the catalog. */
  private namedHost(name: string): HostAggregate {
    const known = this.roleOf?.(name);
    const h = this.host(name, known?.role ?? 'other', known?.label ?? OTHER_LABEL);
    if (h.key === name) h.names.add(name);
    return h;
  }

  /**
   * The host a flow's traffic belongs to: its attributed name, else its server address.
   * Through an HTTP proxy the name is the host behind it and the proxy is recorded in `via`;
   * a tunnel whose content has not shown itself yet is attributed the 'http-proxy' role,
   * which is the proxy's role, not the host's, so the host's role then comes from the catalog.
   */
  private flowHost(a: FlowAttribution): HostAggregate {
    const key = a.host ?? a.address;
    const known = a.via !== undefined && a.role === 'http-proxy' ? this.roleOf?.(key) : { role: a.role, label: a.label };
    const h = this.host(key, known?.role ?? 'other', known?.label ?? OTHER_LABEL);
    if (h.key === OTHER_HOSTS_KEY) return h;
    if (a.host !== undefined && isIP(a.host) === 0) h.names.add(a.host);
    for (const name of a.dnsChain ?? []) h.names.add(normalizeName(name));
    if (a.dnsResolver !== undefined) h.resolvers.add(a.dnsResolver);
    if (a.via !== undefined) {
      h.via.add(endpointText(a.via.address, a.via.port));
      const port = a.tunnelTarget !== undefined ? targetPort(a.tunnelTarget) : undefined;
      if (port !== undefined) h.ports.add(port);
    } else {
      h.addresses.add(a.address);
      h.ports.add(a.port);
    }
    if (a.nameSource !== 'none' && a.namePacket !== undefined) h.nameSource(a.nameSource, a.namePacket);
    return h;
  }

  /** The HTTP proxy a flow went through, as a host of its own (keyed by its address). */
  private proxyHost(via: ProxyHop): HostAggregate {
    const h = this.host(via.address, 'http-proxy', ROLE_LABELS['http-proxy']);
    if (h.key === OTHER_HOSTS_KEY) return h;
    if (via.name !== undefined) h.names.add(via.name);
    h.addresses.add(via.address);
    h.ports.add(via.port);
    return h;
  }

  private dnsResponse(ev: DnsResponseEvent): void {
    const q = ev.questions[0];
    if (!q || !ADDRESS_QTYPES.has(q.type)) return;
    const name = normalizeName(q.name);
    if (name === '') return;
    const host = this.namedHost(name);
    host.seen(ev.ts);
    host.resolvers.add(ev.server.addr);
    for (const alias of ev.cnameChain) host.names.add(normalizeName(alias));
    for (const addr of ev.addresses) host.addresses.add(addr);
    host.nameSource('dns', ev.packet);
    const ttl = ev.answers.reduce<number | undefined>((min, r) => (min === undefined || r.ttl < min ? r.ttl : min), undefined);
    host.dnsAnswer({
      name,
      type: q.type,
      addresses: ev.addresses.slice(0, MAX_ANSWER_ADDRESSES),
      cnameChain: ev.cnameChain.slice(0, MAX_ANSWER_ADDRESSES),
      rcode: ev.rcode,
      resolver: ev.server.addr,
      ...(ttl !== undefined ? { ttl } : {}),
      packet: ev.packet,
    });
    host.touch();
    const result = ev.addresses.length > 0 ? listText(ev.addresses) : ev.rcode === 'NOERROR' ? 'no address' : ev.rcode;
    this.push({ ts: ev.ts, packet: ev.packet, flowId: ev.flowId, host: host.key, kind: 'dns', what: `DNS ${name} ${q.type} → ${result} (resolver ${ev.server.addr})` });
  }
}
