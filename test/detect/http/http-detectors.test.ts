import { describe, expect, it } from 'vitest';
import type { FlowAttribution } from '../../../src/attribution/types.js';
import { createConnectProxyDetector, parseProxy } from '../../../src/detect/http/connect-proxy.js';
import { createUnknownDownloadHostDetector } from '../../../src/detect/http/download-via-unknown-host.js';
import { createHttpPlaintextDetector } from '../../../src/detect/http/plaintext-go.js';
import { createHttpRedirectDetector } from '../../../src/detect/http/redirect-to-http.js';
import { parseGoPolicy } from '../../../src/detect/policy/policy.js';
import type { Detector, Finding } from '../../../src/detect/types.js';
import { FlowContext } from '../../../src/enrich/flow-context.js';
import { FindingStore, MAX_GROUPS, type FindingScope } from '../../../src/findings/store.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { detectorRun, type DetectorRun } from '../harness.js';
import { goRequestFor, httpRequest, httpResponse, tlsHello } from '../policy/events.js';
import { attribution, labCapture, runDetectors, summary, testCatalog } from '../policy/lab.js';

const catalog = testCatalog();

type Make = (scope: FindingScope) => Detector;

/** Feeds events the way the pipeline does: each http-request followed by its derived go-request. */
function feed(r: DetectorRun, events: GotapEvent[], a: Partial<FlowAttribution> = {}): void {
  for (const ev of events) {
    const at = attribution({ flowId: ev.flowId, ...a });
    r.event(ev, at);
    if (ev.type === 'http-request') {
      const go = goRequestFor(ev);
      if (go) r.event(go, at);
    }
  }
}

function run(make: Make, events: GotapEvent[], a: Partial<FlowAttribution> = {}): Finding[] {
  const r = detectorRun(make);
  feed(r, events, a);
  return r.finish();
}

const httpDetectors = (opts: Parameters<typeof createConnectProxyDetector>[0] & Parameters<typeof createUnknownDownloadHostDetector>[0]) => (scope: FindingScope) =>
  [createHttpPlaintextDetector, createHttpRedirectDetector, createUnknownDownloadHostDetector, createConnectProxyDetector].map((make) => make(opts, scope));

