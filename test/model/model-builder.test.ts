/**
 * ModelBuilder on events built in code: per-host aggregation, findings order and host
 * indexes, caps (hosts, findings, timeline), the proxy seam, and snapshot reuse.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, FindingId } from '../../src/detect/types.js';
import { msg } from '../../src/findings/message.js';
import { FindingStore } from '../../src/findings/store.js';
import { findingOf } from '../events.js';
import { ModelBuilder, OTHER_HOSTS_KEY } from '../../src/model/model-builder.js';
import type { CertificateSummary } from '../../src/model/types.js';
import { T0, attribution, certificate, ctx, clientHello, dnsResponse, flow, goRequest, serverHello } from './events.js';

const resolver = (flowId: number) => attribution(flowId, '127.0.0.53', { nameSource: 'none', address: '127.0.0.53', port: 53, role: 'resolver', label: 'DNS resolver' });
const roleOf = (host: string) => (host === 'proxy.golang.org' ? { role: 'module-proxy' as const, label: 'Go module proxy' } : undefined);

function finding(id: FindingId, severity: Finding['severity'], host: string | undefined, ts: number, packet = 5): Finding {
  return findingOf({ id, severity, title: `${id} title`, detail: 'detail', ...(host !== undefined ? { host } : {}), evidence: [{ packet, ts, flowId: 1, what: 'frame' }], fix: 'fix' });
}

function cert(verdict: CertificateSummary['verdict'], packet: number): CertificateSummary {
  return { subject: 'CN=proxy.golang.org', issuer: 'CN=Issuer', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z', fingerprint256: 'aa', chainLength: 2, verdict, packet };
}

describe('ModelBuilder aggregation', () => {
  it('names, addresses, resolvers and DNS answers come from the response for the name; the resolver is a host of its own', () => {
    const b = new ModelBuilder({ roleOf });
    b.event(dnsResponse(1, 4, 'Proxy.Golang.org.', ['127.0.0.2']), ctx(resolver(1)));
    b.flowEnded(flow(1, { protocol: 'udp', server: { addr: '127.0.0.53', port: 53 }, up: 45, down: 66 }), ctx(resolver(1)));
    const m = b.snapshot();
    expect(m.hosts.map((h) => h.key)).toEqual(['127.0.0.53', 'proxy.golang.org']);
    const [dns, proxy] = m.hosts;
    expect(dns).toMatchObject({ role: 'resolver', flows: 1, bytesUp: 45, bytesDown: 66, ports: [53] });
    expect(proxy).toMatchObject({
      role: 'module-proxy',
      roleLabel: 'Go module proxy',
      names: ['proxy.golang.org'],
      addresses: ['127.0.0.2'],
      resolvers: ['127.0.0.53'],
      nameSources: [{ source: 'dns', packet: 4 }],
      flows: 0,
      dns: [{ name: 'proxy.golang.org', type: 'A', addresses: ['127.0.0.2'], cnameChain: [], rcode: 'NOERROR', resolver: '127.0.0.53', ttl: 300, packet: 4 }],
    });
    expect(m.counts).toMatchObject({ flows: 1, tcpFlows: 0, udpFlows: 1 });
    expect(m.timeline).toEqual([{ ts: T0 + 0.004, packet: 4, flowId: 1, host: 'proxy.golang.org', kind: 'dns', what: 'DNS proxy.golang.org A → 127.0.0.2 (resolver 127.0.0.53)' }]);
  });

  it('TLS facts, bytes, ports, times and Go requests add up per host', () => {
    const b = new ModelBuilder();
    for (const id of [2, 3]) {
      const a = attribution(id, 'proxy.golang.org');
      b.event(clientHello(id, id * 10 + 3, 'proxy.golang.org'), ctx(a));
      b.event(serverHello(id, id * 10 + 5, id === 2 ? 0x0304 : 0x0303, id === 2 ? undefined : 'h2'), ctx(a));
      b.event(goRequest(id, id * 10 + 7, 'mod', '/example.test/alpha/@v/v1.1.0.mod'), ctx(a));
      b.flowEnded(flow(id, { up: 100 * id, down: 1000 * id }), ctx(a));
    }
    const [h] = b.snapshot().hosts;
    expect(h).toMatchObject({
      key: 'proxy.golang.org',
      role: 'module-proxy',
      flows: 2,
      bytesUp: 500,
      bytesDown: 5000,
      firstTs: T0 + 0.023,
      lastTs: T0 + 4,
      ports: [443],
      addresses: ['127.0.0.2'],
      nameSources: [{ source: 'sni', packet: 1 }],
      tls: { versions: ['TLS 1.3', 'TLS 1.2'], alpn: ['h2'], ja4: ['t13d1910h2_9dc949149365_97f8aa674fd9'], sni: ['proxy.golang.org'] },
      goRequests: { mod: 2 },
      http: false,
    });
    expect(b.snapshot().timeline.map((e) => e.what)).toEqual(['TLS 1.3 with proxy.golang.org', 'TLS 1.2 with proxy.golang.org (ALPN h2)']);
  });

  it('a flow without a name is keyed by its server address', () => {
    const b = new ModelBuilder();
    b.flowEnded(flow(1, { server: { addr: '10.9.9.9', port: 8443 } }), ctx(attribution(1, undefined, { address: '10.9.9.9', port: 8443 })));
    expect(b.snapshot().hosts[0]).toMatchObject({ key: '10.9.9.9', role: 'other', names: [], addresses: ['10.9.9.9'], ports: [8443], nameSources: [] });
  });

  it('a CONNECT tunnel belongs to the host behind it (via the proxy) and also counts on the proxy', () => {
    const b = new ModelBuilder({ roleOf });
    const via = { address: '127.0.0.9', port: 3128, how: 'connect' as const, packet: 9 };
    const early = attribution(1, 'proxy.golang.org', { address: '127.0.0.9', port: 3128, nameSource: 'connect', namePacket: 9, tunnelTarget: 'proxy.golang.org:443', via, role: 'http-proxy', label: 'HTTP proxy' });
    b.event(
      { type: 'http-request', ts: T0, packet: 9, flowId: 1, method: 'CONNECT', target: 'proxy.golang.org:443', version: 'HTTP/1.1', host: 'proxy.golang.org:443', bodyBytes: 0, connectTarget: 'proxy.golang.org:443', headers: [] },
      ctx(early));
    const late = { ...early, nameSource: 'sni' as const, namePacket: 26, role: 'module-proxy' as const, label: 'Go module proxy' };
    b.event(clientHello(1, 26, 'proxy.golang.org'), ctx(late));
    b.flowEnded(flow(1, { server: { addr: '127.0.0.9', port: 3128 } }), ctx(late));
    const m = b.snapshot();
    expect(m.hosts.map((h) => [h.key, h.role])).toEqual([
      ['proxy.golang.org', 'module-proxy'],
      ['127.0.0.9', 'http-proxy'],
    ]);
    expect(m.hosts[0]).toMatchObject({ addresses: [], via: ['127.0.0.9:3128'], ports: [443], flows: 1, http: false });
    expect(m.hosts[1]).toMatchObject({ addresses: ['127.0.0.9'], ports: [3128], flows: 1, http: true, bytesDown: 1000 });
    expect(m.timeline[0]?.what).toBe('CONNECT proxy.golang.org:443 via 127.0.0.9:3128');
  });

  it('the worst certificate verdict wins, the first among equals', () => {
    const b = new ModelBuilder();
    const a = attribution(1, 'proxy.golang.org');
    certificate(b, a, cert('trusted', 10));
    certificate(b, a, cert('untrusted', 20));
    certificate(b, a, cert('incomplete', 30));
    certificate(b, a, cert('untrusted', 40));
    expect(b.snapshot().hosts[0]?.certificate).toMatchObject({ verdict: 'untrusted', packet: 20 });
  });

  it('process names reach the host of the flow, also when they arrive before its first event', () => {
    const b = new ModelBuilder();
    b.process(1, 'go');
    b.event(clientHello(1, 3, 'proxy.golang.org'), ctx(attribution(1, 'proxy.golang.org')));
    b.event(clientHello(2, 4, 'sum.golang.org'), ctx(attribution(2, 'sum.golang.org')));
    b.process(2, 'gopls');
    const m = b.snapshot();
    expect(m.hosts.map((h) => h.processes)).toEqual([['go'], ['gopls']]);
  });
});

describe('findings', () => {
  it('a new version of a finding takes the place of the old one, counted once', () => {
    const store: FindingStore = new FindingStore((f) => b.finding(f));
    const b = new ModelBuilder({ beforeSnapshot: () => store.flush() });
    const scope = store.scope('test');
    const draft = { id: 'tls-downgrade' as const, severity: 'warn' as const, host: 'sum.golang.org', title: msg`t`, detail: msg`d`, fix: msg`f` };
    scope.report(draft, [{ packet: 3, ts: T0, flowId: 1, what: 'x' }]);
    const first = b.snapshot().findings[0];
    scope.report(draft, [{ packet: 9, ts: T0 + 1, flowId: 2, what: 'y' }]);
    const m = b.snapshot();
    expect(m.findings).toHaveLength(1);
    expect(m.findings[0]).not.toBe(first);
    expect(m.findings[0]).toMatchObject({ version: 2, detail: 'd Seen in 2 connections.' });
    expect(m.findings[0]!.evidence.map((e) => e.packet)).toEqual([3, 9]);
    expect(first).toMatchObject({ version: 1, detail: 'd' });
    expect(m.counts.findingsBySeverity.warn).toBe(1);
    expect(m.timeline.filter((e) => e.kind === 'finding')).toHaveLength(1);
  });


  it('are sorted by severity then time, and hosts index into the sorted list', () => {
    const b = new ModelBuilder({ roleOf });
    b.finding(finding('policy-fallback', 'info', 'proxy.golang.org', T0 + 1));
    b.finding(finding('dns-bogon-answer', 'warn', 'sum.golang.org', T0 + 9));
    b.finding(finding('tls-expired', 'critical', 'proxy.golang.org', T0 + 5));
    b.finding(finding('tls-downgrade', 'warn', undefined, T0 + 2));
    const m = b.snapshot();
    expect(m.findings.map((f) => f.id)).toEqual(['tls-expired', 'tls-downgrade', 'dns-bogon-answer', 'policy-fallback']);
    const proxy = m.hosts.find((h) => h.key === 'proxy.golang.org')!;
    expect(proxy.findings.map((i) => m.findings[i]!.id)).toEqual(['tls-expired', 'policy-fallback']);
    expect(proxy).toMatchObject({ worst: 'critical', role: 'module-proxy', firstTs: T0 + 1 });
    const sum = m.hosts.find((h) => h.key === 'sum.golang.org')!;
    expect(sum).toMatchObject({ worst: 'warn', role: 'other' });
    expect(sum.findings.map((i) => m.findings[i]!.id)).toEqual(['dns-bogon-answer']);
    expect(m.counts.findingsBySeverity).toEqual({ info: 1, warn: 2, critical: 1 });
    expect(m.timeline.filter((e) => e.kind === 'finding').map((e) => e.what)).toEqual(['info: policy-fallback title', 'warn: tls-downgrade title', 'critical: tls-expired title', 'warn: dns-bogon-answer title']);
  });

  it('beyond the cap are counted by severity and in the host worst, not kept', () => {
    const b = new ModelBuilder({ maxFindings: 2 });
    b.finding(finding('tls-self-signed', 'info', 'h', T0));
    b.finding(finding('tls-hostname-mismatch', 'info', 'h', T0));
    b.finding(finding('tls-expired', 'critical', 'h', T0));
    const m = b.snapshot();
    expect(m.findings.map((f) => f.id)).toEqual(['tls-self-signed', 'tls-hostname-mismatch']);
    expect(m.overflow.findingsDropped).toBe(1);
    expect(m.counts.findingsBySeverity.critical).toBe(1);
    expect(m.hosts[0]).toMatchObject({ worst: 'critical', findings: [0, 1] });
  });
});

describe('bounds', () => {
  it('hosts beyond maxHosts fold into one "(other hosts)" entry, counted once per distinct host', () => {
    const b = new ModelBuilder({ maxHosts: 2 });
    for (const [i, name] of ['a.example', 'b.example', 'c.example', 'd.example', 'c.example'].entries()) {
      const a = attribution(i + 1, name);
      b.event(clientHello(i + 1, i + 1, name), ctx(a));
      b.flowEnded(flow(i + 1, { up: 1, down: 2 }), ctx(a));
    }
    const m = b.snapshot();
    expect(m.hosts.map((h) => h.key)).toEqual(['a.example', 'b.example', OTHER_HOSTS_KEY]);
    expect(m.hosts[2]).toMatchObject({ flows: 3, bytesUp: 3, bytesDown: 6, names: [] });
    expect(m.overflow.hostsFolded).toBe(2);
  });

  it('the timeline keeps the last entries in capture order and counts the rest', () => {
    const b = new ModelBuilder({ maxTimeline: 3 });
    for (let i = 1; i <= 5; i++) b.event(dnsResponse(1, i, `h${i}.example`, ['127.0.0.1']), ctx(resolver(1)));
    const m = b.snapshot();
    expect(m.timeline.map((e) => e.packet)).toEqual([3, 4, 5]);
    expect(m.timelineDropped).toBe(2);
  });

  it('per-host lists are capped however many values a capture carries', () => {
    const b = new ModelBuilder();
    for (let i = 0; i < 500; i++) b.event(dnsResponse(1, i + 1, 'many.example', [`10.0.${i >> 8}.${i & 255}`]), ctx(resolver(1)));
    const h = b.snapshot().hosts.find((x) => x.key === 'many.example')!;
    expect(h.addresses.length).toBeLessThanOrEqual(32);
    expect(h.dns.length).toBeLessThanOrEqual(16);
  });
});

describe('snapshot', () => {
  it('is the same object while nothing changes, and reuses the summaries of unchanged hosts', () => {
    const b = new ModelBuilder();
    b.event(clientHello(1, 1, 'a.example'), ctx(attribution(1, 'a.example')));
    b.event(clientHello(2, 2, 'b.example'), ctx(attribution(2, 'b.example')));
    const s1 = b.snapshot();
    expect(b.snapshot()).toBe(s1);
    b.event(serverHello(2, 3, 0x0304), ctx(attribution(2, 'b.example')));
    const s2 = b.snapshot();
    expect(s2).not.toBe(s1);
    expect(s2.hosts[0]).toBe(s1.hosts[0]);
    expect(s2.hosts[1]).not.toBe(s1.hosts[1]);
    expect(s1.hosts[1]?.tls.versions).toEqual([]);
    expect(Object.isFrozen(s2.hosts)).toBe(true);
  });

  it('stays cheap with thousands of hosts: one changed host per snapshot', () => {
    const b = new ModelBuilder();
    for (let i = 0; i < 5000; i++) b.event(clientHello(i, i, `h${i}.example`), ctx(attribution(i, `h${i}.example`)));
    b.snapshot();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) {
      b.event(serverHello(i, 10_000 + i, 0x0304), ctx(attribution(i, `h${i}.example`)));
      expect(b.snapshot().hosts).toHaveLength(5000);
    }
    // 100 snapshots is 10 s of a 10 Hz dashboard; rebuilding every host each time would take far longer.
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('merges capture information', () => {
    const b = new ModelBuilder();
    b.capture({ source: 'x.pcap', packets: 10 });
    b.capture({ ended: true });
    expect(b.snapshot().capture).toMatchObject({ source: 'x.pcap', packets: 10, ended: true, format: null });
  });
});
