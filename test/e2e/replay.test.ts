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
import { gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

const tmp = mkdtempSync(join(tmpdir(), 'gotap-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function replayNdjson(file: string) {
  const r = gotap(['replay', '--format', 'ndjson', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** All lines but the final capture record. */
const body = (out: string) => out.split('\n').slice(0, -2).join('\n');
const captureRecord = (out: string) => ndjson(out).at(-1)!;

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
    expect(r.stderr).toBe('gotap: no such file: captures/does-not-exist.pcap\n');
    expect(r.stdout).toBe('');
  });

  it('a file that is not a capture is exit 2 with one line', () => {
    const r = gotap(['replay', 'README.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gotap: not a pcap or pcapng file \(starts with [0-9a-f ]+\)\n$/);
  });

  it('a directory is exit 2 with one line', () => {
    const r = gotap(['replay', 'captures']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gotap: captures is a directory, not a capture file\n');
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

  it('an unknown option is a usage error (64)', () => {
    const r = gotap(['replay', '--bogus', 'captures/basic.pcap']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('an invalid format value is a usage error (64)', () => {
    expect(gotap(['replay', '--format', 'xml', 'captures/basic.pcap']).code).toBe(64);
  });
});