describe('http-plaintext-go', () => {
  const plaintext: Make = (scope) => createHttpPlaintextDetector({ catalog }, scope);

  it('module content over plaintext is critical, the rest warn: one finding per host and severity, aggregated by kind', () => {
    const f = run(plaintext, [
      httpRequest(11, 1, 'GET', '/example.test/alpha/@v/list', 'proxy.golang.org'),
      httpRequest(13, 1, 'GET', '/example.test/alpha/@v/v1.1.0.zip', 'proxy.golang.org'),
      httpRequest(15, 1, 'GET', '/example.test/alpha/@v/v1.1.0.mod', 'proxy.golang.org'),
    ]);
    expect(summary(f)).toEqual(['critical http-plaintext-go proxy.golang.org', 'warn http-plaintext-go proxy.golang.org']);
    const critical = f.find((x) => x.severity === 'critical')!;
    expect(critical.detail).toContain('2 requests to proxy.golang.org travelled without TLS (frames 13, 15): 1 zip, 1 mod');
  });

  it('publishes a new version as more requests arrive, never changing the published one', () => {
    const r = detectorRun(plaintext);
    const at = attribution({ flowId: 1 });
    r.event(httpRequest(3, 1, 'GET', '/x.org/m/@v/v1.0.0.zip', 'proxy.golang.org'), at);
    expect(r.published).toHaveLength(1);
    const first = r.published[0]!;
    const before = JSON.stringify(first);
    expect(first.detail).toContain('1 request to proxy.golang.org');
    r.event(httpRequest(5, 1, 'GET', '/x.org/m/@v/v1.0.0.mod', 'proxy.golang.org'), at);
    expect(r.published).toHaveLength(1);
    r.flush();
    expect(r.published).toHaveLength(2);
    const second = r.published[1]!;
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(second.key).toBe(first.key);
    expect(second.detail).toContain('2 requests to proxy.golang.org travelled without TLS (frames 3, 5)');
    expect(Object.isFrozen(first) && Object.isFrozen(first.evidence) && Object.isFrozen(first.values)).toBe(true);
    expect(JSON.stringify(first)).toBe(before);
    expect(first.evidence.map((e) => e.packet)).toEqual([3]);
    expect(r.finish()).toEqual([second]);
  });

  it('keeps code spans and values apart in the structured text', () => {
    const [f] = run(plaintext, [httpRequest(3, 1, 'GET', '/x.org/m/@v/v1.0.0.zip', 'proxy.golang.org')]);
    expect(f!.text.fix).toContainEqual({ text: 'go env -w GOPROXY=https://proxy.golang.org,direct', code: true });
    expect(f!.text.title).toContainEqual({ text: 'proxy.golang.org', value: true });
    expect(f!.values).toMatchObject({ host: 'proxy.golang.org', count: 1, frames: [3] });
  });

  it('listings and other requests to a Go host are warn; any host serving Go protocol counts', () => {
    expect(summary(run(plaintext, [httpRequest(3, 1, 'GET', '/example.test/alpha/@latest', 'proxy.golang.org')]))).toEqual(['warn http-plaintext-go proxy.golang.org']);
    expect(summary(run(plaintext, [httpRequest(3, 1, 'GET', '/', 'proxy.golang.org')]))).toEqual(['warn http-plaintext-go proxy.golang.org']);
    expect(summary(run(plaintext, [httpRequest(3, 1, 'GET', '/lookup/rsc.io/quote@v1.5.2', 'sumdb.corp.example')]))).toEqual(['critical http-plaintext-go sumdb.corp.example']);
    expect(run(plaintext, [httpRequest(3, 1, 'GET', '/index.html', 'www.example.com')])).toEqual([]);
  });

  it('ignores CONNECT and requests read inside TLS', () => {
    expect(run(plaintext, [httpRequest(3, 1, 'CONNECT', 'proxy.golang.org:443'), tlsHello(5, 2, 'proxy.golang.org'), httpRequest(7, 2, 'GET', '/x.org/m/@v/v1.0.0.zip', 'proxy.golang.org')])).toEqual([]);
  });
});

describe('bounded aggregation', () => {
  const everyHostIsAMirror = { lookup: (host: string) => ({ pattern: host, role: 'mirror' as const, label: 'mirror' }) };
  const plaintext: Make = (scope) => createHttpPlaintextDetector({ catalog: everyHostIsAMirror }, scope);

  it('keeps 10 evidence frames per finding and counts the rest', () => {
    const events = Array.from({ length: 50 }, (_, i) => httpRequest(i + 1, 1, 'GET', `/m.example/x/@v/v1.0.${i}.info`, 'mirror.example'));
    const [f] = run(plaintext, events);
    expect(f!.evidence).toHaveLength(10);
    expect(f!.detail).toContain('frames 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (50 in all)');
  });

  it('caps the number of hosts and says how many occurrences were not itemised', () => {
    // The store names the scope in the note: the registry scopes this detector as "plaintext HTTP".
    const store = new FindingStore(() => undefined);
    const d = plaintext(store.scope('plaintext HTTP'));
    const ctx = new FlowContext(1, () => attribution());
    for (let i = 0; i < MAX_GROUPS + 44; i++) d.event?.(httpRequest(i + 1, 1, 'GET', '/', `h${i}.example`), ctx);
    store.finish();
    const f = store.findings();
    expect(f.filter((x) => x.id === 'http-plaintext-go')).toHaveLength(MAX_GROUPS);
    expect(f.filter((x) => x.id === 'findings-capped').map((x) => x.title)).toEqual(['plaintext HTTP: 44 further occurrences not itemised']);
  });
});

