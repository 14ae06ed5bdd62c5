/**
 * A process-aware capture in ptcpdump's format (captures/goproxy-ignored-ptcpdump.pcapng,
 * made by captures/scripts/ptcpdump-format.mjs from the goproxy-ignored lab capture):
 * `report` and `replay` name each host's processes from the per-packet comments, as live mode does.
 * Also `--go-env` given a GOENV file (`go env -w`'s KEY=value lines) instead of `go env -json`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gotap, ndjson } from './cli.js';

const CAPTURE = 'captures/goproxy-ignored-ptcpdump.pcapng';
const EXPECTED = {
  'example.test': ['go mod download (pid 4711)'],
  'proxy.golang.org': ['gopls (pid 4712)'],
  'sum.golang.org': ['gopls (pid 4712)'],
};

describe('ptcpdump process comments', () => {
  it('report --format json names the process of every host', () => {
    const r = gotap(['report', '--format', 'json', CAPTURE]);
    expect(r.code).toBe(0);
    const hosts = (JSON.parse(r.stdout) as { hosts: { key: string; processes: string[] }[] }).hosts;
    const byName = Object.fromEntries(hosts.filter((h) => h.key in EXPECTED).map((h) => [h.key, h.processes]));
    expect(byName).toEqual(EXPECTED);
  });

  it('the same capture without its comments names no process', () => {
    const r = gotap(['report', '--format', 'json', 'captures/lab/goproxy-ignored/capture.pcap']);
    const hosts = (JSON.parse(r.stdout) as { hosts: { processes: string[] }[] }).hosts;
    expect(hosts.every((h) => h.processes.length === 0)).toBe(true);
  });

  it('replay carries the processes into its host records', () => {
    const r = gotap(['replay', '--format', 'ndjson', CAPTURE]);
    expect(r.code).toBe(0);
    const text = JSON.stringify(ndjson(r.stdout));
    expect(text).toContain('gopls (pid 4712)');
    expect(text).toContain('go mod download (pid 4711)');
  });
});

describe('--go-env with a GOENV file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-goenv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const kinds = (goenv: string) => {
    const file = join(dir, 'env');
    writeFileSync(file, goenv);
    const r = gotap(['report', '--format', 'json', '--no-env-policy', '--go-env', file, 'captures/lab/goproxy-ignored/capture.pcap']);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id);
  };

  it('judges the capture by the settings `go env -w` wrote', () => {
    expect(kinds('GOPROXY=direct\nGOPRIVATE=example.test\n')).toContain('policy-proxy-not-in-goproxy');
    expect(kinds('# nothing set with go env -w\n')).not.toContain('policy-proxy-not-in-goproxy');
  });
});
