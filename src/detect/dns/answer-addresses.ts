/**
 * `dns-bogon-answer` and `dns-unexpected-address`: a Go host's DNS answer points where
 * no public server lives (loopback, private, link-local, CGNAT, documentation …), or
 * outside the ranges the user's config expects for that host. One check, two modes:
 * with `addressRanges` declared for the answer's address family, the ranges are the
 * truth (so a lab or an internal mirror on 10.x is fine, and a precise /32 still catches
 * a hijacked answer); without them, special-purpose ranges are the suspicion. Flows that
 * then went to a flagged address are added as evidence: that is where the go command
 * actually connected.
 */
import type { CatalogEntry } from '../../attribution/types.js';
import type { Flow } from '../../flow/types.js';
import type { DnsResponseEvent, GotapEvent } from '../../protocols/events.js';
import { addEvidence, Aggregator, framesText, MAX_EVIDENCE, Publisher, reportDropped, times, type Group } from '../policy/aggregate.js';
import { isGoRole, normalizeHost, type HostLookup } from '../policy/go-hosts.js';
import type { Detector, Evidence, Finding, FindingSink } from '../types.js';
import { ExpectedRanges, specialRange } from './address-ranges.js';

export interface DnsDetectorOptions {
  catalog: HostLookup;
}

/** Flagged addresses remembered to recognise the flows that used them. */
const MAX_WATCHED_ADDRESSES = 1024;
/** Distinct addresses listed per finding. */
const MAX_ADDRESSES = 16;

interface AnswerGroup {
  id: 'dns-bogon-answer' | 'dns-unexpected-address';
  host: string;
  /** address → range label ("loopback") or "outside 127.0.0.2/32". */
  addresses: Map<string, string>;
  resolvers: Set<string>;
  ranges?: readonly string[];
  /** Responses that gave a flagged address (one response may give several). */
  responses: number;
  lastPacket: number;
  connections: number;
  connectionFrames: Evidence[];
}

function relevant(entry: CatalogEntry | undefined): entry is CatalogEntry {
  return entry !== undefined && (isGoRole(entry.role) || (entry.addressRanges?.length ?? 0) > 0);
}

