import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/detect/types.js';
import { findingOf, type FindingSpec } from '../events.js';
import { LinePrinter, summaryText } from '../../src/live/plain-output.js';
import type { HostSummary, ModelSnapshot } from '../../src/model/types.js';

function host(key: string, over: Partial<HostSummary> = {}): HostSummary {
  return {
    key,
    role: 'module-proxy',
    roleLabel: 'Go module proxy (Google)',
    names: [key],
    addresses: ['142.250.74.113'],
    resolvers: [],
    nameSources: [],
    flows: 1,
    bytesUp: 1200,
    bytesDown: 56000,
    firstTs: 1700000000,
    lastTs: 1700000001,
    ports: [443],
    http: false,
    via: [],
    tls: { versions: ['TLS 1.3'], alpn: ['h2'], ja4: [], sni: [key] },
    dns: [],
    goRequests: {},
    processes: [],
    findings: [],
    ...over,
  };
}

const finding = (over: Partial<FindingSpec> = {}): Finding =>
  findingOf({
  id: 'tls-interception',
  severity: 'critical',
  title: 'TLS to proxy.golang.org is intercepted by Zscaler',
  detail: 'The chain does not verify.',
  host: 'proxy.golang.org',
  evidence: [
    { packet: 41, ts: 1, flowId: 1, what: 'Certificate' },
    { packet: 97, ts: 2, flowId: 2, what: 'Certificate' },
  ],
  fix: 'ask IT to exempt proxy.golang.org',
  ...over,
  });

function snapshot(hosts: HostSummary[], findings: Finding[] = [], drops?: number): ModelSnapshot {
  const bySeverity = { info: 0, warn: 0, critical: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return {
    capture: { source: 'live capture on any', format: 'pcap', packets: 12, bytes: 3400, firstTs: 1, lastTs: 2, truncated: null, problems: {}, ended: true, ...(drops !== undefined ? { drops } : {}) },
    hosts,
    findings,
    timeline: [],
    timelineDropped: 0,
    overflow: { hostsFolded: 0, findingsDropped: 0 },
    counts: { flows: hosts.length, tcpFlows: hosts.length, udpFlows: 0, findingsBySeverity: bySeverity },
  };
}

describe('LinePrinter', () => {
  it('prints each new host, process and finding once, however often it is updated', () => {
    const lines: string[] = [];
    const p = new LinePrinter((l) => lines.push(l));
    p.update(snapshot([host('proxy.golang.org')]));
    p.update(snapshot([host('proxy.golang.org')]));
    p.update(snapshot([host('proxy.golang.org', { processes: ['go mod download (pid 4121)'] }), host('sum.golang.org', { role: 'checksum-db', roleLabel: 'Go checksum database (Google)', addresses: [] })], [finding()]));
    p.update(snapshot([host('proxy.golang.org', { processes: ['go mod download (pid 4121)'] })], [finding()]));
    expect(lines).toEqual([
      'host proxy.golang.org [proxy] Go module proxy (Google) at 142.250.74.113 port 443',
      'process proxy.golang.org: go mod download (pid 4121)',
      'host sum.golang.org [sumdb] Go checksum database (Google)',
      'finding CRIT tls-interception: TLS to proxy.golang.org is intercepted by Zscaler (proxy.golang.org)',
    ]);
  });

  it('makes packet strings inert: escape sequences, bidi overrides and newlines are shown, not obeyed', () => {
    const lines: string[] = [];
    const evil = 'evil\u001b]52;c;SGVsbG8=\u0007\u202egro.gnalog\nx';
    new LinePrinter((l) => lines.push(l)).update(snapshot([host(evil, { processes: ['\u001b[2Jgo'] })], [finding({ title: `bad ${evil}`, host: evil })]));
    for (const l of lines) {
      // eslint-disable-next-line no-control-regex
      expect(l).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
      expect(l).toContain('\\x1b');
    }
    expect(lines).toHaveLength(3);
  });
});

describe('summaryText', () => {
  it('verdict, counters with drops, hosts table and findings with evidence and fix', () => {
    const text = summaryText(
      snapshot([host('proxy.golang.org', { processes: ['go mod download (pid 4121)'], worst: 'critical' })], [finding()], 0),
      { stats: { captured: 12, received: 12, dropped: 2 }, reportFile: 'out.md' },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('gotap: TLS to proxy.golang.org is intercepted by Zscaler; 1 critical');
    expect(lines[1]).toBe('capture: 12 packets, 3.4 kB, 1 flows, 2 dropped by the kernel');
    expect(lines[2]).toMatch(/^warning: tcpdump lost packets/);
    expect(text).toMatch(/^ {2}HOST\s+ROLE\s+FLOWS\s+UP\s+DOWN\s+TLS\s+CERT\s+PROCESS$/m);
    expect(text).toMatch(/^ {2}proxy\.golang\.org\s+proxy\s+1\s+1\.2 kB\s+56\.0 kB\s+1\.3\s+hidden\s+go mod download \(pid 4121\)$/m);
    expect(text).toContain('  CRIT tls-interception: TLS to proxy.golang.org is intercepted by Zscaler (proxy.golang.org)\n');
    expect(text).toContain('       evidence: frames 41, 97\n');
    expect(text).toContain('       fix: ask IT to exempt proxy.golang.org\n');
    expect(text.endsWith('report written to out.md\n')).toBe(true);
  });

  it('no drop line outside live mode, no warning without drops', () => {
    expect(summaryText(snapshot([host('proxy.golang.org')])).split('\n')[1]).toBe('capture: 12 packets, 3.4 kB, 1 flows');
    expect(summaryText(snapshot([host('proxy.golang.org')], [], 0))).not.toContain('warning');
  });
});
