import { describe, expect, test } from 'vitest';
import { snapshotToken } from '../../src/ui/change-token.js';
import { orderFindings } from '../../src/ui/finding-list.js';
import { cell, formatDuration, wrapLines } from '../../src/ui/format.js';
import { SORT_KEYS, filterHosts, nextSort, visibleHosts } from '../../src/ui/host-list.js';
import { RateMeter } from '../../src/ui/rate-meter.js';
import { findings, hosts, snapshot } from './fixtures.js';

describe('host list', () => {
  test('filter matches names, key and role case-insensitively', () => {
    expect(filterHosts(hosts, 'GOLANG').map((h) => h.key)).toEqual(['proxy.golang.org', 'sum.golang.org']);
    expect(filterHosts(hosts, 'artifactory').map((h) => h.key)).toEqual(['goproxy.example.corp']);
    expect(filterHosts(hosts, 'sumdb').map((h) => h.key)).toEqual(['sum.golang.org']);
    expect(filterHosts(hosts, 'checksum-db').map((h) => h.key)).toEqual(['sum.golang.org']);
    expect(filterHosts(hosts, '  ')).toHaveLength(hosts.length);
    expect(filterHosts(hosts, 'nothing-like-this')).toEqual([]);
  });

  test('sort keys cycle and order as documented, without mutating the snapshot', () => {
    expect(SORT_KEYS.map(nextSort)).toEqual(['name', 'first seen', 'severity', 'bytes']);
    const keys = hosts.map((h) => h.key);
    expect(visibleHosts(hosts, '', 'severity').map((h) => h.worst ?? '-').slice(0, 4)).toEqual(['critical', 'warn', 'warn', 'warn']);
    expect(visibleHosts(hosts, '', 'bytes')[0]!.key).toBe('proxy.golang.org');
    expect(visibleHosts(hosts, '', 'first seen')[0]!.key).toBe('127.0.0.53');
    expect(hosts.map((h) => h.key)).toEqual(keys);
  });
});

test('findings: most severe first, newest first within a severity, model indexes kept', () => {
  const ordered = orderFindings(findings);
  expect(ordered.map((f) => f.index)).toEqual([1, 3, 0, 4, 2]);
  expect(ordered.every((f) => findings[f.index] === f.finding)).toBe(true);
});

describe('change token', () => {
  test('changes with packets, hosts, findings, processes and the end of the capture', () => {
    const base = snapshot();
    const t = snapshotToken(base);
    expect(snapshotToken(snapshot())).toBe(t);
    expect(snapshotToken(snapshot({ packets: 290 }))).not.toBe(t);
    expect(snapshotToken(snapshot({ ended: true }))).not.toBe(t);
    expect(snapshotToken(snapshot({ drops: 1 }))).not.toBe(t);
    expect(snapshotToken({ ...base, hosts: base.hosts.slice(1) })).not.toBe(t);
    expect(snapshotToken({ ...base, findings: base.findings.slice(1) })).not.toBe(t);
    const withProcess = base.hosts.map((h, i) => (i === 0 ? { ...h, processes: [...h.processes, 'gopls (pid 88)'] } : h));
    expect(snapshotToken({ ...base, hosts: withProcess })).not.toBe(t);
  });
});

describe('rate meter', () => {
  const info = (lastTs: number, packets: number) => ({ ...snapshot().capture, firstTs: 1000, lastTs, packets, bytes: packets * 100 });

  test('averages since the first packet until the window fills, then over the last seconds', () => {
    const m = new RateMeter();
    expect(m.update(info(1001, 100)).packetsPerSec).toBe(100);
    m.update(info(1005, 500));
    m.update(info(1010, 1000));
    // 1005 → 1020: 1000 packets in 15 s... the window keeps the last ~5 s
    const r = m.update(info(1020, 6000));
    expect(r.packetsPerSec).toBe(500);
    expect(r.bytesPerSec).toBe(50_000);
  });

  test('timestamps going backwards (concatenated captures) restart the window', () => {
    const m = new RateMeter();
    m.update(info(1010, 1000));
    const r = m.update(info(1002, 2000));
    expect(Number.isFinite(r.packetsPerSec)).toBe(true);
    expect(r.packetsPerSec).toBeGreaterThan(0);
  });

  test('no timestamps yet: zero', () => {
    expect(new RateMeter().update({ ...snapshot().capture, firstTs: null, lastTs: null }).packetsPerSec).toBe(0);
  });
});

describe('format', () => {
  test('wrapLines breaks at spaces within the width and never loses text', () => {
    const text = 'set SSL_CERT_FILE to your corporate bundle or ask IT to exempt proxy.golang.org from inspection';
    const out = wrapLines(text, 30);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(30);
    expect(out.join(' ')).toBe(text);
    expect(wrapLines('x'.repeat(70), 30)).toEqual(['x'.repeat(30), 'x'.repeat(30), 'x'.repeat(10)]);
    expect(wrapLines('', 30)).toEqual(['']);
  });

  test('cell sanitises and bounds', () => {
    expect(cell('a\u001b[31mb', 100)).toBe('a\\x1b[31mb');
    expect(cell('abcdef', 4)).toBe('abc…');
  });

  test('durations', () => {
    expect(formatDuration(0.235)).toBe('0.23 s');
    expect(formatDuration(75)).toBe('1 m 15 s');
    expect(formatDuration(7300)).toBe('2 h 01 m');
  });
});
