/**
 * `gotap report` end to end on the Go lab captures (captures/lab/<scenario>): each run
 * with the CA the go command trusted (--ca-file trusted-ca.pem), a config declaring the
 * lab's address plan (every name's /32 from the scenario's DNS zone, the CONNECT proxy),
 * and the Go settings of the scenario's first run (the user's shell) as the policy.
 *
 * Checked: the flagged hosts and their worst severity against scenario.json `expected`
 * (with the deviations listed below, each explained), that notFlagged hosts carry no
 * warning, and reviewed golden reports (Markdown and JSON) in test/e2e/golden/report/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gotap } from './cli.js';
import { expectGolden } from './golden.js';

interface Scenario {
  network: { zone: Record<string, string>; connectProxy: string | null };
  runs: { env: Record<string, string> }[];
  expected: { flagged: { host: string; why: string }[]; notFlagged: string[] };
}

interface Report {
  verdict: { status: string };
  hosts: { key: string; worst?: string }[];
  findings: { id: string; severity: string; host?: string }[];
}

const SCENARIOS = [
  'clean',
  'mirror-fallback',
  'sumdb-via-mirror',
  'sumdb-direct',
  'intercept',
  'intercept-rejected',
  'dns-hijack',
  'plaintext',
  'corp-proxy',
  'goproxy-ignored',
];

/** The lab's hosts and their roles (proxy.golang.org, sum.golang.org and goproxy.cn are built in; example.test is the company's VCS host). */
const ROLES: Record<string, string> = { 'proxy.golang.org': 'module-proxy', 'sum.golang.org': 'checksum-db', 'goproxy.cn': 'mirror', 'example.test': 'vcs' };

/**
 * Where gotap's verdict differs from scenario.json on purpose, host → worst severity:
 * - dns-hijack: the severity model makes DNS anomalies *warn* (scenario.json says critical).
 * - intercept: run with its trusted-ca.pem (the Zscaler CA the go command trusted), this is
 *   "interception by a CA the user trusts": *warn* by the severity model. Without that CA it is
 *   critical, as scenario.json says (tested separately below).
 * - corp-proxy: sum.golang.org was reached through the CONNECT proxy too (scenario.json's own
 *   endpoints say so), so it gets the same *info* as proxy.golang.org.
 * - goproxy-ignored: the sum.golang.org lookup of the private module is inside TLS 1.3; the
 *   contact alone is explained by the shell's GOSUMDB, so it is not flagged (scenario.json: warn;
 *   it only appears in the info summary of explained contacts). null: not flagged.
 */
const DEVIATIONS: Record<string, Record<string, string | null>> = {
  'dns-hijack': { 'proxy.golang.org': 'warn' },
  intercept: { 'proxy.golang.org': 'warn', 'sum.golang.org': 'warn' },
  'corp-proxy': { 'sum.golang.org': 'info' },
  'goproxy-ignored': { 'sum.golang.org': null },
};

const POLICY_FLAGS: [string, string][] = [
  ['GOPROXY', '--goproxy'],
  ['GOSUMDB', '--gosumdb'],
  ['GOPRIVATE', '--goprivate'],
  ['GONOSUMDB', '--gonosumdb'],
  ['GONOPROXY', '--gonoproxy'],
  ['GOINSECURE', '--goinsecure'],
];

