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
import { msg } from '../../findings/message.js';
import { addEvidence, framesText, MAX_EVIDENCE, times, type FindingScope, type Group } from '../../findings/store.js';
import type { Flow } from '../../flow/types.js';
import type { DnsResponseEvent, GotapEvent } from '../../protocols/events.js';
import { isGoRole, normalizeHost, type HostLookup } from '../policy/go-hosts.js';
import type { Detector, Evidence, FindingDraft } from '../types.js';
import { ExpectedRanges, specialRange } from './address-ranges.js';

/** What the DNS detectors need of DetectorOptions. */
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

/** Half the evidence for the DNS answers, the rest for the connections that used them. */
export function withConnections(answers: readonly Evidence[], connections: readonly Evidence[]): Evidence[] {
  return [...answers.slice(0, connections.length > 0 ? MAX_EVIDENCE / 2 : MAX_EVIDENCE), ...connections].slice(0, MAX_EVIDENCE);
}

function relevant(entry: CatalogEntry | undefined): entry is CatalogEntry {
  return entry !== undefined && (isGoRole(entry.role) || (entry.addressRanges?.length ?? 0) > 0);
}

export function createDnsAnswerAddressDetector(opts: DnsDetectorOptions, findings: FindingScope): Detector {
  const groups = findings.aggregator<AnswerGroup>();
  const publish = findings.publisher<AnswerGroup>(render, (g) => withConnections(g.evidence, g.data.connectionFrames));
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
    publish(g);
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


  function render(group: Group<AnswerGroup>): FindingDraft {
    const { data: g, evidence: answers } = group;
    const count = g.responses;
    const addrs = [...g.addresses.keys()].join(', ');
    const list = [...g.addresses].map(([a, why]) => `${a} (${why})`).join(', ');
    const resolvers = [...g.resolvers].join(', ');
    const ranges = (g.ranges ?? []).join(', ');
    const connected =
      g.connections > 0
        ? msg` The client then connected to ${g.connections === 1 ? msg`it` : msg`them`} ${times(g.connections)} (${framesText(g.connectionFrames, g.connections)}).`
        : msg` No connection to these addresses was seen in the capture.`;
    const answered = msg`${times(count)} (${framesText(answers, count)})`;
    const values = { host: g.host, count };
    if (g.id === 'dns-unexpected-address') {
      return {
        id: g.id,
        severity: 'warn',
        title: msg`DNS answered ${g.host} with ${addrs}, outside the expected ${ranges}`,
        detail: msg`Resolver ${resolvers} answered ${g.host} with ${list} ${answered}; your config expects ${g.host} only in ${ranges}.${connected} An answer outside the expected ranges means DNS sends the go command somewhere else: injection on the path, a different resolver (VPN, DHCP), or the host really moved.`,
        host: g.host,
        fix: msg`Compare with a resolver you trust (\`dig @<trusted resolver> ${g.host}\`) and check the certificate the other address presents (\`gotap probe ${g.host}\`); if the host legitimately moved, update addressRanges for ${g.host} in your gotap config.`,
        values,
      };
    }
    return {
      id: g.id,
      severity: 'warn',
      title: msg`DNS answered Go host ${g.host} with non-public address ${addrs}`,
      detail: msg`Resolver ${resolvers} answered ${g.host} with ${list} ${answered}. No public server of ${g.host} lives there: a DNS filter or sinkhole, an /etc/hosts-style override, split-horizon DNS or a hijacked resolver is answering for it.${connected}`,
      host: g.host,
      fix: msg`Check /etc/hosts and the resolver (${resolvers}); if ${g.host} is an internal mirror or a lab you expect on these addresses, declare them as addressRanges for ${g.host} in your gotap config.`,
      values,
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
        publish(g);
      }
    },
  };
}
