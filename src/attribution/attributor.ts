/**
 * Names the host behind every flow and gives it a Go role, from what the analyzers saw:
 * TLS SNI > CONNECT target > HTTP Host (or an absolute-form target's authority) > the DNS
 * answer that resolved to the flow's server address (the most recent one before the flow
 * started). DNS flows themselves are the resolver, named by its address.
 *
 * Proxies: a flow whose server is an HTTP proxy is attributed to the host behind it, with
 * `via` describing the proxy (address, port, its DNS name if known) and `tunnelTarget` the
 * CONNECT target. Until the tunnel's content shows itself (an inner ClientHello or HTTP
 * request), the flow's role is 'http-proxy' and `host` is the CONNECT target; once it
 * does, host and role are those of the tunnelled host (the inner SNI when there is one).
 *
 * The role comes from the catalog lookup of the chosen name (with the first HTTP request's
 * path, so mirrors.aliyun.com/goproxy is told apart from the rest of that host); DNS names
 * fall back to their CNAME targets. A flow with no name is looked up by address (configured
 * IP patterns), else it is 'other'.
 *
 * Memory: per-flow state lives from the first sight of the flow to flowEnded; the
 * address → names map is a bounded LRU (names.ts). Attributions are cached per flow and
 * recomputed only when the flow's facts change, so asking once per event is cheap.
 */
import type { Flow } from '../flow/types.js';
import type { DnsResponseEvent, GotapEvent, HttpRequestEvent } from '../protocols/events.js';
import type { HostCatalog } from './catalog.js';
import { hostOfAuthority, normalizeName, parseRequestTarget } from './host-name.js';
import { AddressNames, MAX_CHAIN, type DnsName } from './names.js';
import { ROLE_LABELS } from './roles.js';
import type { CatalogEntry, FlowAttribution, ProxyHop } from './types.js';

export interface AttributorOptions {
  /** Addresses remembered from DNS answers (LRU). Default 100 000. */
  maxAddresses?: number;
  /** Names remembered per address. Default 4. */
  maxNamesPerAddress?: number;
}

interface Named {
  name: string;
  packet: number;
}

interface FlowState {
  flowId: number;
  /** Server endpoint: from flowStarted, or from a DNS event's server before that. */
  address: string;
  port: number;
  /** Flow start, once flowStarted was called. */
  firstTs?: number;
  /** DNS was seen on the flow, or its server port is 53. */
  resolver: boolean;
  sni?: Named;
  connect?: Named & { target: string };
  /** First request that named a host (Host header or absolute-form authority). */
  httpHost?: Named;
  /** Path of the first non-CONNECT request. */
  path?: string;
  /** An absolute-form request: the server is a forwarding proxy. */
  forwardPacket?: number;
  /** DNS name of the server address; null: looked up, none. */
  dns?: DnsName | null;
  cached?: FlowAttribution;
}

const DNS_PORT = 53;

export class Attributor {
  readonly names: AddressNames;
  private readonly flows = new Map<number, FlowState>();

  constructor(
    private readonly catalog: HostCatalog,
    opts: AttributorOptions = {},
  ) {
    this.names = new AddressNames(opts.maxAddresses, opts.maxNamesPerAddress);
  }

  /**
   * Registers a flow's endpoints and start time, and fixes the DNS name of its server
   * address as of that moment. Calling it again for a known flow (or after events of the
   * flow) only fills in what was missing.
   */
  flowStarted(flow: Flow): void {
    const s = this.state(flow.id);
    if (s.firstTs !== undefined) return;
    s.address = flow.server.addr;
    s.port = flow.server.port;
    s.firstTs = flow.firstTs;
    if (flow.server.port === DNS_PORT) s.resolver = true;
    // Fixed now, so answers that arrive while the flow runs cannot rename it.
    s.dns = s.resolver ? undefined : (this.names.nameFor(s.address, s.firstTs) ?? null);
    s.cached = undefined;
  }

  /** Learns from one analyzer event (in pipeline order). */
  event(ev: GotapEvent): void {
    switch (ev.type) {
      case 'dns-response':
        this.learnDns(ev);
        this.markResolver(ev.flowId, ev.server.addr, ev.server.port);
        break;
      case 'dns-query':
      case 'dns-unanswered':
        this.markResolver(ev.flowId, ev.server.addr, ev.server.port);
        break;
      case 'tls-client-hello': {
        const s = this.state(ev.flowId);
        if (s.sni || ev.sni === undefined) return;
        const name = normalizeName(ev.sni);
        if (name === '') return;
        s.sni = { name, packet: ev.packet };
        s.cached = undefined;
        break;
      }
      case 'http-request':
        this.learnHttp(ev);
        break;
      default:
        break;
    }
  }

  /** The flow's attribution now (cached until the flow's facts change; do not mutate it). */
  attributionOf(flowId: number): FlowAttribution {
    const s = this.flows.get(flowId);
    if (!s) return { flowId, host: undefined, nameSource: 'none', address: '', port: 0, role: 'other', label: ROLE_LABELS.other };
    return (s.cached ??= this.compute(s));
  }

