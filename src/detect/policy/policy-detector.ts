/**
 * Holds every observed Go contact against the user's go env policy and says which
 * setting explains it, or that none does. Two levels of sight:
 *
 * - Contacts (always visible): one per flow to a module proxy, mirror or checksum
 *   database, named by SNI, Host, CONNECT target or the flow's attribution. Most Go
 *   traffic is TLS 1.3, where this is all there is, so explanations at this level
 *   that depend on HTTP statuses are *inferred* and say so.
 * - Go requests (plaintext or decrypted HTTP): module paths and statuses, so private
 *   module leaks, observed fallbacks after 404/410 and sumdb-through-proxy after a 200
 *   to /supported are stated as facts.
 *
 * Violations are warn and published as they happen (updated in place as they recur);
 * explanations are info and come at the end, when the whole capture is known.
 * Everything is aggregated per host and rule with the first evidence frames and a count,
 * so findings stay bounded.
 */
import type { FlowAttribution } from '../../attribution/types.js';
import { FlowSlot, type FlowContext } from '../../enrich/flow-context.js';
import { msg } from '../../findings/message.js';
import { addEvidence, framesText, times, type FindingScope, type Group } from '../../findings/store.js';
import type { Flow } from '../../flow/types.js';
import { LruMap } from '../../util/lru-map.js';
import type { GoRequestEvent, GotapEvent, HttpResponseEvent } from '../../protocols/events.js';
import type { Detector, Evidence, FindingDraft } from '../types.js';
import { isModuleServer, normalizeHost, type HostLookup } from './go-hosts.js';
import { bypassesProxy, bypassesSumdb, type GoPolicy, type ProxyEntry } from './policy.js';

export interface PolicyDetectorOptions {
  catalog: HostLookup;
  policy?: GoPolicy;
}

const PROXY_KINDS = new Set(['list', 'info', 'mod', 'zip', 'latest']);
const SUMDB_KINDS = new Set(['lookup', 'tile', 'sumdb-latest']);
const MAX_TRACKED = 4096;
const MAX_ITEMS = 10;
/** The flow's Go contact, once counted (a flow is one contact, whatever it carries). */
const CONTACT = new FlowSlot<CountedFlow>('policy.contact');

type ViolationId = 'policy-proxy-not-in-goproxy' | 'policy-sumdb-contacted-while-off' | 'policy-private-module-leaked' | 'policy-unexpected-sumdb';

interface Contact {
  host: string;
  firstTs: number;
  /** The GOPROXY entry or GOSUMDB that explains it, if any. */
  entry?: ProxyEntry;
  sumdb: boolean;
  via: Set<string>;
  /** Some flow got an answer (ServerHello or HTTP response) and was not rejected by the client. */
  served: boolean;
}

interface CountedFlow {
  host: string;
  answered: boolean;
  rejected: boolean;
}

interface Violation {
  id: ViolationId;
  host: string;
  /** Module paths (when requests were visible). */
  modules: Set<string>;
  requests: number;
}

interface Fallback {
  from: string;
  fromEntry: ProxyEntry;
  to: Set<string>;
  /** Seen as a 404/410 (or error) followed by the next entry's request, not inferred. */
  observed: boolean;
  modules: Set<string>;
}

interface SumdbViaProxy {
  host: string;
  observed: boolean;
  supportedPacket?: number;
  requests: number;
}

interface Failure {
  entry: ProxyEntry;
  status: number;
  evidence: Evidence;
}

function addBounded(set: Set<string>, value: string): void {
  if (set.size < MAX_ITEMS) set.add(value);
}

/** Without a go env policy there is nothing to judge contacts against: no detector. */
export function createPolicyDetector(opts: PolicyDetectorOptions, findings: FindingScope): Detector | undefined {
  return opts.policy ? policyDetector(opts.catalog, opts.policy, findings) : undefined;
}

