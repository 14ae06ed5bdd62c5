/**
 * `dns-resolver-disagreement`: two resolvers in one capture gave disjoint address sets
 * for the same Go host and record type. Round-robin answers overlap and are not
 * reported; disjoint ones mean the resolvers see different zones: a filtering or
 * hijacked resolver next to an honest one, split-horizon DNS, or geo-DNS (which is
 * benign; the finding says so). State is bounded: names, resolvers per name and
 * addresses per answer are capped.
 */
import { msg } from '../../findings/message.js';
import { addEvidence, type FindingScope, type Group } from '../../findings/store.js';
import type { DnsResponseEvent, GotapEvent } from '../../protocols/events.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, Evidence, FindingDraft } from '../types.js';
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

export function createDnsResolverDisagreementDetector(opts: DnsDetectorOptions, findings: FindingScope): Detector {
  /** "name|type" → first answer per resolver. */
  const seen = new Map<string, ResolverAnswer[]>();
  const groups = findings.aggregator<DisagreementGroup>();
  const publish = findings.publisher(render);

  function onResponse(ev: DnsResponseEvent): void {
    const q = ev.questions[0];
    if (!q || ev.rcode !== 'NOERROR' || ev.addresses.length === 0) return;
    const host = normalizeHost(q.name);
    if (!goEntry(opts.catalog, host)) return;
    const key = `${host}|${q.type}`;
    let answers = seen.get(key);
    if (!answers) {
      if (seen.size >= MAX_NAMES) {
        findings.dropped++;
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
    const g = groups.add(`dns-resolver-disagreement|${host}`, undefined, () => ({ host, answers: new Map() }));
    if (!g) return;
    for (const a of [...disjointFrom, answers[answers.length - 1]!]) {
      if (!g.data.answers.has(`${a.resolver} ${q.type}`)) {
        g.data.answers.set(`${a.resolver} ${q.type}`, [...a.addresses].join(', '));
        addEvidence(g.evidence, a.evidence);
      }
    }
    publish(g);
  }

  function render(g: Group<DisagreementGroup>): FindingDraft {
    const d = g.data;
    const lines = [...d.answers].map(([r, a]) => `${r} → ${a}`).join('; ');
    return {
      id: 'dns-resolver-disagreement',
      severity: 'warn',
      title: msg`Resolvers disagree about ${d.host}`,
      detail: msg`Different resolvers in this capture gave ${d.host} addresses with nothing in common: ${lines}. One of them may be filtering or hijacked, or the network uses split-horizon DNS; geo-DNS can also explain it for global services, so check which answer the go command's connections used.`,
      host: d.host,
      fix: msg`Query each resolver yourself (\`dig @<resolver> ${d.host}\`) and find out why the answers differ; make the machine use one trusted resolver.`,
      values: { host: d.host, count: g.count },
    };
  }

  return {
    event(ev: GotapEvent): void {
      if (ev.type === 'dns-response') onResponse(ev);
    },
  };
}