describe('http-redirect-to-http', () => {
  const redirect: Make = (scope) => createHttpRedirectDetector({ catalog }, scope);

  it('flags a Go host redirecting to http://', () => {
    const req = httpRequest(3, 1, 'GET', '/example.test/alpha/@v/v1.1.0.zip', 'goproxy.cn');
    const f = run(redirect, [req, httpResponse(4, 1, 302, req, 'http://goproxy.cn/example.test/alpha/@v/v1.1.0.zip')]);
    expect(summary(f)).toEqual(['warn http-redirect-to-http goproxy.cn']);
    expect(f[0]!.title).toBe('goproxy.cn redirects Go requests to http://');
  });

  it('flags a redirect off the Go host to a host with no Go role, not one to another Go host or https', () => {
    const req = httpRequest(3, 1, 'GET', '/example.test/alpha/@v/v1.1.0.zip', 'goproxy.cn');
    expect(summary(run(redirect, [req, httpResponse(4, 1, 302, req, 'https://cdn.example.net/a.zip')]))).toEqual(['warn http-redirect-to-http goproxy.cn']);
    expect(run(redirect, [req, httpResponse(4, 1, 302, req, 'https://proxy.golang.org/a.zip')])).toEqual([]);
    expect(run(redirect, [req, httpResponse(4, 1, 301, req, '/elsewhere')])).toEqual([]);
  });

  it('judges a redirect by the request it answers, not the latest one on the flow (pipelining)', () => {
    const go = httpRequest(3, 1, 'GET', 'http://goproxy.cn/example.test/alpha/@v/v1.1.0.zip');
    const other = httpRequest(4, 1, 'GET', 'http://www.example.com/');
    const f = run(redirect, [go, other, httpResponse(5, 1, 302, go, 'http://goproxy.cn/a.zip'), httpResponse(6, 1, 302, other, 'http://www.example.com/b')]);
    expect(summary(f)).toEqual(['warn http-redirect-to-http goproxy.cn']);
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([5]);
  });

  it('a redirect read inside TLS (after a ClientHello on the flow) counts as from https', () => {
    const req = httpRequest(5, 1, 'GET', '/example.test/alpha/@v/v1.1.0.zip', 'goproxy.cn');
    const [f] = run(redirect, [tlsHello(3, 1, 'goproxy.cn'), req, httpResponse(6, 1, 302, req, 'http://goproxy.cn/a.zip')]);
    expect(f!.detail).toContain('1 to http:// (1 of them from https: a downgrade)');
    expect(f!.evidence[0]!.what).toContain('(inside TLS)');
  });
});

describe('go-download-via-unknown-host', () => {
  it('flags module downloads from a host with no Go role unless GOPROXY names it', () => {
    const events = [httpRequest(3, 1, 'GET', '/rsc.io/quote/@v/v1.5.2.zip', 'athens.corp.example')];
    const make = (policy?: ReturnType<typeof parseGoPolicy>): Make => (scope) => createUnknownDownloadHostDetector({ catalog, policy }, scope);
    const f = run(make(), events);
    expect(summary(f)).toEqual(['warn go-download-via-unknown-host athens.corp.example']);
    expect(f[0]!.detail).toContain('Modules: rsc.io/quote');
    expect(run(make(parseGoPolicy({ env: { GOPROXY: 'https://athens.corp.example' } })), events)).toEqual([]);
    expect(run(make(), [httpRequest(3, 1, 'GET', '/rsc.io/quote/@v/v1.5.2.zip', 'proxy.golang.org')])).toEqual([]);
  });
});

