/**
 * `dns-conflicting-responses`: one query for a Go host got two or more responses with
 * different content (the DNS analyzer's dns-conflict event; TTL-only differences never
 * count). A real resolver answers once; a second, different answer racing it is the
 * signature of on-path injection, and the client usually takes whichever came first.
 * Flows to an address that only one of the responses gave are added as evidence.
 */
import { msg } from '../../findings/message.js';
import { addEvidence, framesText, times, type FindingScope, type Group } from '../../findings/store.js';
import type { Flow } from '../../flow/types.js';
import type { DnsConflictEvent, GotapEvent } from '../../protocols/events.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, Evidence, FindingDraft } from '../types.js';
import { withConnections, type DnsDetectorOptions } from './answer-addresses.js';

const MAX_WATCHED_ADDRESSES = 1024;
const MAX_VARIANTS = 8;

interface ConflictGroup {
  host: string;
  /** Distinct answers seen ("127.0.0.66", "NXDOMAIN"), first seen first. */
  variants: string[];
  resolvers: Set<string>;
  connections: Evidence[];
  connectionCount: number;
  /** Distinct queries that got conflicting responses (a third answer re-reports the same query). */
  queries: Set<string>;
}

function variantOf(r: DnsConflictEvent['responses'][number]): string {
  if (r.rcode !== 'NOERROR') return r.rcode;
  return r.addresses.length > 0 ? [...r.addresses].sort().join(' ') : 'no addresses';
}

export function createDnsConflictDetector(opts: DnsDetectorOptions, findings: FindingScope): Detector {
  const groups = findings.aggregator<ConflictGroup>();
  const publish = findings.publisher<ConflictGroup>(render, (g) => withConnections(g.evidence, g.data.connections));
  /** Address given by only some of the conflicting responses → group key. */
  const watched = new Map<string, string>();

  function onConflict(ev: DnsConflictEvent): void {
    const q = ev.questions[0];
    if (!q) return;
    const host = normalizeHost(q.name);
    if (!goEntry(opts.catalog, host)) return;
    const key = `dns-conflicting-responses|${host}`;
    const g = groups.add(key, undefined, () => ({ host, variants: [], resolvers: new Set(), connections: [], connectionCount: 0, queries: new Set() }));
    if (!g) return;
    if (g.data.resolvers.size < MAX_VARIANTS) g.data.resolvers.add(ev.server.addr);
    if (g.data.queries.size < MAX_WATCHED_ADDRESSES) g.data.queries.add(`${ev.flowId}:${ev.id}:${ev.responses[0]?.packet ?? ev.packet}`);
    ev.responses.forEach((r, i) => {
      const variant = variantOf(r);
      if (!g.data.variants.includes(variant) && g.data.variants.length < MAX_VARIANTS) g.data.variants.push(variant);
      addEvidence(g.evidence, { packet: r.packet, ts: r.ts, flowId: ev.flowId, what: `response ${i + 1} to query id ${ev.id}: ${variant}` });
    });
    // Addresses not common to every response are the contested ones.
    const sets = ev.responses.map((r) => new Set(r.addresses));
    for (const s of sets) {
      for (const a of s) {
        if (sets.every((o) => o.has(a)) || watched.size >= MAX_WATCHED_ADDRESSES) continue;
        watched.set(a, key);
      }
    }
    publish(g);
  }


  function render(g: Group<ConflictGroup>): FindingDraft {
    const d = g.data;
    const connected =
      d.connectionCount > 0 ? msg` The client connected to a contested address ${times(d.connectionCount)} (${framesText(d.connections, d.connectionCount)}).` : msg``;
    const queries = d.queries.size === 1 ? msg`A query` : msg`${d.queries.size} queries`;
    return {
      id: 'dns-conflicting-responses',
      severity: 'warn',
      title: msg`Conflicting DNS responses for ${d.host}: ${d.variants.join(' vs ')}`,
      detail: msg`${queries} for ${d.host} to ${[...d.resolvers].join(', ')} got different responses (${framesText(g.evidence)}): ${d.variants.join(', then ')}. A resolver answers once; a second, different answer racing it is the signature of on-path DNS injection, and the client takes whichever arrives first.${connected}`,
      host: d.host,
      fix: msg`Find the injecting device (compare IP TTL and IP ID of the responses in Wireshark), use an encrypted or DNSSEC-validating resolver, and check what the contested address serves with \`gotap probe ${d.host}\`.`,
      values: { host: d.host, count: d.queries.size },
    };
  }

  return {
    event(ev: GotapEvent): void {
      if (ev.type === 'dns-conflict') onConflict(ev);
    },
    flowEnded(flow: Flow): void {
      const key = watched.get(flow.server.addr);
      const g = key === undefined ? undefined : groups.get(key);
      if (!g) return;
      g.data.connectionCount++;
      addEvidence(g.data.connections, { packet: flow.firstFrame, ts: flow.firstTs, flowId: flow.id, what: `${flow.protocol.toUpperCase()} connection to contested address ${flow.server.addr}:${flow.server.port}` });
      publish(g);
    },
  };
}
