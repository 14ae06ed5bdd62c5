/**
 * `dns-resolver-disagreement`: two resolvers in one capture gave disjoint address sets
 * for the same Go host and record type. Round-robin answers overlap and are not
 * reported; disjoint ones mean the resolvers see different zones: a filtering or
 * hijacked resolver next to an honest one, split-horizon DNS, or geo-DNS (which is
 * benign; the finding says so). State is bounded: names, resolvers per name and
 * addresses per answer are capped.
 */
import type { DnsResponseEvent, GotapEvent } from '../../protocols/events.js';
import { addEvidence, Aggregator, Publisher, reportDropped, type Group } from '../policy/aggregate.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, Evidence, Finding, FindingSink } from '../types.js';
import type { DnsDetectorOptions } from './answer-addresses.js';

const MAX_NAMES = 512;
const MAX_RESOLVERS_PER_NAME = 8;
const MAX_ADDRESSES = 16;

interface ResolverAnswer {
  resolver: string;
  addresses: Set<string>;
  evidence: Evidence;
}

interface DisagreementGroup {
  host: string;
  /** "resolver: addresses" lines, one per resolver involved. */
  answers: Map<string, string>;
}

export function createDnsResolverDisagreementDetector(opts: DnsDetectorOptions, sink: FindingSink): Detector {
  /** "name|type" → first answer per resolver. */
  const seen = new Map<string, ResolverAnswer[]>();
  const findings = new Aggregator<DisagreementGroup>();
  const publisher = new Publisher<DisagreementGroup>(sink, render);
  let namesDropped = 0;

  function onResponse(ev: DnsResponseEvent): void {
    const q = ev.questions[0];
    if (!q || ev.rcode !== 'NOERROR' || ev.addresses.length === 0) return;
    const host = normalizeHost(q.name);
    if (!goEntry(opts.catalog, host)) return;
    const key = `${host}|${q.type}`;
    let answers = seen.get(key);
    if (!answers) {
      if (seen.size >= MAX_NAMES) {
        namesDropped++;
        return;
      }
      answers = [];
      seen.set(key, answers);
    }
    const resolver = ev.server.addr;
    const addresses = new Set(ev.addresses.slice(0, MAX_ADDRESSES));
    const evidence: Evidence = { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `${resolver} answered ${host} ${q.type}: ${[...addresses].join(', ')}` };
    if (answers.some((a) => a.resolver === resolver) || answers.length >= MAX_RESOLVERS_PER_NAME) return;
    const disjointFrom = answers.filter((a) => ![...a.addresses].some((x) => addresses.has(x)));
    answers.push({ resolver, addresses, evidence });
    if (disjointFrom.length === 0) return;
    const g = findings.add(host, undefined, () => ({ host, answers: new Map() }));
    if (!g) return;
    for (const a of [...disjointFrom, answers[answers.length - 1]!]) {
      if (!g.data.answers.has(`${a.resolver} ${q.type}`)) {
        g.data.answers.set(`${a.resolver} ${q.type}`, [...a.addresses].join(', '));
        addEvidence(g.evidence, a.evidence);
      }
    }
    publisher.publish(g);
  }

  function render(g: Group<DisagreementGroup>): Finding {
    const d = g.data;
    const lines = [...d.answers].map(([r, a]) => `${r} → ${a}`).join('; ');
    return {
      id: 'dns-resolver-disagreement',
      severity: 'warn',
      title: `Resolvers disagree about ${d.host}`,
      detail: `Different resolvers in this capture gave ${d.host} addresses with nothing in common: ${lines}. One of them may be filtering or hijacked, or the network uses split-horizon DNS; geo-DNS can also explain it for global services, so check which answer the go command's connections used.`,
      host: d.host,
      evidence: g.evidence,
      fix: `Query each resolver yourself (\`dig @<resolver> ${d.host}\`) and find out why the answers differ; make the machine use one trusted resolver.`,
    };
  }

  return {
    event(ev: GotapEvent): void {
      if (ev.type === 'dns-response') onResponse(ev);
    },
    finish(): void {
      reportDropped(sink, 'DNS resolver disagreement', findings.dropped + namesDropped);
    },
  };
}
