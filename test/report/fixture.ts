/**
 * A small model for the report writers: proxy.golang.org intercepted (TLS 1.2, Zscaler
 * chain trusted by the user's CA), a DNS answer, a plain-HTTP mirror with a `=`-prefixed
 * header value, and one finding of each severity. Built through ModelBuilder, so the
 * fixture is what the pipeline would produce.
 */
import type { Finding } from '../../src/detect/types.js';
import { findingOf, type FindingSpec } from '../events.js';
import { ModelBuilder } from '../../src/model/model-builder.js';
import type { ModelSnapshot } from '../../src/model/types.js';
import { T0, attribution, certificate, ctx, clientHello, dnsResponse, flow, goRequest, serverHello } from '../model/events.js';

const resolver = attribution(1, '127.0.0.53', { nameSource: 'none', address: '127.0.0.53', port: 53, role: 'resolver', label: 'DNS resolver' });

const FINDINGS: Finding[] = ([
  {
    id: 'tls-interception',
    severity: 'warn',
    title: 'TLS to proxy.golang.org is inspected by Zscaler, trusted via your CA file',
    detail: 'The certificate for proxy.golang.org was issued by `Zscaler Root CA` (O=Zscaler Inc.).',
    host: 'proxy.golang.org',
    evidence: [{ packet: 23, ts: T0 + 0.023, flowId: 2, what: 'Certificate issued by Zscaler Root CA' }],
    fix: 'nothing to do if this is your company proxy',
  },
  {
    id: 'http-plaintext-go',
    severity: 'critical',
    title: 'Module content fetched over plain HTTP from mirror.example',
    detail: 'GET /m/@v/v1.0.0.zip was sent without TLS | anyone on the path can change it.',
    host: 'mirror.example',
    evidence: [{ packet: 35, ts: T0 + 0.035, flowId: 3, what: 'GET /m/@v/v1.0.0.zip' }],
    fix: 'use https:// in GOPROXY',
  },
  {
    id: 'policy-fallback',
    severity: 'info',
    title: 'proxy.golang.org answered 404, the go command fell back to direct',
    detail: 'Expected with GOPROXY=https://proxy.golang.org,direct.',
    evidence: [],
    fix: 'none needed',
  },
] satisfies FindingSpec[]).map(findingOf);

export function fixtureModel(): ModelSnapshot {
  const b = new ModelBuilder({ roleOf: (h) => (h === 'proxy.golang.org' ? { role: 'module-proxy', label: 'Go module proxy' } : undefined) });
  b.capture({ source: 'lab/intercept.pcap', format: 'pcap', packets: 40, bytes: 9000, firstTs: T0, lastTs: T0 + 0.05 });
  b.event(dnsResponse(1, 4, 'proxy.golang.org', ['127.0.0.2']), ctx(resolver));
  b.flowEnded(flow(1, { protocol: 'udp', server: { addr: '127.0.0.53', port: 53 }, up: 45, down: 66 }), ctx(resolver));
  const proxy = attribution(2, 'proxy.golang.org', { namePacket: 21 });
  b.event(clientHello(2, 21, 'proxy.golang.org'), ctx(proxy));
  b.event(serverHello(2, 23, 0x0303, 'h2'), ctx(proxy));
  certificate(b, proxy, {
      subject: 'CN=proxy.golang.org',
      issuer: 'CN=Zscaler Root CA, O=Zscaler Inc.',
      issuerOrg: 'Zscaler Inc.',
      notBefore: '2026-11-21T21:10:00.000Z',
      notAfter: '2026-12-21T21:10:00.000Z',
      fingerprint256: 'ab'.repeat(32),
      chainLength: 2,
      verdict: 'trusted-by-user-ca',
      interceptionProduct: 'Zscaler',
      packet: 23,
  });
  b.flowEnded(flow(2, { up: 1500, down: 7000 }), ctx(proxy));
  const mirror = attribution(3, 'mirror.example', { nameSource: 'http-host', namePacket: 35, address: '10.1.2.3', port: 80, role: 'mirror', label: 'Go module mirror' });
  b.event(
    { type: 'http-request', ts: T0 + 0.035, packet: 35, flowId: 3, method: 'GET', target: '/m/@v/v1.0.0.zip', version: 'HTTP/1.1', host: 'mirror.example', bodyBytes: 0, headers: [] },
    ctx(mirror),
  );
  b.event(goRequest(3, 35, 'zip', '/m/@v/v1.0.0.zip'), ctx(mirror));
  b.flowEnded(flow(3, { server: { addr: '10.1.2.3', port: 80 }, up: 120, down: 2048 }), ctx(mirror));
  for (const f of FINDINGS) b.finding(f);
  b.capture({ ended: true });
  return b.snapshot();
}