const tmp = mkdtempSync(join(tmpdir(), 'gotap-report-lab-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function labConfig(s: Scenario): string {
  const hosts = Object.entries(s.network.zone).map(([pattern, address]) => ({ pattern, role: ROLES[pattern] ?? 'other', addressRanges: [`${address}/32`] }));
  return JSON.stringify({ hosts, ...(s.network.connectProxy ? { httpProxies: [s.network.connectProxy] } : {}) });
}

/** The report command line for a scenario (its config is written to the temporary directory). */
function reportArgs(name: string, format: 'json' | 'md', caFile = `captures/lab/${name}/trusted-ca.pem`): string[] {
  const dir = `captures/lab/${name}`;
  const s = JSON.parse(readFileSync(`${dir}/scenario.json`, 'utf8')) as Scenario;
  const config = join(tmp, `${name}.json`);
  writeFileSync(config, labConfig(s));
  const env = s.runs[0]!.env;
  const policy = POLICY_FLAGS.filter(([v]) => env[v] !== undefined).map(([v, flag]) => `${flag}=${env[v]}`);
  return ['report', `${dir}/capture.pcap`, '--format', format, '--config', config, '--ca-file', caFile, '--no-env-policy', ...policy];
}

function report(name: string, format: 'json' | 'md', caFile?: string): string {
  const r = gotap(reportArgs(name, format, caFile));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Host → worst severity over the findings about it. */
function flagged(r: Report): Record<string, string> {
  const rank = ['info', 'warn', 'critical'];
  const out: Record<string, string> = {};
  for (const f of r.findings) {
    // "certificate not visible" says what was not checked, not that the host misbehaved.
    if (f.host === undefined || f.id === 'tls-certificate-not-visible') continue;
    const prev = out[f.host];
    if (prev === undefined || rank.indexOf(f.severity) > rank.indexOf(prev)) out[f.host] = f.severity;
  }
  return out;
}

describe.each(SCENARIOS)('lab scenario %s', (name) => {
  const s = JSON.parse(readFileSync(`captures/lab/${name}/scenario.json`, 'utf8')) as Scenario;
  const json = report(name, 'json');
  const doc = JSON.parse(json) as Report;

  it('flags exactly the expected hosts, at the expected severity', () => {
    const expected: Record<string, string> = {};
    for (const f of s.expected.flagged) expected[f.host] = f.why.split(':')[0]!;
    for (const [host, severity] of Object.entries(DEVIATIONS[name] ?? {})) {
      if (severity === null) delete expected[host];
      else expected[host] = severity;
    }
    expect(flagged(doc)).toEqual(expected);
  });

  it('leaves the expected hosts without a warning', () => {
    const flags = flagged(doc);
    for (const host of s.expected.notFlagged) expect([undefined, 'info']).toContain(flags[host]);
  });

  it('matches its reviewed golden reports', () => {
    expectGolden(`report/${name}.json`, json);
    expectGolden(`report/${name}.md`, report(name, 'md'));
  });
});

describe('verdicts that need their own run', () => {
  it('the clean scenario with the lab CA trusted via --ca-file has no warning', () => {
    const doc = JSON.parse(report('clean', 'json')) as Report;
    expect(doc.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(doc.verdict.status).not.toMatch(/warn|critical/);
  });

  it('intercept without the Zscaler CA trusted is critical for both hosts, as scenario.json says', () => {
    const doc = JSON.parse(report('intercept', 'json', 'captures/lab/clean/trusted-ca.pem')) as Report;
    expect(flagged(doc)).toEqual({ 'proxy.golang.org': 'critical', 'sum.golang.org': 'critical' });
  });

  it('--fail-on sets exit status 1 when a finding at or above the level exists', () => {
    const out = ['-o', join(tmp, 'out.json')];
    expect(gotap([...reportArgs('plaintext', 'json'), ...out, '--fail-on', 'critical']).code).toBe(1);
    expect(gotap([...reportArgs('dns-hijack', 'json'), ...out, '--fail-on', 'critical']).code).toBe(0);
    expect(gotap([...reportArgs('dns-hijack', 'json'), ...out, '--fail-on', 'warn']).code).toBe(1);
    expect(gotap([...reportArgs('clean', 'json'), ...out, '--fail-on', 'warn']).code).toBe(0);
    expect(gotap([...reportArgs('clean', 'json'), ...out, '--fail-on', 'info']).code).toBe(1);
  });

  it('reads the capture from standard input', () => {
    const args = reportArgs('dns-hijack', 'json');
    const r = gotap(args.map((a) => (a === 'captures/lab/dns-hijack/capture.pcap' ? '-' : a)), { input: readFileSync('captures/lab/dns-hijack/capture.pcap') });
    expect(r.code).toBe(0);
    const fromFile = JSON.parse(report('dns-hijack', 'json')) as Report & { capture: { source: string } };
    const fromStdin = JSON.parse(r.stdout) as Report & { capture: { source: string } };
    expect(fromStdin.capture.source).toBe('-');
    expect({ ...fromStdin, capture: null }).toEqual({ ...fromFile, capture: null });
  });

  it('a bad --config, --ca-file or --go-env is one line on stderr and exit status 2', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"hosts": [{"pattern": "x", "role": "mirorr"}]}');
    for (const args of [['--config', bad], ['--ca-file', join(tmp, 'missing.pem')], ['--go-env', join(tmp, 'missing.json')], ['--goproxy', 'ftp://x']]) {
      const r = gotap(['report', 'captures/lab/clean/capture.pcap', '--no-env-policy', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^gotap: [^\n]+\n$/);
    }
  });
});
