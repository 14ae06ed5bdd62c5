/**
 * The Go lab's committed captures (captures/lab/<scenario>/) against their ground truth:
 * every host the go command says it fetched from (`go -x`: "# get <url>") appears in the
 * capture as a TLS SNI, an HTTP Host or a CONNECT target, and gotap's full event stream
 * for each scenario matches its reviewed golden. When running as root with the lab's
 * tools installed (CI), one scenario is also regenerated live, so the lab cannot rot.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsFromXLog } from '../../captures/lab/check-xlog.mjs';
import { repoRoot } from '../corpus.js';
import { gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

const labDir = join(repoRoot, 'captures/lab');
const scenarios = readdirSync(labDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(labDir, d.name, 'capture.pcap')))
  .map((d) => d.name)
  .sort();

/** Hosts named on the wire: SNI, HTTP Host (port stripped), CONNECT target host. */
function hostsSeen(capture: string): { hosts: Set<string>; stdout: string } {
  const r = gotap(['replay', '--format', 'ndjson', capture]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  const hosts = new Set<string>();
  const hostOf = (authority: string) => authority.replace(/:\d+$/, '').toLowerCase();
  for (const ev of ndjson(r.stdout)) {
    if (ev.type === 'tls-client-hello' && typeof ev.sni === 'string') hosts.add(ev.sni.toLowerCase());
    if (ev.type === 'http-request' && typeof ev.host === 'string') hosts.add(hostOf(ev.host));
    if (ev.type === 'http-request' && typeof ev.connectTarget === 'string') hosts.add(hostOf(ev.connectTarget));
  }
  return { hosts, stdout: r.stdout };
}

describe('lab captures agree with the go command’s own -x log', () => {
  it('has the eight scenarios of the lab', () => {
    expect(scenarios).toEqual([
      'clean',
      'corp-proxy',
      'dns-hijack',
      'goproxy-ignored',
      'intercept',
      'intercept-rejected',
      'mirror-fallback',
      'plaintext',
      'sumdb-direct',
      'sumdb-via-mirror',
    ]);
  });

  for (const scenario of scenarios) {
    it(scenario, () => {
      const dir = join(labDir, scenario);
      const fetched = hostsFromXLog(readFileSync(join(dir, 'go-x.log'), 'utf8'));
      expect(fetched.length).toBeGreaterThan(0);
      const { hosts, stdout } = hostsSeen(join('captures/lab', scenario, 'capture.pcap'));
      for (const host of fetched) expect(hosts, `${host} (from go-x.log) on the wire`).toContain(host);
      expectGolden(`lab-${scenario}.ndjson`, stdout);
    });
  }
});

function labCanRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['go', 'tcpdump', 'ip', 'openssl'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);
}

describe.skipIf(!labCanRun())('the lab regenerates a scenario live (root, go, tcpdump)', () => {
  it('clean: real go mod download traffic, hosts in -x log seen on the wire', { timeout: 120_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'gotap-lab-'));
    try {
      execFileSync(process.execPath, [join(labDir, 'lab.mjs'), '--scenario', 'clean', '--out', out], { stdio: 'pipe', timeout: 110_000 });
      const dir = join(out, 'clean');
      const fetched = hostsFromXLog(readFileSync(join(dir, 'go-x.log'), 'utf8'));
      expect(fetched).toEqual(['proxy.golang.org', 'sum.golang.org']);
      const { hosts } = hostsSeen(join(dir, 'capture.pcap'));
      for (const host of fetched) expect(hosts).toContain(host);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