  /** Drops the flow's state and returns its final attribution. */
  flowEnded(flowId: number): FlowAttribution {
    const a = this.attributionOf(flowId);
    this.flows.delete(flowId);
    return a;
  }

  private state(flowId: number): FlowState {
    let s = this.flows.get(flowId);
    if (!s) {
      s = { flowId, address: '', port: 0, resolver: false };
      this.flows.set(flowId, s);
    }
    return s;
  }

  private markResolver(flowId: number, addr: string, port: number): void {
    const s = this.state(flowId);
    if (s.resolver && s.address !== '') return;
    s.resolver = true;
    if (s.address === '') {
      s.address = addr;
      s.port = port;
    }
    s.cached = undefined;
  }

  private learnDns(ev: DnsResponseEvent): void {
    const q = ev.questions[0];
    if (!q || ev.addresses.length === 0) return;
    const name = normalizeName(q.name);
    if (name === '') return;
    const chain = [name, ...ev.cnameChain.slice(0, MAX_CHAIN - 1).map(normalizeName)];
    const record: DnsName = { name, chain, packet: ev.packet, ts: ev.ts, resolver: ev.server.addr };
    for (const address of ev.addresses) this.names.learn(address, record);
  }

  private learnHttp(ev: HttpRequestEvent): void {
    const s = this.state(ev.flowId);
    if (ev.method === 'CONNECT' || ev.connectTarget !== undefined) {
      if (s.connect) return;
      const target = ev.connectTarget ?? ev.target;
      const host = hostOfAuthority(target);
      if (host === undefined) return;
      s.connect = { name: host, target, packet: ev.packet };
      s.cached = undefined;
      return;
    }
    const t = parseRequestTarget(ev.target);
    if (s.path === undefined && t.path !== undefined) {
      s.path = t.path;
      s.cached = undefined;
    }
    if (s.httpHost) return;
    const host = t.absolute ? t.host : ev.host === undefined ? undefined : hostOfAuthority(ev.host);
    if (host === undefined) return;
    s.httpHost = { name: host, packet: ev.packet };
    if (t.absolute) s.forwardPacket = ev.packet;
    s.cached = undefined;
  }

  /** The DNS name of the flow's server address (fixed by flowStarted; looked up now for a flow registered late). */
  private dnsName(s: FlowState): DnsName | undefined {
    if (s.dns === undefined) {
      if (s.address === '') return undefined;
      s.dns = this.names.nameFor(s.address, s.firstTs) ?? null;
    }
    return s.dns ?? undefined;
  }

  private compute(s: FlowState): FlowAttribution {
    const base = { flowId: s.flowId, address: s.address, port: s.port };
    const via = this.proxyHop(s);
    const tunnel = s.connect ? { tunnelTarget: s.connect.target } : {};
    const named = s.sni ?? s.connect ?? s.httpHost;
    if (named) {
      const nameSource = named === s.sni ? 'sni' : named === s.connect ? 'connect' : 'http-host';
      const common = { ...base, host: named.name, nameSource, namePacket: named.packet, ...tunnel, ...(via ? { via } : {}) } as const;
      // A tunnel whose content has not shown itself is, so far, only a request to the proxy.
      if (nameSource === 'connect' && s.path === undefined) return { ...common, role: 'http-proxy', label: ROLE_LABELS['http-proxy'] };
      return { ...common, ...this.roleOf(this.catalog.lookup(named.name, s.path)) };
    }
    if (s.resolver) return { ...base, host: s.address || undefined, nameSource: 'none', role: 'resolver', label: ROLE_LABELS.resolver };
    const dns = this.dnsName(s);
    if (dns) {
      const entry = this.lookupChain(dns.chain);
      return {
        ...base,
        host: dns.name,
        nameSource: 'dns',
        namePacket: dns.packet,
        dnsChain: [...dns.chain],
        dnsResolver: dns.resolver,
        ...this.roleOf(entry),
      };
    }
    return { ...base, host: undefined, nameSource: 'none', ...this.roleOf(s.address ? this.catalog.lookup(s.address) : undefined) };
  }

  private proxyHop(s: FlowState): ProxyHop | undefined {
    const packet = s.connect?.packet ?? s.forwardPacket;
    if (packet === undefined) return undefined;
    const name = this.dnsName(s)?.name;
    return { address: s.address, port: s.port, ...(name !== undefined ? { name } : {}), how: s.connect ? 'connect' : 'absolute-form', packet };
  }

  /** First catalog entry along a DNS chain: the question name, then each CNAME target. */
  private lookupChain(chain: readonly string[]): CatalogEntry | undefined {
    for (const name of chain) {
      const e = this.catalog.lookup(name);
      if (e && !e.shared) return e;
    }
    return this.catalog.lookup(chain[0]!);
  }

  private roleOf(entry: CatalogEntry | undefined): Pick<FlowAttribution, 'role' | 'label' | 'entry'> {
    return entry ? { role: entry.role, label: entry.label, entry } : { role: 'other', label: ROLE_LABELS.other };
  }
}