export function createDnsAnswerAddressDetector(opts: DnsDetectorOptions, sink: FindingSink): Detector {
  const groups = new Aggregator<AnswerGroup>();
  const publisher = new Publisher<AnswerGroup>(sink, toFinding);
  const compiled = new WeakMap<CatalogEntry, ExpectedRanges>();
  /** flagged address → group keys that flagged it. */
  const watched = new Map<string, Set<string>>();

  function rangesOf(entry: CatalogEntry): ExpectedRanges | undefined {
    if (!entry.addressRanges || entry.addressRanges.length === 0) return undefined;
    let r = compiled.get(entry);
    if (!r) {
      r = new ExpectedRanges(entry.addressRanges);
      compiled.set(entry, r);
    }
    return r;
  }

  function flag(ev: DnsResponseEvent, host: string, address: string, id: AnswerGroup['id'], why: string, ranges?: readonly string[]): void {
    const key = `${id}|${host}`;
    const g = groups.add(key, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `DNS answer from ${ev.server.addr}: ${host} → ${address} (${why})` }, () => ({
      id,
      host,
      addresses: new Map(),
      resolvers: new Set(),
      ranges,
      responses: 0,
      lastPacket: 0,
      connections: 0,
      connectionFrames: [],
    }));
    if (!g) return;
    if (g.data.lastPacket !== ev.packet) {
      g.data.responses++;
      g.data.lastPacket = ev.packet;
    }
    if (g.data.addresses.size < MAX_ADDRESSES) g.data.addresses.set(address, why);
    if (g.data.resolvers.size < MAX_ADDRESSES) g.data.resolvers.add(ev.server.addr);
    publisher.publish(g);
    let keys = watched.get(address);
    if (!keys) {
      if (watched.size >= MAX_WATCHED_ADDRESSES) return;
      keys = new Set();
      watched.set(address, keys);
    }
    keys.add(key);
  }

  function onResponse(ev: DnsResponseEvent): void {
    const q = ev.questions[0];
    if (!q || ev.addresses.length === 0) return;
    const host = normalizeHost(q.name);
    const entry = opts.catalog.lookup(host);
    if (!relevant(entry)) return;
    const ranges = rangesOf(entry);
    for (const address of new Set(ev.addresses)) {
      if (ranges?.covers(address)) {
        if (!ranges.contains(address)) flag(ev, host, address, 'dns-unexpected-address', `outside ${ranges.ranges.join(', ')}`, ranges.ranges);
        continue;
      }
      const special = specialRange(address);
      if (special !== undefined) flag(ev, host, address, 'dns-bogon-answer', special);
    }
  }

  function toFinding(group: Group<AnswerGroup>): Finding {
    const { data: g, evidence: answers } = group;
    const count = g.responses;
    const addrs = [...g.addresses.keys()];
    const list = [...g.addresses].map(([a, why]) => `${a} (${why})`).join(', ');
    const resolvers = [...g.resolvers].join(', ');
    const connected =
      g.connections > 0
        ? ` The client then connected to ${g.connections === 1 ? 'it' : 'them'} ${times(g.connections)} (${framesText(g.connectionFrames, g.connections)}).`
        : ' No connection to these addresses was seen in the capture.';
    const answered = `${times(count)} (${framesText(answers, count)})`;
    // Half the evidence for the answers, the rest for the connections that used them.
    const evidence = [...answers.slice(0, g.connectionFrames.length > 0 ? MAX_EVIDENCE / 2 : MAX_EVIDENCE), ...g.connectionFrames].slice(0, MAX_EVIDENCE);
    if (g.id === 'dns-unexpected-address') {
      return {
        id: g.id,
        severity: 'warn',
        title: `DNS answered ${g.host} with ${addrs.join(', ')}, outside the expected ${(g.ranges ?? []).join(', ')}`,
        detail: `Resolver ${resolvers} answered ${g.host} with ${list} ${answered}; your config expects ${g.host} only in ${(g.ranges ?? []).join(', ')}.${connected} An answer outside the expected ranges means DNS sends the go command somewhere else: injection on the path, a different resolver (VPN, DHCP), or the host really moved.`,
        host: g.host,
        evidence,
        fix: `Compare with a resolver you trust (\`dig @<trusted resolver> ${g.host}\`) and check the certificate the other address presents (\`gotap probe ${g.host}\`); if the host legitimately moved, update addressRanges for ${g.host} in your gotap config.`,
      };
    }
    return {
      id: g.id,
      severity: 'warn',
      title: `DNS answered Go host ${g.host} with non-public address ${addrs.join(', ')}`,
      detail: `Resolver ${resolvers} answered ${g.host} with ${list} ${answered}. No public server of ${g.host} lives there: a DNS filter or sinkhole, an /etc/hosts-style override, split-horizon DNS or a hijacked resolver is answering for it.${connected}`,
      host: g.host,
      evidence,
      fix: `Check /etc/hosts and the resolver (${resolvers}); if ${g.host} is an internal mirror or a lab you expect on these addresses, declare them as addressRanges for ${g.host} in your gotap config.`,
    };
  }

  return {
    event(ev: GotapEvent): void {
      if (ev.type === 'dns-response' && ev.rcode === 'NOERROR') onResponse(ev);
    },
    flowEnded(flow: Flow): void {
      const keys = watched.get(flow.server.addr);
      if (!keys) return;
      for (const key of keys) {
        const g = groups.get(key);
        if (!g) continue;
        g.data.connections++;
        const ev = { packet: flow.firstFrame, ts: flow.firstTs, flowId: flow.id, what: `${flow.protocol.toUpperCase()} connection to ${flow.server.addr}:${flow.server.port}` };
        addEvidence(g.data.connectionFrames, ev);
        publisher.publish(g);
      }
    },
    finish(): void {
      reportDropped(sink, 'DNS answer', groups.dropped);
    },
  };
}
