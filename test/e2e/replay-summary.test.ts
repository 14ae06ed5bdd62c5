/**
 * `gotap replay` answers "who did Go talk to, and is anything wrong?": the text view ends
 * with the verdict, hosts and findings (the summary `watch` prints), `--quiet` prints only
 * that, ndjson ends with `finding` records and a `summary` record, and the detector options
 * work without --ui, with the same results as `gotap report`. Also the first-run error
 * lines and --format spellings, through the built CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { captureOf, gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

const tmp = mkdtempSync(join(tmpdir(), 'gotap-replay-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const intercept = 'captures/lab/intercept/capture.pcap';
const clean = 'captures/lab/clean/capture.pcap';

function ok(args: string[]): string {
  const r = gotap(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The records after the capture record. */
function afterCapture(records: Record<string, unknown>[]): Record<string, unknown>[] {
  return records.slice(records.indexOf(captureOf(records)) + 1);
}

describe('replay ends with the verdict, the hosts and the findings', () => {
  const quiet = ok(['replay', '--quiet', intercept]);

  it('--quiet prints only the summary: verdict, capture line, hosts table, findings with evidence and fix', () => {
    expectGolden('replay/intercept-quiet.txt', quiet);
    expect(quiet.split('\n')[0]).toBe('gotap: TLS to proxy.golang.org is intercepted by Zscaler; 4 critical, 4 warnings, 1 note');
  });

  it('the text view is the per-flow view, the capture summary, then exactly that summary', () => {
    const full = ok(['replay', intercept]);
    expect(full.endsWith(`\n\n${quiet}`)).toBe(true);
    expect(full.slice(0, -quiet.length)).toMatch(/^#1 UDP [^\n]+ dns {2}frames /);
    expect(full.slice(0, -quiet.length)).toMatch(/\n {2}decode problems: none\n\n$/);
    expect(ok(['replay', '-q', intercept])).toBe(quiet);
  });

  it('ndjson: the stream up to the capture record, then one finding record per finding and the summary record, as report --format json has them', () => {
    const records = ndjson(ok(['replay', '--format', 'ndjson', intercept]));
    const report = JSON.parse(ok(['report', '--format', 'json', intercept])) as { verdict: unknown; hosts: unknown[]; findings: Record<string, unknown>[] };
    const tail = afterCapture(records);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(tail.map(({ values: _values, ...rest }) => rest)).toEqual([...report.findings.map((f) => ({ type: 'finding', ...f })), expect.objectContaining({ type: 'summary' })]);
    expect(tail[0]!.values).toMatchObject({ host: report.findings[0]!.host });
    const summary = tail.at(-1)!;
    expect(summary.verdict).toEqual(report.verdict);
    expect(summary.hosts).toEqual(report.hosts);
    expect(summary.counts).toMatchObject({ flows: 8, findingsBySeverity: { critical: 4, warn: 4, info: 1 } });
    // Before the capture record: events and flows only, as before.
    expect(new Set(records.slice(0, records.indexOf(captureOf(records))).map((r) => r.type))).not.toContain('finding');
  });

  it('ndjson --quiet: the capture record, the findings and the summary, nothing else', () => {
    const full = ndjson(ok(['replay', '--format', 'ndjson', intercept]));
    const quietRecords = ndjson(ok(['replay', '--format', 'ndjson', '--quiet', intercept]));
    expect(quietRecords).toEqual([captureOf(full), ...afterCapture(full)]);
  });
});

describe('options replay --help lists work without --ui', () => {
  it('--ca-file, --config and the policy flags change the findings exactly as they do for report', () => {
    const config = join(tmp, 'gotap.json');
    writeFileSync(config, JSON.stringify({ hosts: [{ pattern: 'proxy.golang.org', role: 'module-proxy', addressRanges: ['127.0.0.0/8'] }] }));
    const plain = ['--no-env-policy'];
    const given = ['--ca-file', 'captures/lab/clean/trusted-ca.pem', '--config', config, '--goproxy', 'https://proxy.golang.org', '--no-env-policy'];
    const findings = (args: string[]) =>
      afterCapture(ndjson(ok(['replay', '--format', 'ndjson', '-q', clean, ...args])))
        .filter((r) => r.type === 'finding')
        .map(({ values: _values, ...rest }) => rest);
    const reported = (args: string[]) => (JSON.parse(ok(['report', '--format', 'json', clean, ...args])) as { findings: object[] }).findings.map((f) => ({ type: 'finding', ...f }));
    expect(findings(given)).toEqual(reported(given));
    expect(findings(given)).not.toEqual(findings(plain));
    const hosts = (args: string[]) => findings(args).map((f) => `${String(f.id)} ${String(f.host)}`);
    expect(hosts(plain)).toContain('dns-bogon-answer proxy.golang.org');
    expect(hosts(given)).not.toContain('dns-bogon-answer proxy.golang.org');
  });

  it('--fail-on sets the exit status after printing the summary', () => {
    const warn = gotap(['replay', '-q', clean, '--no-env-policy', '--fail-on', 'warn']);
    expect(warn.code).toBe(EXIT.findings);
    expect(warn.stdout).toBe(ok(['replay', '-q', clean, '--no-env-policy']));
    expect(gotap(['replay', '-q', clean, '--no-env-policy', '--fail-on', 'critical']).code).toBe(EXIT.ok);
  });

  it('a bad --config is the same one line as for report', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"hosts": [{"pattern": "x", "role": "mirorr"}]}');
    const r = gotap(['replay', clean, '--config', bad]);
    expect(r).toMatchObject({ code: EXIT.input, stdout: '' });
    expect(r.stderr).toBe(gotap(['report', clean, '--config', bad]).stderr);
    expect(r.stderr).toMatch(/^gotap: [^\n]*bad\.json: hosts\[0\]\.role: unknown role 'mirorr' [^\n]* — fix the file \(docs\/config\.md describes it\)\n$/);
  });
});

