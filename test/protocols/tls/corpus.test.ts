/**
 * The analyzer on the real (partly malformed) TLS captures of the shared robustness
 * corpus (nDPI, Suricata, Zeek test suites). tshark reassembles each TCP stream
 * (`-z follow,tcp,raw`, its gap markers turned into gap() calls) and, as a second
 * independent JA3 implementation, computes tls.handshake.ja3_full. Skipped when the
 * corpus (../shared/corpus, absent from a fresh clone) or tshark is missing.
 */
import { testContext } from '../context.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { createTlsAnalyzer } from '../../../src/protocols/tls/index.js';
import { makeFlow } from './helpers.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/robustness');
/** File → number of hellos both tshark and we fingerprint (tls_invalid_reads' hellos have truncated extension blocks: tshark still prints a partial JA3, we report tls-error). */
const FILES: Record<string, number> = {
  'ndpi/tls-esni-fuzzed.pcap': 3,
  'ndpi/tls_invalid_reads.pcap': 0,
  'suricata-verify/bug-1450-04/tls_DER-incomplete-header.pcap': 1,
  'zeek/tls/CVE-2015-3194.pcap': 1,
};
const haveTshark = spawnSync('tshark', ['-v']).status === 0;
const available = haveTshark && Object.keys(FILES).every((f) => existsSync(path.join(corpus, f)));

function tshark(args: string[]): string {
  // Damaged files make tshark exit non-zero after printing what it could read.
  return spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
}

/** Feeds one tshark-reassembled TCP stream to a fresh analyzer. */
function analyzeStream(file: string, stream: number): GotapEvent[] {
  const events: GotapEvent[] = [];
  const a = createTlsAnalyzer(testContext(makeFlow(stream + 1), (e) => events.push(e)));
  const lines = tshark(['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`]).split('\n');
  const offsets = [0, 0];
  let frame = 0;
  for (const line of lines) {
    const m = /^(\t?)([0-9a-f]+)$/.exec(line);
    if (!m) continue;
    const dir = m[1] === '\t' ? 1 : 0;
    const bytes = new Uint8Array(Buffer.from(m[2]!, 'hex'));
    frame += 1;
    const missing = /^\[(\d+) bytes missing in capture file\]\0?$/.exec(Buffer.from(bytes).toString('latin1'));
    if (missing) {
      a.gap(dir, Number(missing[1]), frame, frame);
      offsets[dir]! += Number(missing[1]);
      continue;
    }
    a.data(dir, { data: bytes, offset: offsets[dir]!, frame, ts: frame });
    offsets[dir]! += bytes.length;
  }
  a.end(frame, frame);
  return events;
}

describe.skipIf(!available)('robustness corpus TLS captures', () => {
  it.each(Object.keys(FILES))('%s: no throw, and JA3 equal to tshark\'s wherever both parse the hello', (name) => {
    const file = path.join(corpus, name);
    const streams = [...new Set(tshark(['-r', file, '-Y', 'tls', '-T', 'fields', '-e', 'tcp.stream']).split('\n').filter((s) => s !== ''))].map(Number);
    const tsharkJa3 = new Map<number, string>();
    for (const line of tshark(['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tls.handshake.ja3_full']).split('\n')) {
      const [stream, ja3] = line.split('\t');
      if (stream && ja3) tsharkJa3.set(Number(stream), ja3);
    }
    let compared = 0;
    for (const stream of streams) {
      const events = analyzeStream(file, stream);
      const errors = events.filter((e) => e.type === 'tls-error');
      expect(new Set(errors.map((e) => e.dir)).size).toBe(errors.length);
      const hello = events.find((e) => e.type === 'tls-client-hello');
      const theirs = tsharkJa3.get(stream);
      if (hello && theirs) {
        expect(hello.ja3).toBe(theirs);
        compared += 1;
      }
    }
    expect(compared).toBe(FILES[name]);
  });

  it('agrees with tshark on the well-formed hellos and certificate chains', () => {
    const esni = path.join(corpus, 'ndpi/tls-esni-fuzzed.pcap');
    const hellos = [0, 1, 2].map((s) => analyzeStream(esni, s).find((e) => e.type === 'tls-client-hello'));
    expect(hellos.map((h) => h?.esni)).toEqual([true, true, true]);
    const cve = analyzeStream(path.join(corpus, 'zeek/tls/CVE-2015-3194.pcap'), 0);
    const tsharkCerts = tshark(['-r', path.join(corpus, 'zeek/tls/CVE-2015-3194.pcap'), '-Y', 'tls.handshake.type == 11', '-T', 'fields', '-e', 'tls.handshake.certificate_length'])
      .trim()
      .split(',')
      .map(Number);
    const chain = cve.find((e) => e.type === 'tls-certificates');
    expect(chain?.certs.map((c) => c.length)).toEqual(tsharkCerts);
  });
});
