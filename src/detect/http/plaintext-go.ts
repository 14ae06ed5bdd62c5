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
import type { Flow } from '../../flow/types.js';
import type { GoRequestKind, GotapEvent, HttpRequestEvent } from '../../protocols/events.js';
import { classifyGoRequest } from '../../protocols/goproxy/index.js';
import { Aggregator, framesText, Publisher, reportDropped, type Group } from '../policy/aggregate.js';
import { goEntry, normalizeHost, type HostLookup } from '../policy/go-hosts.js';
import type { Detector, Finding, FindingSink, Severity } from '../types.js';
import { TlsFlows } from './tls-flows.js';

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

/** Host a request was addressed to: absolute-form target, then Host, then the flow's name. */
export function requestHost(ev: HttpRequestEvent, attribution: FlowAttribution): string | undefined {
  const abs = /^https?:\/\/([^/?#]+)/i.exec(ev.target);
  const raw = abs?.[1] ?? ev.host ?? attribution.host;
  return raw === undefined ? undefined : normalizeHost(raw.replace(/^[^@]*@/, ''));
}

export function createHttpPlaintextDetector(opts: HttpDetectorOptions, sink: FindingSink): Detector {
  const tls = new TlsFlows();
  const groups = new Aggregator<PlaintextGroup>();
  const publisher = new Publisher<PlaintextGroup>(sink, render);

  function onRequest(ev: HttpRequestEvent, attribution: FlowAttribution): void {
    if (ev.method === 'CONNECT' || tls.isTls(ev.flowId)) return;
    const host = requestHost(ev, attribution);
    const go = classifyGoRequest(ev.method, ev.target, host);
    if (!go && !goEntry(opts.catalog, host)) return;
    const key = host ?? attribution.address;
    const kind = go?.kind ?? 'other request';
    const severity: Severity = go && CRITICAL_KINDS.has(go.kind) ? 'critical' : 'warn';
    const g = groups.add(`${key}|${severity}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `plaintext ${ev.method} ${ev.target} (${kind})` }, () => ({
      host: key,
      severity,
      kinds: new Map(),
    }));
    if (!g) return;
    g.data.kinds.set(kind, (g.data.kinds.get(kind) ?? 0) + 1);
    publisher.publish(g);
  }

  function render(g: Group<PlaintextGroup>): Finding {
    const d = g.data;
    const kinds = [...d.kinds].map(([k, n]) => `${n} ${k}`).join(', ');
    const critical = d.severity === 'critical';
    return {
      id: 'http-plaintext-go',
      severity: d.severity,
      title: critical ? `Go module content fetched from ${d.host} over plaintext HTTP` : `Plaintext HTTP to Go host ${d.host}`,
      detail: `${g.count} request${g.count === 1 ? '' : 's'} to ${d.host} travelled without TLS (${framesText(g.evidence, g.count)}): ${kinds}. Anyone on the path can read and change them${critical ? '; module zips, go.mod files and checksum-database records are only protected if go.sum or a reachable checksum database catches the change (not with GOSUMDB=off, GONOSUMDB or GOINSECURE)' : ''}.`,
      host: d.host,
      evidence: g.evidence,
      fix: `Use an https:// URL for ${d.host} in GOPROXY (e.g. \`go env -w GOPROXY=https://proxy.golang.org,direct\`), remove it from GOINSECURE, and put any internal proxy behind TLS.`,
    };
  }

  return {
    event(ev: GotapEvent, attribution: FlowAttribution): void {
      tls.observe(ev);
      if (ev.type === 'http-request') onRequest(ev, attribution);
    },
    flowEnded(flow: Flow): void {
      tls.ended(flow.id);
    },
    finish(): void {
      reportDropped(sink, 'plaintext HTTP', groups.dropped);
    },
  };
}
