/**
 * `http-connect-proxy`: a Go host was reached through an HTTP CONNECT tunnel — the
 * go command honours HTTPS_PROXY, and the CONNECT line names the tunnel target in the
 * clear. Info when the proxy is one the user declared (opts.httpProxies: the
 * HTTPS_PROXY/HTTP_PROXY values or config), warn otherwise: an unexpected proxy sees
 * every Go host the machine talks to and may be the one inspecting TLS. One finding per
 * (proxy, target host), with the proxy's answer to the CONNECT when seen.
 */
import type { FlowAttribution } from '../../attribution/types.js';
import { FlowSlot, type FlowContext } from '../../enrich/flow-context.js';
import { msg } from '../../findings/message.js';
import { framesText, type FindingScope, type Group } from '../../findings/store.js';
import type { GotapEvent, HttpRequestEvent } from '../../protocols/events.js';
import { goEntry, normalizeHost } from '../policy/go-hosts.js';
import type { Detector, FindingDraft } from '../types.js';
import { plural, type HttpDetectorOptions } from './plaintext-go.js';

export interface ConnectProxyDetectorOptions extends HttpDetectorOptions {
  /** Proxies the user expects ("http://10.0.0.1:3128", "proxy.corp:8080", "10.0.0.1:3128"). */
  httpProxies?: string[];
}

interface ProxyId {
  host: string;
  port: number;
}

interface TunnelGroup {
  proxy: string;
  target: string;
  host: string;
  expected: boolean;
  /** CONNECT answer status → count. */
  statuses: Map<number, number>;
}

/** The group key of a flow's CONNECT, until the proxy answers it. */
const PENDING = new FlowSlot<string>('connect-proxy pending CONNECT');

/** "http://proxy:3128" / "proxy:3128" / "proxy" → host and port (http default 80, https 443). */
export function parseProxy(spec: string): ProxyId | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ? spec : `http://${spec}`;
  try {
    const u = new URL(withScheme);
    const defaultPort = u.protocol === 'https:' ? 443 : u.protocol === 'socks5:' ? 1080 : 80;
    return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port === '' ? defaultPort : Number(u.port) };
  } catch {
    return undefined;
  }
}

export function createConnectProxyDetector(opts: ConnectProxyDetectorOptions, findings: FindingScope): Detector {
  const expected = (opts.httpProxies ?? []).map(parseProxy).filter((p): p is ProxyId => p !== undefined);
  const groups = findings.aggregator<TunnelGroup>();
  const publish = findings.publisher(render);

  function isExpected(attribution: FlowAttribution): boolean {
    // The proxy by address, or by its own name (attribution.via; attribution.host is the CONNECT target).
    const names = [attribution.address];
    if (attribution.via?.name) names.push(normalizeHost(attribution.via.name));
    return expected.some((p) => p.port === attribution.port && names.includes(p.host));
  }

  function onConnect(ev: HttpRequestEvent, ctx: FlowContext): void {
    const attribution = ctx.attribution;
    const target = ev.connectTarget ?? ev.target;
    const host = normalizeHost(target);
    if (!goEntry(opts.catalog, host)) return;
    const proxy = `${attribution.address.includes(':') ? `[${attribution.address}]` : attribution.address}:${attribution.port}`;
    const key = `http-connect-proxy|${proxy}|${target}`;
    const g = groups.add(key, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `CONNECT ${target} sent to proxy ${proxy}` }, () => ({
      proxy,
      target,
      host,
      expected: isExpected(attribution),
      statuses: new Map(),
    }));
    if (!g) return;
    ctx.set(PENDING, key);
    publish(g);
  }

  function render(g: Group<TunnelGroup>): FindingDraft {
    const d = g.data;
    const answers = d.statuses.size > 0 ? msg` The proxy answered ${[...d.statuses].map(([s, n]) => `${s}${n > 1 ? ` ×${n}` : ''}`).join(', ')}.` : msg``;
    const base = msg`${g.count} CONNECT request${plural(g.count)} for ${d.target} went to the HTTP proxy ${d.proxy} (${framesText(g.evidence, g.count)}).${answers} The go command honours HTTPS_PROXY/NO_PROXY: its TLS to ${d.host} runs inside the tunnel, and the proxy, not this machine, resolves ${d.host}.`;
    const values = { host: d.host, count: g.count };
    if (d.expected) {
      return {
        id: 'http-connect-proxy',
        severity: 'info',
        title: msg`${d.host} reached through the configured proxy ${d.proxy}`,
        detail: base,
        host: d.host,
        fix: msg`Nothing to do if this proxy is intended; a proxy that also inspects TLS shows up in the TLS findings.`,
        values,
      };
    }
    return {
      id: 'http-connect-proxy',
      severity: 'warn',
      title: msg`HTTPS_PROXY in use: ${d.host} tunnelled through ${d.proxy}, a proxy you did not declare`,
      detail: msg`${base} This proxy is not among the proxies given to gotap, so it sees every Go host this machine contacts and may be the device inspecting TLS.`,
      host: d.host,
      fix: msg`Find who set the proxy (\`go env\` does not show it: check HTTPS_PROXY/HTTP_PROXY in the shell, the editor, systemd or Docker environment) and, if it is expected, declare ${d.proxy} in gotap's httpProxies config.`,
      values,
    };
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type === 'http-request' && ev.method === 'CONNECT') {
        onConnect(ev, ctx);
      } else if (ev.type === 'http-response' && ev.method === 'CONNECT') {
        const key = ctx.get(PENDING);
        const g = key === undefined ? undefined : groups.get(key);
        ctx.delete(PENDING);
        if (!g) return;
        g.data.statuses.set(ev.status, (g.data.statuses.get(ev.status) ?? 0) + 1);
        publish(g);
      }
    },
  };
}