describe('http-connect-proxy', () => {
  const connect = (httpProxies?: string[]): Make => (scope) => createConnectProxyDetector({ catalog, httpProxies }, scope);
  const at = { address: '10.0.0.9', port: 3128 };

  it('parses proxy settings like HTTPS_PROXY values', () => {
    expect(parseProxy('http://10.0.0.9:3128')).toEqual({ host: '10.0.0.9', port: 3128 });
    expect(parseProxy('proxy.corp')).toEqual({ host: 'proxy.corp', port: 80 });
    expect(parseProxy('https://[::1]')).toEqual({ host: '::1', port: 443 });
  });

  it('info through a declared proxy, warn through an undeclared one, with the proxy answer', () => {
    const req = httpRequest(7, 1, 'CONNECT', 'proxy.golang.org:443');
    const events = [req, httpResponse(9, 1, 200, req)];
    const declared = run(connect(['http://10.0.0.9:3128']), events, at);
    expect(summary(declared)).toEqual(['info http-connect-proxy proxy.golang.org']);
    expect(declared[0]!.detail).toContain('The proxy answered 200.');
    const undeclared = run(connect(), events, at);
    expect(summary(undeclared)).toEqual(['warn http-connect-proxy proxy.golang.org']);
    expect(undeclared[0]!.title).toBe('HTTPS_PROXY in use: proxy.golang.org tunnelled through 10.0.0.9:3128, a proxy you did not declare');
  });

  it('a proxy declared by name is recognised by its own name, not by the tunnel target', () => {
    const req = httpRequest(7, 1, 'CONNECT', 'proxy.golang.org:443');
    const via = { address: '10.0.0.9', port: 3128, name: 'proxy.corp.test', how: 'connect' as const, packet: 7 };
    const viaProxy = { ...at, role: 'http-proxy' as const, host: 'proxy.golang.org', via };
    expect(summary(run(connect(['proxy.corp.test:3128']), [req], viaProxy))).toEqual(['info http-connect-proxy proxy.golang.org']);
    // Declaring the tunnel target as a proxy does not make an undeclared proxy expected.
    expect(summary(run(connect(['proxy.golang.org:3128']), [req], viaProxy))).toEqual(['warn http-connect-proxy proxy.golang.org']);
  });

  it("pairs the proxy's answer with the CONNECT of its own flow only", () => {
    const req = httpRequest(7, 1, 'CONNECT', 'proxy.golang.org:443');
    const elsewhere = httpRequest(8, 2, 'CONNECT', 'www.example.com:443');
    const [f] = run(connect(), [req, elsewhere, httpResponse(9, 2, 200, elsewhere)], at);
    expect(f!.detail).not.toContain('The proxy answered');
  });

  it('ignores tunnels to hosts with no Go role', () => {
    expect(run(connect(), [httpRequest(7, 1, 'CONNECT', 'www.example.com:443')], at)).toEqual([]);
  });
});

describe('HTTP detectors on the lab captures', () => {
  it('plaintext: module proxy over plain HTTP is critical; the https → http redirect inside TLS is not visible', async () => {
    const f = await runDetectors(labCapture('plaintext'), catalog, httpDetectors({ catalog }));
    expect(summary(f)).toEqual(['critical http-plaintext-go proxy.golang.org', 'warn http-plaintext-go proxy.golang.org']);
    const critical = f.find((x) => x.severity === 'critical')!;
    expect(critical.detail).toContain('8 requests to proxy.golang.org travelled without TLS');
    expect(critical.detail).toContain('4 mod, 4 zip');
    expect(critical.evidence[0]!.packet).toBe(11);
    expect(f.find((x) => x.severity === 'warn')!.detail).toContain('1 sumdb-supported, 4 info');
  });

  it('corp-proxy: CONNECT through the configured proxy is info for each tunnelled Go host', async () => {
    const f = await runDetectors(labCapture('corp-proxy'), catalog, httpDetectors({ catalog, httpProxies: ['http://127.0.0.9:3128'] }));
    expect(summary(f)).toEqual(['info http-connect-proxy proxy.golang.org', 'info http-connect-proxy sum.golang.org']);
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([7, 9]);
  });

  it('clean: nothing', async () => {
    expect(await runDetectors(labCapture('clean'), catalog, httpDetectors({ catalog }))).toEqual([]);
  });
});
