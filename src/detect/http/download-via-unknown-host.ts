/**
 * `go-download-via-unknown-host`: Go module-protocol requests (module listings and
 * downloads, checksum-database lookups and tiles) served by a host with no Go role in
 * the catalog or config, and not named in GOPROXY/GOSUMDB: an unknown mirror or proxy
 * is deciding which code the go command gets. Visible only where the requests are
 * (plaintext or decrypted HTTP); over TLS the policy detector judges contacts by name.
 */
import type { FlowAttribution } from '../../attribution/types.js';
import type { FlowContext } from '../../enrich/flow-context.js';
import { msg } from '../../findings/message.js';
import { framesText, type FindingScope, type Group } from '../../findings/store.js';
import type { GoRequestEvent, GoRequestKind, GotapEvent } from '../../protocols/events.js';
import { normalizeHost } from '../policy/go-hosts.js';
import type { GoPolicy } from '../policy/policy.js';
import type { Detector, FindingDraft } from '../types.js';
import { plural, type HttpDetectorOptions } from './plaintext-go.js';

export interface UnknownHostDetectorOptions extends HttpDetectorOptions {
  policy?: GoPolicy;
}

const DOWNLOAD_KINDS: ReadonlySet<GoRequestKind> = new Set<GoRequestKind>([
  'list',
  'info',
  'mod',
  'zip',
  'latest',
  'sumdb-supported',
  'lookup',
  'tile',
  'sumdb-latest',
]);

interface UnknownGroup {
  host: string;
  modules: Set<string>;
  kinds: Map<string, number>;
}

const MAX_MODULES = 10;

function inPolicy(policy: GoPolicy | undefined, host: string): boolean {
  if (!policy) return false;
  return policy.goproxy.some((e) => e.host === host) || policy.gosumdb.host === host;
}

export function createUnknownDownloadHostDetector(opts: UnknownHostDetectorOptions, findings: FindingScope): Detector {
  const groups = findings.aggregator<UnknownGroup>();
  const publish = findings.publisher(render);
  const settings = opts.policy ? { GOPROXY: opts.policy.values.GOPROXY, GOSUMDB: opts.policy.values.GOSUMDB } : undefined;

  function onGoRequest(ev: GoRequestEvent, attribution: FlowAttribution): void {
    if (!DOWNLOAD_KINDS.has(ev.kind)) return;
    const raw = ev.host ?? attribution.host ?? attribution.address;
    const host = normalizeHost(raw);
    const entry = opts.catalog.lookup(host, ev.prefix);
    if ((entry && entry.role !== 'other') || inPolicy(opts.policy, host)) return;
    const g = groups.add(`go-download-via-unknown-host|${host}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `${ev.method} ${ev.target} (${ev.kind})` }, () => ({
      host,
      modules: new Set(),
      kinds: new Map(),
    }));
    if (!g) return;
    if (ev.module !== undefined && g.data.modules.size < MAX_MODULES) g.data.modules.add(ev.module);
    g.data.kinds.set(ev.kind, (g.data.kinds.get(ev.kind) ?? 0) + 1);
    publish(g);
  }

  function render(g: Group<UnknownGroup>): FindingDraft {
    const d = g.data;
    const kinds = [...d.kinds].map(([k, n]) => `${n} ${k}`).join(', ');
    const modules = d.modules.size > 0 ? msg` Modules: ${[...d.modules].join(', ')}.` : msg``;
    return {
      id: 'go-download-via-unknown-host',
      severity: 'warn',
      title: msg`Go modules served by ${d.host}, a host with no Go role`,
      detail: msg`${g.count} Go module-protocol request${plural(g.count)} went to ${d.host} (${framesText(g.evidence, g.count)}): ${kinds}.${modules} ${d.host} is not a known Go proxy, mirror or checksum database and is not in GOPROXY/GOSUMDB as given to gotap: an unknown server decides which code the go command receives.`,
      host: d.host,
      fix: msg`If ${d.host} is your company's mirror, add it to your gotap config with role "mirror"; otherwise find the process whose GOPROXY points there (\`go env GOPROXY\`, the editor's environment, CI variables) and correct it.`,
      values: { host: d.host, modules: [...d.modules], count: g.count, ...(settings ? { settings } : {}) },
    };
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type === 'go-request') onGoRequest(ev, ctx.attribution);
    },
  };
}
