/**
 * `dns-error-for-go-host`: the resolver said NXDOMAIN, SERVFAIL or REFUSED for a Go
 * host, or never answered. Any of these stops `go mod download` before a connection
 * exists, which is why the capture then shows no TLS at all. Unanswered queries count
 * only when the name got no answer at all in the capture: the go command retries, and a
 * capture cut short leaves queries pending that say nothing about the network.
 */
import { joinMessages, msg, type Message } from '../../findings/message.js';
import { addEvidence, framesText, type Aggregator, type FindingScope, type Group } from '../../findings/store.js';
import type { GotapEvent } from '../../protocols/events.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, FindingDraft } from '../types.js';
import type { DnsDetectorOptions } from './answer-addresses.js';

const ERROR_RCODES = new Set(['NXDOMAIN', 'SERVFAIL', 'REFUSED']);
const MAX_ANSWERED_NAMES = 4096;
const NO_ANSWER = 'no answer';

interface ErrorGroup {
  host: string;
  /** rcode (or "no answer") → count. */
  kinds: Map<string, number>;
  resolvers: Set<string>;
}

const FIXES: Record<string, Message> = {
  NXDOMAIN: msg`the resolver claims the name does not exist: a DNS filter/blocklist or split-horizon DNS; ask IT to allow it`,
  SERVFAIL: msg`the resolver failed (upstream unreachable or DNSSEC validation failure); try another resolver to compare`,
  REFUSED: msg`the resolver refuses to serve this client (ACL); use the resolver your network assigns`,
  [NO_ANSWER]: msg`queries went unanswered: the resolver is unreachable or DNS traffic is blocked`,
};

export function createDnsErrorDetector(opts: DnsDetectorOptions, findings: FindingScope): Detector {
  const errors = findings.aggregator<ErrorGroup>();
  const unanswered = findings.aggregator<ErrorGroup>();
  const publish = findings.publisher(render);
  /** Names that got at least one response (bounded; beyond the cap unanswered queries are not judged). */
  const answered = new Set<string>();
  let answeredOverflow = false;

  function group(agg: Aggregator<ErrorGroup>, host: string, kind: string, resolver: string, ev: GotapEvent, what: string): Group<ErrorGroup> | undefined {
    const g = agg.add(`dns-error-for-go-host|${host}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what }, () => ({ host, kinds: new Map(), resolvers: new Set() }));
    if (!g) return undefined;
    g.data.kinds.set(kind, (g.data.kinds.get(kind) ?? 0) + 1);
    if (g.data.resolvers.size < 8) g.data.resolvers.add(resolver);
    return g;
  }

  function render(g: Group<ErrorGroup>): FindingDraft {
    const d = g.data;
    const kinds = [...d.kinds].map(([k, n]) => (n === 1 ? k : `${k} ×${n}`)).join(', ');
    const resolvers = [...d.resolvers].join(', ');
    const fixes = joinMessages([...d.kinds.keys()].map((k) => FIXES[k] ?? msg``), '; ');
    return {
      id: 'dns-error-for-go-host',
      severity: 'warn',
      title: msg`DNS ${kinds} for Go host ${d.host}`,
      detail: msg`Resolver ${resolvers} gave ${kinds} for ${d.host} (${framesText(g.evidence, g.count)}). Without an address the go command cannot connect: \`go mod download\` fails with "dial tcp: lookup ${d.host}" or falls through its GOPROXY list.`,
      host: d.host,
      fix: msg`${fixes}; compare with \`dig @<another resolver> ${d.host}\`, or point GOPROXY at a mirror your network resolves.`,
      values: { host: d.host, count: g.count },
    };
  }

  return {
    event(ev: GotapEvent): void {
      if (ev.type !== 'dns-response' && ev.type !== 'dns-unanswered') return;
      const q = ev.questions[0];
      if (!q) return;
      const host = normalizeHost(q.name);
      if (ev.type === 'dns-response') {
        if (answered.size < MAX_ANSWERED_NAMES) answered.add(host);
        else answeredOverflow = true;
      }
      if (!goEntry(opts.catalog, host)) return;
      if (ev.type === 'dns-response' && ERROR_RCODES.has(ev.rcode)) {
        const g = group(errors, host, ev.rcode, ev.server.addr, ev, `${ev.rcode} from ${ev.server.addr} for ${host} ${q.type}`);
        if (g) publish(g);
      } else if (ev.type === 'dns-unanswered') {
        group(unanswered, host, NO_ANSWER, ev.server.addr, ev, `query for ${host} ${q.type} to ${ev.server.addr} never answered`);
      }
    },
    finish(): void {
      for (const u of unanswered.values()) {
        if (answered.has(u.data.host) || answeredOverflow) continue;
        const g = errors.add(u.key, undefined, () => ({ host: u.data.host, kinds: new Map(), resolvers: new Set() }));
        if (!g) continue;
        // add() counted one occurrence; the group had u.count.
        g.count += u.count - 1;
        for (const e of u.evidence) addEvidence(g.evidence, e);
        g.data.kinds.set(NO_ANSWER, (g.data.kinds.get(NO_ANSWER) ?? 0) + u.count);
        for (const r of u.data.resolvers) g.data.resolvers.add(r);
        publish(g);
      }
    },
  };
}
