import { describe, expect, it } from 'vitest';
import { ExpectedRanges, specialRange } from '../../../src/detect/dns/address-ranges.js';
import { createDnsAnswerAddressDetector, type DnsDetectorOptions } from '../../../src/detect/dns/answer-addresses.js';
import { createDnsConflictDetector } from '../../../src/detect/dns/conflicting-responses.js';
import { createDnsErrorDetector } from '../../../src/detect/dns/error-for-go-host.js';
import { createDnsResolverDisagreementDetector } from '../../../src/detect/dns/resolver-disagreement.js';
import type { HostLookup } from '../../../src/detect/policy/go-hosts.js';
import type { Detector, Finding } from '../../../src/detect/types.js';
import type { FindingScope } from '../../../src/findings/store.js';
import type { Flow } from '../../../src/flow/types.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { detectorRun } from '../harness.js';
import { dnsConflict, dnsResponse, dnsUnanswered, flow } from '../policy/events.js';
import { attribution, labCapture, runDetectors, summary, testCatalog } from '../policy/lab.js';

type Factory = (opts: DnsDetectorOptions, findings: FindingScope) => Detector;

const DNS_DETECTORS: Factory[] = [createDnsAnswerAddressDetector, createDnsConflictDetector, createDnsErrorDetector, createDnsResolverDisagreementDetector];

function run(make: Factory, events: GotapEvent[], flows: Flow[] = [], catalog: HostLookup = testCatalog()): Finding[] {
  const r = detectorRun((scope) => make({ catalog }, scope));
  for (const ev of events) r.event(ev, attribution({ flowId: ev.flowId }));
  for (const fl of flows) r.flowEnded(fl, attribution({ flowId: fl.id }));
  return r.finish();
}

