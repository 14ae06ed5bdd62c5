/**
 * TLS decryption end to end: the real CLI on real captures with the key logs their
 * clients wrote (captures/README.md, captures/lab/README.md). The decrypted TLS 1.3
 * handshake yields the same certificate events as clear TLS 1.2, decrypted HTTP/2 yields
 * http-request/http-response (checked per stream against tshark with the same key log),
 * a DSB written into the capture decrypts its flow in one pass, and a wrong key log never
 * yields plaintext.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureOf, gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function replay(capture: string, keylog: string | undefined, golden?: string): Rec[] {
  const r = gotap(['replay', '--format', 'ndjson', ...(keylog ? ['--keylog-file', keylog] : []), capture]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // The golden holds the event stream and capture record; findings and the summary are the detectors' (their own goldens).
  if (golden) expectGolden(golden, r.stdout.split('\n').filter((l) => !/^\{"type":"(finding|summary)"/.test(l)).join('\n'));
  return ndjson(r.stdout);
}

const ofType = (recs: Rec[], type: string) => recs.filter((r) => r.type === type);
const decryption = (recs: Rec[]) => (captureOf(recs) as Rec).keyLog.decryption as Rec;

const tmp = mkdtempSync(join(tmpdir(), 'gotap-decrypt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TLS decryption with key logs', () => {
  it('TLS 1.3 at MTU 300: the encrypted server chain becomes a decrypted tls-certificates event', () => {
    const recs = replay('captures/tls13-mtu300.pcap', 'captures/tls13-mtu300.keylog', 'decrypt/tls13-mtu300.ndjson');
    const certs = ofType(recs, 'tls-certificates');
    expect(certs).toHaveLength(1);
    expect(certs[0]).toMatchObject({ dir: 1, decrypted: true });
    expect(certs[0]!.certs.length).toBeGreaterThan(0);
    // The certificate is visible: no "certificate not visible" event.
    expect(ofType(recs, 'tls-encrypted-handshake')).toHaveLength(0);
    expect(decryption(recs)).toMatchObject({ flowsDecrypted: 1, flowsNoKeys: 0, flowsFailed: 0, recordsDropped: 0 });
    // Without the key log: the clear-path output, no decryption section.
    const clear = replay('captures/tls13-mtu300.pcap', undefined);
    expect(clear.some((r) => r.decrypted)).toBe(false);
    expect((captureOf(clear) as Rec).keyLog).toBeUndefined();
  });

  it('the lab (go command, TLS 1.3 + HTTP/2): module requests are decrypted, and agree with tshark per stream', () => {
    const recs = replay('captures/lab/clean/capture.pcap', 'captures/lab/clean/keylog.txt', 'decrypt/lab-clean.ndjson');
    const reqs = ofType(recs, 'http-request');
    const resps = ofType(recs, 'http-response');
    expect(reqs.length).toBeGreaterThan(0);
    for (const r of [...reqs, ...resps]) expect(r).toMatchObject({ version: 'HTTP/2', decrypted: true });
    expect(ofType(recs, 'go-request').length).toBe(reqs.length);
    expect(ofType(recs, 'flow').filter((f) => f.app === 'tls>http2').length).toBeGreaterThan(0);
    const d = decryption(recs);
    expect(d.flowsFailed).toBe(0);
    expect(d.flowsDecrypted).toBe(ofType(recs, 'flow').filter((f) => String(f.app).startsWith('tls')).length);

    // tshark's fields per packet, in frame order; a packet may carry several HTTP/2 frames (comma-joined).
    const tshark = spawnSync(
      'tshark',
      ['-r', 'captures/lab/clean/capture.pcap', '-o', 'tls.keylog_file:captures/lab/clean/keylog.txt', '-Y', 'http2', '-T', 'fields', '-e', 'http2.headers.method', '-e', 'http2.headers.path', '-e', 'http2.headers.status'],
      { encoding: 'utf8' },
    );
    if (tshark.error) return; // tshark absent
    const theirs: string[] = [];
    const split = (f: string | undefined) => (f ?? '').split(',').filter(Boolean);
    for (const line of tshark.stdout.split('\n')) {
      const [method, path, status] = line.split('\t');
      const paths = split(path);
      split(method).forEach((m, i) => theirs.push(`${m} ${paths[i]}`));
      for (const st of split(status)) theirs.push(`status ${st}`);
    }
    const ours = [...reqs.map((r) => `${r.method} ${r.target}`), ...resps.map((r) => `status ${r.status}`)];
    expect(ours.sort()).toEqual(theirs.sort());
    // Every response is paired with its request on the same client-initiated stream.
    for (const r of resps) expect(reqs.some((q) => q.flowId === r.flowId && q.streamId === r.streamId && q.target === r.target && q.streamId % 2 === 1)).toBe(true);
  });

  it('a pcapng DSB decrypts its own flow in one pass', () => {
    const recs = replay('captures/pcapng-dsb.pcapng', undefined);
    expect(ofType(recs, 'tls-certificates')[0]).toMatchObject({ dir: 1, decrypted: true });
    expect(ofType(recs, 'http-request').length).toBeGreaterThan(0);
    expect(decryption(recs)).toMatchObject({ flowsDecrypted: 1, flowsFailed: 0 });
  });

  it('a wrong key log (right client randoms, altered secrets) never yields plaintext: the flow is counted as failed', () => {
    const wrong = join(tmp, 'wrong.keylog');
    const flip = (hex: string) => hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const text = readFileSync('captures/tls13-mtu300.keylog', 'utf8')
      .split('\n')
      .map((l) => l.replace(/^(\S+ \S+ )(\S+)$/, (_, head: string, secret: string) => head + flip(secret)))
      .join('\n');
    writeFileSync(wrong, text);
    const recs = replay('captures/tls13-mtu300.pcap', wrong);
    expect(recs.some((r) => r.decrypted)).toBe(false);
    const d = decryption(recs);
    expect(d).toMatchObject({ flowsDecrypted: 0, flowsFailed: 1 });
    expect(d.recordFailures['auth-failed']).toBeGreaterThan(0);
  });
});