function policyDetector(catalog: HostLookup, policy: GoPolicy, findings: FindingScope): Detector {
  const settings = { GOPROXY: policy.values.GOPROXY, GOSUMDB: policy.values.GOSUMDB };
  const urlEntries = policy.goproxy.filter((e) => e.kind === 'url');
  const contacts = findings.aggregator<Contact>();
  const violations = findings.aggregator<Violation>();
  const publish = findings.publisher(renderViolation);
  const fallbacks = findings.aggregator<Fallback>();
  const viaProxy = findings.aggregator<SumdbViaProxy>();
  /** "module@version|kind" → the latest failure from a GOPROXY entry. */
  const failures = new LruMap<string, Failure>(MAX_TRACKED);
  /** proxy host → its answer to /sumdb/<name>/supported. */
  const supported = new LruMap<string, { status: number; packet: number }>(MAX_TRACKED);

  function proxyEntryFor(host: string): ProxyEntry | undefined {
    return urlEntries.find((e) => e.host === host);
  }

  function violation(id: ViolationId, host: string, evidence: Evidence, module?: string): void {
    const g = violations.add(`${id}|${host}`, evidence, () => ({ id, host, modules: new Set(), requests: 0 }));
    if (!g) return;
    if (module !== undefined) {
      addBounded(g.data.modules, module);
      g.data.requests++;
    }
    publish(g);
  }

  /** One flow to a named host: explained by GOPROXY/GOSUMDB, a violation, or not governed by the policy. */
  function contact(host: string, evidence: Evidence, via?: string): void {
    const entry = proxyEntryFor(host);
    const sumdb = !policy.gosumdb.off && host === policy.gosumdb.host;
    if (entry || sumdb) {
      const g = contacts.add(host, evidence, () => ({ host, firstTs: evidence.ts, entry, sumdb, via: new Set(), served: false }));
      if (g && via !== undefined) addBounded(g.data.via, via);
      return;
    }
    const role = catalog.lookup(host)?.role;
    if (role === 'checksum-db') violation(policy.gosumdb.off ? 'policy-sumdb-contacted-while-off' : 'policy-unexpected-sumdb', host, evidence);
    else if (isModuleServer(role)) violation('policy-proxy-not-in-goproxy', host, evidence);
  }

  function countFlow(ctx: FlowContext, host: string): boolean {
    if (ctx.get(CONTACT)) return false;
    ctx.set(CONTACT, { host, answered: false, rejected: false });
    return true;
  }

  /** Whether a counted flow was served: the server answered and the client did not reject it. */
  function noteOutcome(ev: GotapEvent, ctx: FlowContext): void {
    const flow = ctx.get(CONTACT);
    if (!flow) return;
    if (ev.type === 'tls-server-hello' || ev.type === 'http-response') flow.answered = true;
    else if (ev.type === 'tls-alert' && ev.dir === 0 && !ev.encrypted && ev.levelName === 'fatal') flow.rejected = true;
  }

  function onGoRequest(ev: GoRequestEvent, attribution: FlowAttribution): void {
    const host = normalizeHost(ev.host ?? attribution.host ?? attribution.address);
    const evidence: Evidence = { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `${ev.method} ${ev.target} (${ev.kind})` };
    const entry = proxyEntryFor(host);
    const role = catalog.lookup(host, ev.prefix)?.role;
    const isProxy = entry !== undefined || role === 'module-proxy' || role === 'mirror';

    if (PROXY_KINDS.has(ev.kind) && ev.module !== undefined) {
      if (isProxy && bypassesProxy(policy, ev.module)) violation('policy-private-module-leaked', host, evidence, ev.module);
      if (entry) noteFallback(ev, entry, host, evidence);
      return;
    }
    if (!SUMDB_KINDS.has(ev.kind)) return;
    if (ev.kind === 'lookup' && ev.module !== undefined && !policy.gosumdb.off && bypassesSumdb(policy, ev.module)) {
      violation('policy-private-module-leaked', host, evidence, ev.module);
      return;
    }
    if (ev.sumdb === undefined) return;
    // Through a proxy: <proxy>/sumdb/<name>/…
    if (policy.gosumdb.off) violation('policy-sumdb-contacted-while-off', host, evidence, ev.module);
    else if (ev.sumdb !== policy.gosumdb.name) violation('policy-unexpected-sumdb', host, evidence, ev.module);
    else {
      const g = viaProxy.add(host, evidence, () => ({ host, observed: true, requests: 0 }));
      if (g) g.data.requests++;
    }
  }

  function noteFallback(ev: GoRequestEvent, entry: ProxyEntry, host: string, evidence: Evidence): void {
    const failure = failures.get(`${ev.module}@${ev.version ?? ''}|${ev.kind}`);
    if (!failure || failure.entry.index >= entry.index) return;
    const allowed = failure.status === 404 || failure.status === 410 || failure.entry.fallbackOnError;
    if (!allowed) return;
    const from = failure.entry.host ?? '';
    const g = fallbacks.add(from, failure.evidence, () => ({ from, fromEntry: failure.entry, to: new Set(), observed: true, modules: new Set() }));
    if (!g) return;
    g.data.observed = true;
    addEvidence(g.evidence, evidence);
    addBounded(g.data.to, host);
    if (ev.module !== undefined) addBounded(g.data.modules, ev.module);
  }

  /** The answer to a Go request (paired by the flow context): /supported answers and failures that make the go command fall back. */
  function onResponse(ev: HttpResponseEvent, ctx: FlowContext): void {
    const go = ctx.transaction?.go;
    if (!go) return;
    const a = ctx.attribution;
    const host = normalizeHost(go.host ?? a.host ?? a.address);
    if (go.kind === 'sumdb-supported') {
      supported.set(host, { status: ev.status, packet: ev.packet });
      return;
    }
    if (!PROXY_KINDS.has(go.kind) || go.module === undefined) return;
    const entry = proxyEntryFor(host);
    if (entry && ev.status >= 400) {
      const what = `${ev.status} for ${go.module}${go.version ? `@${go.version}` : ''} ${go.kind} from ${host}`;
      failures.set(`${go.module}@${go.version ?? ''}|${go.kind}`, {
        entry,
        status: ev.status,
        evidence: { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what },
      });
    }
  }

  function onContactEvent(ev: GotapEvent, ctx: FlowContext): void {
    const attribution = ctx.attribution;
    if (ev.type === 'http-request' && ev.method === 'CONNECT') {
      const target = ev.connectTarget ?? ev.target;
      const host = normalizeHost(target);
      if (!countFlow(ctx, host)) return;
      const proxy = `${attribution.address.includes(':') ? `[${attribution.address}]` : attribution.address}:${attribution.port}`;
      contact(host, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `CONNECT ${target} via ${proxy}` }, proxy);
      return;
    }
    let host: string | undefined;
    let what: string;
    if (ev.type === 'tls-client-hello') {
      host = ev.sni ?? attribution.host;
      what = `TLS ClientHello to ${host ?? attribution.address}${ev.sni ? ' (SNI)' : ''}`;
    } else if (ev.type === 'http-request' || ev.type === 'go-request') {
      host = ev.host ?? attribution.host;
      what = `${ev.type === 'http-request' ? 'HTTP' : 'Go'} request ${ev.method} ${ev.target}`;
    } else {
      return;
    }
    if (host === undefined) return;
    const name = normalizeHost(host);
    if (!countFlow(ctx, name)) return;
    contact(name, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what });
  }

  function inferFallbacks(): void {
    const seen = contacts.values();
    for (const c of seen) {
      const entry = c.data.entry;
      if (!entry) continue;
      const earlier = seen
        .filter((o) => o.data.entry && o.data.entry.index < entry.index && o.data.firstTs <= c.data.firstTs)
        .sort((a, b) => b.data.entry!.index - a.data.entry!.index)[0];
      if (!earlier) continue;
      const from = earlier.data.host;
      const existing = fallbacks.get(from);
      if (existing) {
        addBounded(existing.data.to, c.data.host);
        continue;
      }
      const g = fallbacks.add(from, earlier.evidence[0], () => ({ from, fromEntry: earlier.data.entry!, to: new Set(), observed: false, modules: new Set() }));
      if (!g) continue;
      addBounded(g.data.to, c.data.host);
      if (c.evidence[0]) addEvidence(g.evidence, c.evidence[0]);
    }
  }

  function inferSumdbViaProxy(): void {
    const sumdb = policy.gosumdb;
    if (sumdb.off || sumdb.url !== undefined || viaProxy.size > 0) return;
    const all = contacts.values();
    if (all.some((c) => c.data.sumdb)) return;
    const first = all.filter((c) => c.data.entry && c.data.served).sort((a, b) => a.data.entry!.index - b.data.entry!.index)[0];
    if (!first) return;
    const s = supported.get(first.data.host);
    if (s !== undefined && s.status !== 200) return;
    viaProxy.add(first.data.host, first.evidence[0], () => ({ host: first.data.host, observed: false, supportedPacket: s?.packet, requests: 0 }));
  }

  /** The GOSUMDB host contacted after an unexplained proxy contact: possibly the same process, whose private lookups would leak too. */
  function sumdbAfter(first: Evidence | undefined) {
    const host = policy.gosumdb.host;
    const sumdb = host === undefined ? undefined : contacts.get(host);
    const next = sumdb?.evidence.find((e) => first !== undefined && e.ts >= first.ts);
    if (!next || policy.gonosumdb.length === 0) return msg``;
    return msg` ${host} was contacted after it (frame ${next.packet}); if that was the same process, lookups of private modules (GONOSUMDB=${policy.values.GONOSUMDB}) went there too — only decrypted traffic can tell.`;
  }

  function renderViolation(g: Group<Violation>): FindingDraft {
    const goproxy = msg`GOPROXY=${policy.values.GOPROXY}`;
    const d = g.data;
    const seen = msg`${d.host} was contacted ${times(g.count)} (${framesText(g.evidence, g.count)})`;
    const moduleList = [...d.modules];
    const modules = d.modules.size > 0 ? msg` Modules seen: ${moduleList.join(', ')}.` : msg``;
    const base = { id: d.id, severity: 'warn' as const, host: d.host, values: { settings, modules: moduleList, count: g.count } };
    if (d.id === 'policy-proxy-not-in-goproxy') {
      const priv =
        policy.goprivate.length > 0 ? msg` Private modules (GOPRIVATE=${policy.values.GOPRIVATE}) asked of it leak their paths to its operator.` : msg``;
      return {
        ...base,
        title: msg`${goproxy} but ${d.host} was contacted`,
        detail: msg`${goproxy} but ${seen}: a process that did not inherit your shell's GOPROXY (an editor, gopls, a CI step, a tool run with a clean environment).${priv}${modules}${sumdbAfter(g.evidence[0])}`,
        fix: msg`Check \`go env GOENV\` and \`go env -w GOPROXY=…\` so every process gets the setting, and your editor's toolsEnvVars (VS Code: "go.toolsEnvVars") or CI variables.`,
      };
    }
    if (d.id === 'policy-sumdb-contacted-while-off') {
      return {
        ...base,
        title: msg`GOSUMDB=off but checksum database ${d.host} was contacted`,
        detail: msg`GOSUMDB=off but ${seen}: a process with a different GOSUMDB asked a checksum database for modules.${modules}`,
        fix: msg`Set GOSUMDB (or GONOSUMDB/GOPRIVATE for private modules) with \`go env -w\` so every process, editor and CI step sees it.`,
      };
    }
    if (d.id === 'policy-unexpected-sumdb') {
      return {
        ...base,
        title: msg`Checksum database ${d.host} contacted, but GOSUMDB=${policy.values.GOSUMDB}`,
        detail: msg`GOSUMDB=${policy.values.GOSUMDB} names ${policy.gosumdb.name ?? 'another database'}, but ${seen}: another process uses a different checksum database.${modules}`,
        fix: msg`Find the process with a different GOSUMDB (\`go env GOSUMDB\` in the editor/CI environment) and align it.`,
      };
    }
    const lookedUp = catalog.lookup(d.host)?.role === 'checksum-db' || d.host === policy.gosumdb.host;
    return {
      ...base,
      title: lookedUp ? msg`Private module looked up in checksum database ${d.host}` : msg`Private module requested from proxy ${d.host}`,
      detail: msg`${d.requests} request${d.requests === 1 ? '' : 's'} for modules matching ${
        lookedUp ? msg`GONOSUMDB=${policy.values.GONOSUMDB}` : msg`GONOPROXY=${policy.values.GONOPROXY}`
      } went to ${d.host} (${framesText(g.evidence, g.count)}): ${moduleList.join(', ')}. Their paths and versions are now known to ${d.host}'s operator; the process that sent them did not have your GOPRIVATE.`,
      fix: msg`Set GOPRIVATE with \`go env -w GOPRIVATE=…\` (not only in the shell) so editors, gopls and CI inherit it; check \`go env GOPRIVATE\` in each.`,
    };
  }

  function emitExplanations(): void {
    for (const g of fallbacks.values()) {
      const d = g.data;
      const to = [...d.to].join(', ');
      const condition = d.fromEntry.fallbackOnError ? msg`an error (the "|" after it falls back on any error)` : msg`404/410`;
      const modules = d.modules.size > 0 ? msg` for ${[...d.modules].join(', ')}` : msg``;
      findings.publish(
        `fallback|${d.from}`,
        {
          id: 'policy-fallback',
          severity: 'info',
          title: d.observed ? msg`${d.from} could not serve some modules; fetched from ${to} instead` : msg`${to} contacted after ${d.from}: fallback inferred`,
          detail: d.observed
            ? msg`${d.from} (GOPROXY entry #${d.fromEntry.index}) answered ${condition}${modules}, and the go command moved on to ${to} as GOPROXY=${policy.values.GOPROXY} says (${framesText(g.evidence)}).`
            : msg`${to} (a later GOPROXY entry) was contacted after ${d.from} (entry #${d.fromEntry.index}): consistent with ${d.from} answering ${condition} for some modules. Inferred: the requests travel inside TLS, so the statuses are not visible.`,
          host: d.from,
          values: { settings, modules: [...d.modules] },
          fix: msg`Nothing to do if ${d.from} is meant to be partial; otherwise make it serve (or proxy) every module you need.`,
        },
        g.evidence,
      );
    }
    for (const g of viaProxy.values()) {
      const d = g.data;
      const name = policy.gosumdb.name ?? 'the checksum database';
      const answer = supported.get(d.host);
      const supportedText = answer?.status === 200 ? msg` after /sumdb/${name}/supported answered 200 (frame ${answer.packet})` : msg``;
      findings.publish(
        `via|${d.host}`,
        {
          id: 'policy-sumdb-via-proxy',
          severity: 'info',
          title: d.observed ? msg`Checksum database ${name} reached through ${d.host}` : msg`Checksum database ${name} apparently reached through ${d.host} (inferred)`,
          detail: d.observed
            ? msg`${d.requests} checksum-database request${d.requests === 1 ? '' : 's'} went through ${d.host}${supportedText}; the go command then never contacts ${name} directly.`
            : msg`${name} was never contacted while ${d.host} served modules: consistent with ${d.host} answering 200 to /sumdb/${name}/supported and proxying the checksum database (inferred: the requests are inside TLS), or with go.sum already listing every module.`,
          host: d.host,
          values: { settings },
          fix: msg`Nothing to do: the go command still verifies every record with the database key in GOSUMDB.`,
        },
        g.evidence,
      );
    }
    const explained = contacts.values();
    if (explained.length === 0) return;
    const lines = explained.map((g) => {
      const d = g.data;
      const rule = d.entry ? `GOPROXY entry #${d.entry.index}` : `GOSUMDB (${policy.gosumdb.name})`;
      const via = d.via.size > 0 ? `, through HTTPS_PROXY ${[...d.via].join(', ')}` : '';
      return `${d.host}: ${rule}, ${times(g.count)}${via}`;
    });
    const evidence: Evidence[] = [];
    for (const g of explained) if (g.evidence[0]) addEvidence(evidence, g.evidence[0]);
    findings.publish(
      'explained',
      {
        id: 'policy-contact-explained',
        severity: 'info',
        title: msg`Go contacts explained by your policy: ${explained.map((g) => g.data.host).join(', ')}`,
        detail: msg`With GOPROXY=${policy.values.GOPROXY} and GOSUMDB=${policy.values.GOSUMDB}: ${lines.join('; ')}.`,
        values: { settings },
        fix: msg`Nothing to do.`,
      },
      evidence,
    );
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      onContactEvent(ev, ctx);
      noteOutcome(ev, ctx);
      if (ev.type === 'go-request') onGoRequest(ev, ctx.attribution);
      else if (ev.type === 'http-response') onResponse(ev, ctx);
    },
    flowEnded(_flow: Flow, ctx: FlowContext): void {
      const c = ctx.get(CONTACT);
      if (!c) return;
      const g = contacts.get(c.host);
      if (g && c.answered && !c.rejected) g.data.served = true;
    },
    finish(): void {
      inferFallbacks();
      inferSumdbViaProxy();
      // Violations were published as they happened; the final render adds what only the whole capture shows.
      for (const g of violations.values()) publish(g);
      emitExplanations();
    },
  };
}
