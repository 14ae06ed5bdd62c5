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
import type { FlowContext } from '../../enrich/flow-context.js';
import { joinMessages, msg, type Message } from '../../findings/message.js';
import { framesText, type FindingScope, type Group } from '../../findings/store.js';
import type { GotapEvent, HttpResponseEvent } from '../../protocols/events.js';
import { classifyGoRequest } from '../../protocols/goproxy/index.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, FindingDraft } from '../types.js';
import { plural, requestHost, type HttpDetectorOptions } from './plaintext-go.js';

const MAX_TARGETS = 8;

interface RedirectGroup {
  host: string;
  targets: Set<string>;
  toHttp: number;
  offHost: number;
  fromTls: number;
}

export function createHttpRedirectDetector(opts: HttpDetectorOptions, findings: FindingScope): Detector {
  const groups = findings.aggregator<RedirectGroup>();
  const publish = findings.publisher(render);

  function onResponse(ev: HttpResponseEvent, ctx: FlowContext): void {
    if (ev.status < 300 || ev.status > 399 || ev.location === undefined) return;
    // The host the redirected request was addressed to (its transaction), else the flow's name.
    const request = ctx.transaction?.request;
    const attribution = ctx.attribution;
    const host = (request && requestHost(request, attribution)) ?? (attribution.host ? normalizeHost(attribution.host) : undefined);
    if (host === undefined) return;
    const goRequest = ev.method !== undefined && ev.target !== undefined ? classifyGoRequest(ev.method, ev.target, host) : undefined;
    if (!goRequest && !goEntry(opts.catalog, host)) return;
    const overTls = ctx.tls;
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
    const g = groups.add(`http-redirect-to-http|${host}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what }, () => ({ host, targets: new Set(), toHttp: 0, offHost: 0, fromTls: 0 }));
    if (!g) return;
    if (g.data.targets.size < MAX_TARGETS) g.data.targets.add(`${location.protocol}//${location.host}`);
    if (toHttp) g.data.toHttp++;
    if (offHost) g.data.offHost++;
    if (overTls) g.data.fromTls++;
    publish(g);
  }

  function render(g: Group<RedirectGroup>): FindingDraft {
    const d = g.data;
    const targets = [...d.targets].join(', ');
    const parts: Message[] = [];
    if (d.toHttp > 0) parts.push(msg`${d.toHttp} to http://${d.fromTls > 0 ? msg` (${d.fromTls} of them from https: a downgrade)` : msg``}`);
    if (d.offHost > 0) parts.push(msg`${d.offHost} to a host with no Go role`);
    return {
      id: 'http-redirect-to-http',
      severity: 'warn',
      title: d.toHttp > 0 ? msg`${d.host} redirects Go requests to http://` : msg`${d.host} redirects Go requests to ${targets}`,
      detail: msg`${g.count} redirect${plural(g.count)} from ${d.host} (${framesText(g.evidence, g.count)}): ${joinMessages(parts, ', ')}; targets ${targets}. The go command refuses a redirect from https to http ("redirected from secure URL … to insecure URL"), so downloads through this server fail over https and travel unprotected over http. Only redirects in readable traffic are visible; one sent inside TLS appears only as the go command's error.`,
      host: d.host,
      fix: msg`Configure ${d.host} (or the mirror/CDN behind it) to redirect to https:// URLs only; if the redirect target is an internal store, add it to your gotap config with its role.`,
      values: { host: d.host, count: g.count },
    };
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type === 'http-response') onResponse(ev, ctx);
    },
  };
}