describe('address classification', () => {
  it.each([
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::fb', 'multicast'],
    ['192.0.2.7', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['fd00::1', 'unique local (private)'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:10.0.0.1', 'IPv4-mapped'],
  ])('%s is %s', (address, label) => {
    expect(specialRange(address)).toBe(label);
  });

  it.each(['142.250.74.113', '2607:f8b0:4004:c07::8d', '172.32.0.1', '100.128.0.1', 'not an address'])('%s is not special', (address) => {
    expect(specialRange(address)).toBeUndefined();
  });

  it('expected ranges are judged per family; single addresses mean /32 or /128', () => {
    const r = new ExpectedRanges(['127.0.0.2', '10.0.0.0/8', 'bogus', '1.2.3.4/33']);
    expect(r.invalid).toEqual(['bogus', '1.2.3.4/33']);
    expect(r.contains('127.0.0.2')).toBe(true);
    expect(r.contains('127.0.0.3')).toBe(false);
    expect(r.contains('10.9.9.9')).toBe(true);
    expect(r.covers('2001:db8::1')).toBe(false);
  });
});

describe('dns-bogon-answer / dns-unexpected-address', () => {
  it('flags a Go host answered with loopback, with the flows that connected there', () => {
    const f = run(createDnsAnswerAddressDetector, [dnsResponse(4, 'proxy.golang.org', ['127.0.0.2']), dnsResponse(9, 'proxy.golang.org.', ['127.0.0.2'])], [flow(1, '127.0.0.2', 443, 5)]);
    expect(summary(f)).toEqual(['warn dns-bogon-answer proxy.golang.org']);
    expect(f[0]!.title).toBe('DNS answered Go host proxy.golang.org with non-public address 127.0.0.2');
    expect(f[0]!.detail).toContain('127.0.0.2 (loopback) 2 times (frames 4, 9)');
    expect(f[0]!.detail).toContain('connected to it 1 time (frame 5)');
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([4, 9, 5]);
  });

  it('ignores public answers and hosts with no Go role', () => {
    expect(run(createDnsAnswerAddressDetector, [dnsResponse(4, 'proxy.golang.org', ['142.250.74.113']), dnsResponse(5, 'www.example.com', ['10.0.0.1'])])).toEqual([]);
  });

  it('declared ranges replace the bogon check: inside is fine, outside is dns-unexpected-address', () => {
    const catalog = testCatalog({ 'proxy.golang.org': ['127.0.0.2/32'] });
    const events = [dnsResponse(4, 'proxy.golang.org', ['127.0.0.66']), dnsResponse(61, 'proxy.golang.org', ['127.0.0.2'])];
    const f = run(createDnsAnswerAddressDetector, events, [flow(3, '127.0.0.66', 443, 5)], catalog);
    expect(summary(f)).toEqual(['warn dns-unexpected-address proxy.golang.org']);
    expect(f[0]!.title).toBe('DNS answered proxy.golang.org with 127.0.0.66, outside the expected 127.0.0.2/32');
    expect(f[0]!.detail).toContain('connected to it 1 time (frame 5)');
  });

  it('a configured host without a Go role is judged against its ranges too; other families fall back to the bogon check', () => {
    const catalog = testCatalog({ 'mirror.corp.example': ['10.0.0.0/8'] });
    const f = run(createDnsAnswerAddressDetector, [dnsResponse(4, 'mirror.corp.example', ['10.1.1.1']), dnsResponse(5, 'mirror.corp.example', ['fd00::5'])], [], catalog);
    expect(summary(f)).toEqual(['warn dns-bogon-answer mirror.corp.example']);
  });
});

describe('published findings are immutable', () => {
  it('a second flagged answer publishes version 2 when flushed; version 1 stays as it was', () => {
    const r = detectorRun((scope) => createDnsAnswerAddressDetector({ catalog: testCatalog() }, scope));
    r.event(dnsResponse(4, 'proxy.golang.org', ['127.0.0.2']), attribution());
    const [first] = r.published;
    const before = JSON.stringify(first);
    r.event(dnsResponse(9, 'proxy.golang.org', ['127.0.0.2']), attribution());
    r.flush();
    r.flowEnded(flow(1, '127.0.0.2', 443, 10), attribution());
    r.flush();
    expect(r.published.map((f) => f.version)).toEqual([1, 2, 3]);
    expect(new Set(r.published.map((f) => f.key)).size).toBe(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first!.evidence)).toBe(true);
    expect(JSON.stringify(first)).toBe(before);
    expect(first!.detail).toContain('1 time (frame 4)');
    expect(r.published[2]!.detail).toContain('2 times (frames 4, 9)');
    expect(r.published[2]!.values).toMatchObject({ host: 'proxy.golang.org', count: 2, frames: [4, 9, 10] });
  });
});

describe('dns-conflicting-responses', () => {
  it('reports the differing answers and the connection to a contested address', () => {
    const f = run(createDnsConflictDetector, [dnsConflict(61, 'proxy.golang.org', [[4, ['127.0.0.66']], [61, ['127.0.0.2']]])], [flow(3, '127.0.0.66', 443, 5)]);
    expect(summary(f)).toEqual(['warn dns-conflicting-responses proxy.golang.org']);
    expect(f[0]!.title).toBe('Conflicting DNS responses for proxy.golang.org: 127.0.0.66 vs 127.0.0.2');
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([4, 61, 5]);
  });

  it('ignores conflicts for non-Go names', () => {
    expect(run(createDnsConflictDetector, [dnsConflict(6, 'www.example.com', [[4, ['1.1.1.1']], [6, ['2.2.2.2']]])])).toEqual([]);
  });
});

describe('dns-error-for-go-host', () => {
  it('reports NXDOMAIN/SERVFAIL/REFUSED for Go hosts only', () => {
    const f = run(createDnsErrorDetector, [
      dnsResponse(2, 'proxy.golang.org', [], { rcode: 'NXDOMAIN' }),
      dnsResponse(3, 'proxy.golang.org', [], { rcode: 'SERVFAIL' }),
      dnsResponse(4, 'www.example.com', [], { rcode: 'NXDOMAIN' }),
    ]);
    expect(summary(f)).toEqual(['warn dns-error-for-go-host proxy.golang.org']);
    expect(f[0]!.title).toBe('DNS NXDOMAIN, SERVFAIL for Go host proxy.golang.org');
    expect(f[0]!.fix).toContain('DNS filter');
  });

  it('reports unanswered queries only for names that never got an answer', () => {
    const f = run(createDnsErrorDetector, [dnsUnanswered(1, 'sum.golang.org'), dnsUnanswered(2, 'proxy.golang.org'), dnsResponse(3, 'proxy.golang.org', ['142.250.74.113'])]);
    expect(summary(f)).toEqual(['warn dns-error-for-go-host sum.golang.org']);
    expect(f[0]!.title).toBe('DNS no answer for Go host sum.golang.org');
  });
});

describe('dns-resolver-disagreement', () => {
  it('reports disjoint answers from different resolvers, not overlapping round-robin ones', () => {
    const f = run(createDnsResolverDisagreementDetector, [
      dnsResponse(1, 'proxy.golang.org', ['142.250.74.113', '142.250.74.114'], { resolver: '10.0.0.53' }),
      dnsResponse(2, 'proxy.golang.org', ['142.250.74.114'], { resolver: '8.8.8.8' }),
      dnsResponse(3, 'proxy.golang.org', ['203.0.113.9'], { resolver: '10.9.9.9' }),
    ]);
    expect(summary(f)).toEqual(['warn dns-resolver-disagreement proxy.golang.org']);
    expect(f[0]!.detail).toContain('10.9.9.9 A → 203.0.113.9');
    expect(f[0]!.evidence.map((e) => e.packet)).toEqual([1, 2, 3]);
  });

  it('one resolver changing its answer is not a disagreement', () => {
    expect(run(createDnsResolverDisagreementDetector, [dnsResponse(1, 'proxy.golang.org', ['1.1.1.1']), dnsResponse(2, 'proxy.golang.org', ['2.2.2.2'])])).toEqual([]);
  });
});

describe('DNS detectors on the lab captures', () => {
  const dns = (catalog: HostLookup) => (scope: FindingScope) => DNS_DETECTORS.map((make) => make({ catalog }, scope));

  it('clean without expected ranges: the lab loopback answers are flagged (correct in general)', async () => {
    const f = await runDetectors(labCapture('clean'), testCatalog(), dns(testCatalog()));
    expect(summary(f)).toEqual(['warn dns-bogon-answer proxy.golang.org', 'warn dns-bogon-answer sum.golang.org']);
  });

  it('clean with the lab range declared: no DNS finding', async () => {
    const catalog = testCatalog({ 'proxy.golang.org': ['127.0.0.0/8'], 'sum.golang.org': ['127.0.0.0/8'] });
    expect(await runDetectors(labCapture('clean'), catalog, dns(catalog))).toEqual([]);
  });

  it('dns-hijack with precise expected addresses: conflicting responses and the unexpected address', async () => {
    const catalog = testCatalog({ 'proxy.golang.org': ['127.0.0.2/32'], 'sum.golang.org': ['127.0.0.3/32'] });
    const f = await runDetectors(labCapture('dns-hijack'), catalog, dns(catalog));
    expect(summary(f)).toEqual(['warn dns-conflicting-responses proxy.golang.org', 'warn dns-unexpected-address proxy.golang.org']);
    const conflict = f.find((x) => x.id === 'dns-conflicting-responses')!;
    expect(conflict.title).toBe('Conflicting DNS responses for proxy.golang.org: 127.0.0.66 vs 127.0.0.2');
    expect(conflict.evidence.slice(0, 2).map((e) => e.packet)).toEqual([4, 61]);
    const unexpected = f.find((x) => x.id === 'dns-unexpected-address')!;
    expect(unexpected.detail).toContain('127.0.0.66 (outside 127.0.0.2/32) 1 time (frame 4)');
    expect(unexpected.detail).toContain('connected to them 2 times (frames 5, 8)');
  });
});
