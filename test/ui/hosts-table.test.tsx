import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import { HostsTable, layoutColumns } from '../../src/ui/hosts-table.js';
import { hosts } from './fixtures.js';

const widthOf = (s: string): number => [...s].length;

describe('HostsTable', () => {
  test('one row per host with role, names, flows, bytes, TLS version, certificate verdict and process', () => {
    const { lastFrame } = render(<HostsTable hosts={hosts} selected={0} focused height={20} width={100} />);
    const rows = lastFrame()!.split('\n');
    expect(rows[0]).toMatch(/ROLE\s+HOST\s+FLOWS\s+BYTES\s+TLS\s+CERT\s+PROCESS/);
    const proxy = rows.find((l) => l.includes('proxy.golang.org'))!;
    expect(proxy).toMatch(/proxy\s+proxy\.golang\.org\s+4\s+189\.5 kB\s+1\.3\s+trusted\s+go \(pid 4121\)/);
    const corp = rows.find((l) => l.includes('goproxy.example.corp'))!;
    expect(corp).toContain('goproxy.example.corp (artifact');
    expect(corp).toMatch(/mirror .* 1\.2\s+MITM Zscaler\s+gopls \(pid 88\)/);
    expect(rows.find((l) => l.includes('127.0.0.53'))).toMatch(/resolver\s+127\.0\.0\.53\s+12\s+2\.4 kB/);
    expect(rows.find((l) => l.includes('evil'))).toMatch(/http\s+UNTRUSTED/);
    expect(rows).toHaveLength(1 + hosts.length);
  });

  test('at a narrow width rows are truncated, never wrapped, and low-priority columns are dropped', () => {
    for (const width of [30, 45, 60, 80]) {
      const { lastFrame } = render(<HostsTable hosts={hosts} selected={0} focused height={20} width={width} />);
      const rows = lastFrame()!.split('\n');
      expect(rows).toHaveLength(1 + hosts.length);
      for (const row of rows) expect(widthOf(row)).toBeLessThanOrEqual(width);
      expect(rows[0]).not.toContain('PROCESS');
    }
    const cols = layoutColumns(60).map((c) => c.id);
    expect(cols).toEqual(['mark', 'role', 'host', 'flows', 'bytes', 'cert']);
    expect(layoutColumns(200).find((c) => c.id === 'host')!.width).toBeGreaterThan(100);
  });

  test('only as many rows as the height allows, scrolled to keep the selection visible', () => {
    const { lastFrame } = render(<HostsTable hosts={hosts} selected={4} focused height={3} width={120} />);
    const rows = lastFrame()!.split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('HOST (3-5 of 6)');
    expect(rows[3]).toContain('evil');
    expect(lastFrame()).not.toContain('proxy.golang.org');
  });

  test('an empty model says so', () => {
    const { lastFrame } = render(<HostsTable hosts={[]} selected={-1} focused height={5} width={80} />);
    expect(lastFrame()).toContain('no hosts yet');
  });
});
