/**
 * The CI test of issue 6: `gotap watch -- go mod download` for real, inside the lab's
 * network namespace (captures/lab/watch-e2e.mjs: lab DNS, HTTPS proxy.golang.org and
 * sum.golang.org, the real go command with the lab's Go environment; gotap starts tcpdump
 * on lo itself). Asserts on the printed summary and the JSON report: the proxy and
 * checksum-database roles were seen, and the go command was named as the process owning
 * their connections. Needs root, go and tcpdump (CI has them); skips otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsFromXLog } from '../../captures/lab/check-xlog.mjs';
import { repoRoot } from '../corpus.js';

function labCanRun(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  return ['go', 'tcpdump', 'ip', 'openssl'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
}

interface ReportHost {
  key: string;
  role: string;
  processes: string[];
}

const GO_PROCESS = /^go mod download \(pid \d+\)$/;

describe.skipIf(!labCanRun())('gotap watch -- go mod download, in the lab namespace (root, go, tcpdump)', () => {
  it('sees the proxy and the checksum database, and names the go command as their process', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotap-watch-e2e-'));
    try {
      const report = join(dir, 'report.json');
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [join(repoRoot, 'captures/lab/watch-e2e.mjs'), '--', '--report', report], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 50_000,
      });
      const seconds = (Date.now() - t0) / 1000;
      expect(r.status, r.stderr).toBe(0);
      expect(seconds).toBeLessThan(45);

      // Ground truth: the go command's own -x log (passed through on stderr).
      expect(hostsFromXLog(r.stderr)).toEqual(['proxy.golang.org', 'sum.golang.org']);

      // The plain-text summary on stdout.
      const out = r.stdout;
      expect(out).toMatch(/^capture: \d+ packets, .* \d+ dropped by the kernel/m);
      const row = (host: string): string => out.split('\n').find((l) => l.trimStart().startsWith(`${host} `)) ?? '';
      expect(row('proxy.golang.org')).toMatch(/^\s+proxy\.golang\.org\s+proxy\s+\d+\s.*\bgo mod download \(pid \d+\)/);
      expect(row('sum.golang.org')).toMatch(/^\s+sum\.golang\.org\s+sumdb\s+\d+\s.*\bgo mod download \(pid \d+\)/);
      expect(out).toContain(`report written to ${report}`);

      // The same facts in the JSON report.
      const doc = JSON.parse(readFileSync(report, 'utf8')) as { capture: { ended: boolean; source: string; drops?: number }; hosts: ReportHost[] };
      expect(doc.capture).toMatchObject({ ended: true, source: 'live capture on lo' });
      expect(typeof doc.capture.drops).toBe('number');
      const host = (key: string): ReportHost | undefined => doc.hosts.find((h) => h.key === key);
      expect(host('proxy.golang.org')?.role).toBe('module-proxy');
      expect(host('sum.golang.org')?.role).toBe('checksum-db');
      for (const key of ['proxy.golang.org', 'sum.golang.org']) expect(host(key)?.processes.some((p) => GO_PROCESS.test(p)), key).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
