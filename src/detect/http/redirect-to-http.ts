/**
 * `http-redirect-to-http`: a Go host (or a Go module-protocol request) answered with a
 * redirect to an http:// URL, or sent the go command off to a host with no Go role.
 * Only responses gotap can read are visible: plaintext HTTP (and TLS once decrypted).
 * A redirect sent inside TLS — the dangerous https → http case — is not visible in a
 * capture; the go command refuses it ("redirected from secure URL … to insecure URL"),
 * so it shows up as a failed download, not as packets. On a plaintext request the
 * redirect reveals a server that hands out http:// links, which is worth fixing before
 * someone reaches it over https.
 */
import type { FlowAttribution } from '../../attribution/types.js';
import type { Flow } from '../../flow/types.js';
import type { GotapEvent, HttpResponseEvent } from '../../protocols/events.js';
import { classifyGoRequest } from '../../protocols/goproxy/index.js';
import { Aggregator, framesText, Publisher, reportDropped, type Group } from '../policy/aggregate.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, Finding, FindingSink } from '../types.js';
import { requestHost, type HttpDetectorOptions } from './plaintext-go.js';
import { TlsFlows } from './tls-flows.js';

const MAX_FLOWS = 65_536;
const MAX_TARGETS = 8;

interface RedirectGroup {
  host: string;
  targets: Set<string>;
  toHttp: number;
  offHost: number;
  fromTls: number;
}

export function createHttpRedirectDetector(opts: HttpDetectorOptions, sink: FindingSink): Detector {
  const tls = new TlsFlows();
  /** flowId → host of its latest request. */
  const hosts = new Map<number, string>();
  const groups = new Aggregator<RedirectGroup>();
  const publisher = new Publisher<RedirectGroup>(sink, render);

  function onResponse(ev: HttpResponseEvent, attribution: FlowAttribution): void {
    if (ev.status < 300 || ev.status > 399 || ev.location === undefined) return;
    const host = hosts.get(ev.flowId) ?? (attribution.host ? normalizeHost(attribution.host) : undefined);
    if (host === undefined) return;
    const goRequest = ev.method !== undefined && ev.target !== undefined ? classifyGoRequest(ev.method, ev.target, host) : undefined;
    if (!goRequest && !goEntry(opts.catalog, host)) return;
    const overTls = tls.isTls(ev.flowId);
    let location: URL;
    try {
      location = new URL(ev.location, `${overTls ? 'https' : 'http'}://${host}/`);
    } catch {
      return;
    }
    // Explicitly http://: a relative Location keeps the request's own scheme.
    const toHttp = /^\s*http:\/\//i.test(ev.location);
    const target = normalizeHost(location.host);
    const offHost = target !== host && !goEntry(opts.catalog, target, location.pathname);
    if (!toHttp && !offHost) return;
    const what = `${ev.status} ${ev.target ?? ''} → ${ev.location}${overTls ? ' (inside TLS)' : ''}`;
    const g = groups.add(host, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what }, () => ({ host, targets: new Set(), toHttp: 0, offHost: 0, fromTls: 0 }));
    if (!g) return;
    if (g.data.targets.size < MAX_TARGETS) g.data.targets.add(`${location.protocol}//${location.host}`);
    if (toHttp) g.data.toHttp++;
    if (offHost) g.data.offHost++;
    if (overTls) g.data.fromTls++;
    publisher.publish(g);
  }

  function render(g: Group<RedirectGroup>): Finding {
    const d = g.data;
    const targets = [...d.targets].join(', ');
    const parts: string[] = [];
    if (d.toHttp > 0) parts.push(`${d.toHttp} to http://${d.fromTls > 0 ? ` (${d.fromTls} of them from https: a downgrade)` : ''}`);
    if (d.offHost > 0) parts.push(`${d.offHost} to a host with no Go role`);
    return {
      id: 'http-redirect-to-http',
      severity: 'warn',
      title: d.toHttp > 0 ? `${d.host} redirects Go requests to http://` : `${d.host} redirects Go requests to ${targets}`,
      detail: `${g.count} redirect${g.count === 1 ? '' : 's'} from ${d.host} (${framesText(g.evidence, g.count)}): ${parts.join(', ')}; targets ${targets}. The go command refuses a redirect from https to http ("redirected from secure URL … to insecure URL"), so downloads through this server fail over https and travel unprotected over http. Only redirects in readable traffic are visible; one sent inside TLS appears only as the go command's error.`,
      host: d.host,
      evidence: g.evidence,
      fix: `Configure ${d.host} (or the mirror/CDN behind it) to redirect to https:// URLs only; if the redirect target is an internal store, add it to your gotap config with its role.`,
    };
  }

  return {
    event(ev: GotapEvent, attribution: FlowAttribution): void {
      tls.observe(ev);
      if (ev.type === 'http-request') {
        const host = requestHost(ev, attribution);
        if (host === undefined) return;
        if (!hosts.has(ev.flowId) && hosts.size >= MAX_FLOWS) {
          const oldest = hosts.keys().next().value;
          if (oldest !== undefined) hosts.delete(oldest);
        }
        hosts.set(ev.flowId, host);
      } else if (ev.type === 'http-response') {
        onResponse(ev, attribution);
      }
    },
    flowEnded(flow: Flow): void {
      tls.ended(flow.id);
      hosts.delete(flow.id);
    },
    finish(): void {
      reportDropped(sink, 'HTTP redirect', groups.dropped);
    },
  };
}
