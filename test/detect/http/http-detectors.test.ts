import { describe, expect, it } from 'vitest';
import type { FlowAttribution } from '../../../src/attribution/types.js';
import {
  createConnectProxyDetector,
  createHttpDetectors,
  createHttpPlaintextDetector,
  createHttpRedirectDetector,
  createUnknownDownloadHostDetector,
  parseProxy,
} from '../../../src/detect/http/index.js';
import { parseGoPolicy } from '../../../src/detect/policy/policy.js';
import type { Detector, Finding } from '../../../src/detect/types.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { goRequestFor, httpRequest, httpResponse, tlsHello } from '../policy/events.js';
import { attribution, labCapture, runDetectors, summary, testCatalog } from '../policy/lab.js';

const catalog = testCatalog();

function run(d: (sink: (f: Finding) => void) => Detector, events: GotapEvent[], a: Partial<FlowAttribution> = {}): Finding[] {
  const findings: Finding[] = [];
  const det = d((f) => findings.push(f));
  for (const ev of events) {
    const at = attribution({ flowId: ev.flowId, ...a });
    det.event?.(ev, at);
    if (ev.type === 'http-request') {
      const go = goRequestFor(ev);
      if (go) det.event?.(go, at);
    }
  }
  det.finish?.();
  return findings;
}

describe('http-plaintext-go', () => {
  const plaintext = (sink: (f: Finding) => void) => createHttpPlaintextDetector({ catalog }, sink);

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

  it('updates a published finding in place as more requests arrive', () => {
    const findings: Finding[] = [];
    const d = createHttpPlaintextDetector({ catalog }, (f) => findings.push(f));
    const at = attribution({ flowId: 1 });
    d.event?.(httpRequest(3, 1, 'GET', '/x.org/m/@v/v1.0.0.zip', 'proxy.golang.org'), at);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.detail).toContain('1 request to proxy.golang.org');
    d.event?.(httpRequest(5, 1, 'GET', '/x.org/m/@v/v1.0.0.mod', 'proxy.golang.org'), at);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.detail).toContain('2 requests to proxy.golang.org travelled without TLS (frames 3, 5)');
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
  const plaintext = (sink: (f: Finding) => void) => createHttpPlaintextDetector({ catalog: everyHostIsAMirror }, sink);

  it('keeps 10 evidence frames per finding and counts the rest', () => {
    const events = Array.from({ length: 50 }, (_, i) => httpRequest(i + 1, 1, 'GET', `/m.example/x/@v/v1.0.${i}.info`, 'mirror.example'));
    const [f] = run(plaintext, events);
    expect(f!.evidence).toHaveLength(10);
    expect(f!.detail).toContain('frames 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, … (50 in all)');
  });

  it('caps the number of hosts and says how many occurrences were not itemised', () => {
    const events = Array.from({ length: 300 }, (_, i) => httpRequest(i + 1, i + 1, 'GET', '/', `h${i}.example`));
    const f = run(plaintext, events);
    expect(f.filter((x) => x.id === 'http-plaintext-go')).toHaveLength(256);
    expect(f.filter((x) => x.id === 'findings-capped').map((x) => x.title)).toEqual(['plaintext HTTP: 44 further occurrences not itemised']);
  });
});

describe('http-redirect-to-http', () => {
  const redirect = (sink: (f: Finding) => void) => createHttpRedirectDetector({ catalog }, sink);

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
});

describe('go-download-via-unknown-host', () => {
  it('flags module downloads from a host with no Go role unless GOPROXY names it', () => {
    const events = [httpRequest(3, 1, 'GET', '/rsc.io/quote/@v/v1.5.2.zip', 'athens.corp.example')];
    const make = (policy?: ReturnType<typeof parseGoPolicy>) => (sink: (f: Finding) => void) => createUnknownDownloadHostDetector({ catalog, policy }, sink);
    const f = run(make(), events);
    expect(summary(f)).toEqual(['warn go-download-via-unknown-host athens.corp.example']);
    expect(f[0]!.detail).toContain('Modules: rsc.io/quote');
    expect(run(make(parseGoPolicy({ env: { GOPROXY: 'https://athens.corp.example' } })), events)).toEqual([]);
    expect(run(make(), [httpRequest(3, 1, 'GET', '/rsc.io/quote/@v/v1.5.2.zip', 'proxy.golang.org')])).toEqual([]);
  });
});

describe('http-connect-proxy', () => {
  const connect = (httpProxies?: string[]) => (sink: (f: Finding) => void) => createConnectProxyDetector({ catalog, httpProxies }, sink);
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

  it('ignores tunnels to hosts with no Go role', () => {
    expect(run(connect(), [httpRequest(7, 1, 'CONNECT', 'www.example.com:443')], at)).toEqual([]);
  });
});

describe('HTTP detectors on the lab captures', () => {
  it('plaintext: module proxy over plain HTTP is critical; the https → http redirect inside TLS is not visible', async () => {
    const f = await runDetectors(labCapture('plaintext'), catalog, (sink) => createHttpDetectors({ catalog }, sink));
    expect(summary(f)).toEqual(['critical http-plaintext-go proxy.golang.org', 'warn http-plaintext-go proxy.golang.org']);
    const critical = f.find((x) => x.severity === 'critical')!;
    expect(critical.detail).toContain('8 requests to proxy.golang.org travelled without TLS');
    expect(critical.detail).toContain('4 mod, 4 zip');
    expect(critical.evidence[0]!.packet).toBe(11);
    expect(f.find((x) => x.severity === 'warn')!.detail).toContain('1 sumdb-supported, 4 info');
  });

  it('corp-proxy: CONNECT through the configured proxy is info for each tunnelled Go host', async () => {
    const f = await runDetectors(labCapture('corp-proxy'), catalog, (sink) => createHttpDetectors({ catalog, httpProxies: ['http://127.0.0.9:3128'] }, sink));
    expect(summary(f)).toEqual(['info http-connect-proxy proxy.golang.org', 'info http-connect-proxy sum.golang.org']);
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([7, 9]);
  });

  it('clean: nothing', async () => {
    expect(await runDetectors(labCapture('clean'), catalog, (sink) => createHttpDetectors({ catalog }, sink))).toEqual([]);
  });
});
