/**
 * `http-plaintext-go`: Go traffic over plaintext HTTP — a request to a Go host, or any
 * request that is Go module protocol. Severity by what travelled: module content (.mod,
 * .zip, toolchain archives) and checksum-database records (lookup, tile) are critical,
 * since anyone on the path can substitute them (and with GOSUMDB=off or GONOSUMDB
 * nothing would notice); listings, .info, @latest, /supported, go-get and other
 * requests are warn (they steer which version or repository is used, but carry no
 * code). One finding per host and severity (a host with both gets two: a published
 * finding never changes severity).
 */
import type { FlowAttribution } from '../../attribution/types.js';
import type { FlowContext } from '../../enrich/flow-context.js';
import { msg, type Message } from '../../findings/message.js';
import { framesText, type FindingScope, type Group } from '../../findings/store.js';
import type { GoRequestKind, GotapEvent, HttpRequestEvent } from '../../protocols/events.js';
import { classifyGoRequest } from '../../protocols/goproxy/index.js';
import { goEntry, normalizeHost, type HostLookup } from '../policy/go-hosts.js';
import type { Detector, FindingDraft, Severity } from '../types.js';

/** What the HTTP detectors need of DetectorOptions. */
export interface HttpDetectorOptions {
  catalog: HostLookup;
}

const CRITICAL_KINDS: ReadonlySet<GoRequestKind> = new Set<GoRequestKind>(['mod', 'zip', 'lookup', 'tile', 'toolchain']);

interface PlaintextGroup {
  host: string;
  severity: Severity;
  /** kind (or "other request") → count. */
  kinds: Map<string, number>;
}

/** "s" for counts other than one ("1 request", "2 requests"). */
export function plural(n: number): Message {
  return n === 1 ? msg`` : msg`s`;
}

/** Host a request was addressed to: absolute-form target, then Host, then the flow's name. */
export function requestHost(ev: HttpRequestEvent, attribution: FlowAttribution): string | undefined {
  const abs = /^https?:\/\/([^/?#]+)/i.exec(ev.target);
  const raw = abs?.[1] ?? ev.host ?? attribution.host;
  return raw === undefined ? undefined : normalizeHost(raw.replace(/^[^@]*@/, ''));
}

export function createHttpPlaintextDetector(opts: HttpDetectorOptions, findings: FindingScope): Detector {
  const groups = findings.aggregator<PlaintextGroup>();
  const publish = findings.publisher(render);

  function onRequest(ev: HttpRequestEvent, ctx: FlowContext): void {
    // A request after a ClientHello on its flow was read inside TLS (a tunnel, or decrypted).
    if (ev.method === 'CONNECT' || ctx.tls) return;
    const attribution = ctx.attribution;
    const host = requestHost(ev, attribution);
    const go = classifyGoRequest(ev.method, ev.target, host);
    if (!go && !goEntry(opts.catalog, host)) return;
    const key = host ?? attribution.address;
    const kind = go?.kind ?? 'other request';
    const severity: Severity = go && CRITICAL_KINDS.has(go.kind) ? 'critical' : 'warn';
    const g = groups.add(`http-plaintext-go|${key}|${severity}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `plaintext ${ev.method} ${ev.target} (${kind})` }, () => ({
      host: key,
      severity,
      kinds: new Map(),
    }));
    if (!g) return;
    g.data.kinds.set(kind, (g.data.kinds.get(kind) ?? 0) + 1);
    publish(g);
  }

  function render(g: Group<PlaintextGroup>): FindingDraft {
    const d = g.data;
    const kinds = [...d.kinds].map(([k, n]) => `${n} ${k}`).join(', ');
    const critical = d.severity === 'critical';
    return {
      id: 'http-plaintext-go',
      severity: d.severity,
      title: critical ? msg`Go module content fetched from ${d.host} over plaintext HTTP` : msg`Plaintext HTTP to Go host ${d.host}`,
      detail: msg`${g.count} request${plural(g.count)} to ${d.host} travelled without TLS (${framesText(g.evidence, g.count)}): ${kinds}. Anyone on the path can read and change them${critical ? msg`; module zips, go.mod files and checksum-database records are only protected if go.sum or a reachable checksum database catches the change (not with GOSUMDB=off, GONOSUMDB or GOINSECURE)` : msg``}.`,
      host: d.host,
      fix: msg`Use an https:// URL for ${d.host} in GOPROXY (e.g. \`go env -w GOPROXY=https://proxy.golang.org,direct\`), remove it from GOINSECURE, and put any internal proxy behind TLS.`,
      values: { host: d.host, count: g.count },
    };
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type === 'http-request') onRequest(ev, ctx);
    },
  };
}
