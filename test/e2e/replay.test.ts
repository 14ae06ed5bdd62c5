/**
 * `gotap replay` end to end on real captures taken on this machine with tcpdump
 * (captures/make-captures.sh): the same traffic as classic µs pcap, nanosecond pcap,
 * pcapng, gzip, and from standard input must give the same events and flows; each
 * format's own facts appear in the capture record; errors have their documented exit codes.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureOf, gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

const tmp = mkdtempSync(join(tmpdir(), 'gotap-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function replayNdjson(file: string) {
  const r = gotap(['replay', '--format', 'ndjson', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** All lines but the capture record (events and flows before it; findings and the summary after it). */
const body = (out: string) =>
  out
    .split('\n')
    .filter((l) => !l.startsWith('{"type":"capture",'))
    .join('\n');
const captureRecord = (out: string) => captureOf(ndjson(out));

describe('the same capture in every container format', () => {
  const pcap = replayNdjson('captures/basic.pcap');

  it('classic µs pcap matches its reviewed golden', () => {
    expectGolden('basic.ndjson', pcap);
    expect(captureRecord(pcap)).toMatchObject({ format: 'pcap', gzip: false, byteOrder: 'little', version: '2.4', linkTypes: [{ linkType: 1, name: 'EN10MB' }] });
  });

  it('nanosecond pcap gives the same events and flows', () => {
    const ns = replayNdjson('captures/basic.ns.pcap');
    expect(body(ns)).toBe(body(pcap));
    expect(captureRecord(ns)).toMatchObject({ format: 'pcap-ns', packets: captureRecord(pcap).packets });
  });

  it('pcapng gives the same events and flows', () => {
    const ng = replayNdjson('captures/basic.pcapng');
    expect(body(ng)).toBe(body(pcap));
    expect(captureRecord(ng)).toMatchObject({ format: 'pcapng', sections: 1, interfaces: [{ linkType: 1, linkTypeName: 'EN10MB' }] });
  });

  it('gzip is detected by content and gives the same events and flows', () => {
    const renamed = join(tmp, 'no-extension');
    copyFileSync('captures/basic.pcap.gz', renamed);
    const gz = replayNdjson(renamed);
    expect(body(gz)).toBe(body(pcap));
    expect(captureRecord(gz)).toMatchObject({ format: 'pcap', gzip: true });
  });

  it('standard input gives the same output', () => {
    const r = gotap(['replay', '--format', 'ndjson', '-'], { input: readFileSync('captures/basic.pcap') });
    expect(r.code).toBe(0);
    expect(body(r.stdout)).toBe(body(pcap));
    expect(captureRecord(r.stdout)).toMatchObject({ source: '-', packets: captureRecord(pcap).packets });
  });

  it('the text view matches its reviewed golden', () => {
    const r = gotap(['replay', 'captures/basic.pcap']);
    expect(r.code).toBe(0);
    expectGolden('basic.txt', r.stdout);
  });
});

describe('Linux cooked captures (tcpdump -i any)', () => {
  for (const [file, linkType, name] of [
    ['basic-sll2.pcap', 276, 'LINUX_SLL2'],
    ['basic-sll.pcap', 113, 'LINUX_SLL'],
  ] as const) {
    it(`${file} matches its reviewed golden`, () => {
      const out = replayNdjson(`captures/${file}`);
      expectGolden(file.replace(/\.pcap$/, '.ndjson'), out);
      expect(captureRecord(out)).toMatchObject({ linkTypes: [{ linkType, name }] });
      const types = ndjson(out).map((r) => r.type);
      for (const t of ['dns-query', 'dns-response', 'http-request', 'http-response', 'tls-client-hello', 'tls-server-hello']) expect(types).toContain(t);
    });
  }
});

describe('errors and truncation', () => {
  it('a missing file is exit 2 with one line', () => {
    const r = gotap(['replay', 'captures/does-not-exist.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gotap: captures/does-not-exist.pcap: no such file — check the path\n');
    expect(r.stdout).toBe('');
  });

  it('a file that is not a capture is exit 2 with one line', () => {
    const r = gotap(['replay', 'README.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'gotap: README.md: not a pcap or pcapng file (starts with 23 20 67 6f) — give a pcap or pcapng file (tcpdump -w, Wireshark); convert other formats with `editcap -F pcapng IN OUT`\n',
    );
  });

  it('a directory is exit 2 with one line', () => {
    const r = gotap(['replay', 'captures']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gotap: captures: is a directory, not a capture file — name a capture file inside it\n');
  });

  it('a truncated file gives the readable part and a warning; --strict makes it exit 3', () => {
    const whole = readFileSync('captures/basic.pcap');
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const r = gotap(['replay', '--format', 'ndjson', cut]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^gotap: warning: .*cut\.pcap: .*; results cover the readable part \(--strict makes this an error\)\n$/);
    const full = captureRecord(replayNdjson('captures/basic.pcap'));
    const partial = captureRecord(r.stdout);
    expect(partial.packets).toBe((full.packets as number) - 1);
    expect(partial.truncated).toMatch(/ends inside/);
    const strict = gotap(['replay', '--strict', cut]);
    expect(strict.code).toBe(3);
  });

  it('an unknown option is a usage error (64): one line, with the suggestion when there is one', () => {
    expect(gotap(['replay', '--bogus', 'captures/basic.pcap'])).toMatchObject({ code: 64, stdout: '', stderr: "gotap: unknown option '--bogus' — see gotap replay --help\n" });
    expect(gotap(['replay', '--formt', 'text', 'captures/basic.pcap'])).toMatchObject({
      code: 64,
      stdout: '',
      stderr: "gotap: unknown option '--formt' — did you mean --format? (gotap replay --help)\n",
    });
    expect(gotap(['raplay', 'captures/basic.pcap'])).toMatchObject({ code: 64, stderr: "gotap: unknown command 'raplay' — did you mean replay? (gotap --help)\n" });
    expect(gotap(['replay'])).toMatchObject({ code: 64, stderr: "gotap: missing required argument 'capture' — see gotap replay --help\n" });
  });

  it('an invalid format value is a usage error (64) listing the formats', () => {
    expect(gotap(['replay', '--format', 'xml', 'captures/basic.pcap'])).toMatchObject({
      code: 64,
      stdout: '',
      stderr: "gotap: option '--format <format>' argument 'xml' is invalid — expected text, ndjson (gotap replay --help)\n",
    });
  });
});