describe('errors name the file and say what to do', () => {
  const file = (name: string, bytes: number[]): string => {
    const path = join(tmp, name);
    writeFileSync(path, Buffer.from(bytes));
    return path;
  };

  it('an empty file', () => {
    const empty = file('empty.pcap', []);
    for (const cmd of ['replay', 'report']) {
      expect(gotap([cmd, empty])).toMatchObject({
        code: EXIT.input,
        stdout: '',
        stderr: `gotap: ${empty}: empty file — the capture holds nothing: check that tcpdump -w ran and was stopped with Ctrl-C\n`,
      });
    }
  });

  it('a file too short for its capture header is an error, not "0 packets"', () => {
    const pcap = file('short.pcap', [0xd4, 0xc3, 0xb2, 0xa1, 2, 0]);
    const pcapng = file('short.pcapng', [0x0a, 0x0d, 0x0d, 0x0a]);
    const todo = 'the file was cut off: copy it again, or capture again with tcpdump -w';
    for (const cmd of ['replay', 'report']) {
      expect(gotap([cmd, pcap])).toMatchObject({
        code: EXIT.input,
        stdout: '',
        stderr: `gotap: ${pcap}: too short for a capture header: it ends inside the pcap file header (6 of 24 bytes) — ${todo}\n`,
      });
      expect(gotap([cmd, pcapng])).toMatchObject({
        code: EXIT.input,
        stdout: '',
        stderr: `gotap: ${pcapng}: too short for a capture header: it ends inside a pcapng block header (4 of at least 8 bytes) — ${todo}\n`,
      });
    }
  });

  it('standard input is named as such', () => {
    expect(gotap(['replay', '-'], { input: Buffer.alloc(0) }).stderr).toBe(
      'gotap: standard input: empty file — the capture holds nothing: check that tcpdump -w ran and was stopped with Ctrl-C\n',
    );
  });

  it('an unwritable -o is refused before the capture is read', () => {
    const out = join(tmp, 'no-such-dir', 'r.md');
    expect(gotap(['report', 'captures/no-such.pcap', '-o', out])).toMatchObject({
      code: EXIT.input,
      stderr: `gotap: ${out}: no such directory: ${join(tmp, 'no-such-dir')} — give a path in a directory you can write to\n`,
    });
  });
});

describe('--format spellings', () => {
  it('md, markdown, MD and Markdown are the same report', () => {
    const md = ok(['report', clean, '--no-env-policy', '--format', 'md']);
    expect(md).toMatch(/^# gotap incident report\n/);
    for (const spelling of ['markdown', 'MD', 'Markdown']) expect(ok(['report', clean, '--no-env-policy', '--format', spelling])).toBe(md);
  });

  it('replay --format is case-insensitive too', () => {
    expect(ok(['replay', 'captures/basic.pcap', '--format', 'NDJSON', '-q'])).toBe(ok(['replay', 'captures/basic.pcap', '--format', 'ndjson', '-q']));
  });

  it('a format another command takes is refused with the list this one takes', () => {
    expect(gotap(['report', clean, '--format', 'ndjson'])).toMatchObject({
      code: EXIT.usage,
      stderr: "gotap: option '--format <format>' argument 'ndjson' is invalid — expected md (or markdown), json, csv (gotap report --help)\n",
    });
  });
});
