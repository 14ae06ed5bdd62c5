/**
 * End to end through the pipeline: a capture whose server bytes come first as a decoy with
 * a wrong TCP checksum, then for real. The analyzers see the real bytes, the event stream
 * carries one stream-ambiguity naming both frames, and the capture's problems count the drop.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/pipeline/analyze.js';
import { inspectCapture } from '../../src/pipeline/inspect.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import type { GotapEvent } from '../../src/protocols/events.js';
import { pcapFile } from '../capture/build.js';
import { ethernet, ipv4, tcp } from '../decode/frames.js';

const dir = mkdtempSync(join(tmpdir(), 'gotap-ambiguity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (s: string): number[] => [...new TextEncoder().encode(s)];
const C = { src: '10.0.0.2', dst: '10.0.0.1' };
const S = { src: '10.0.0.1', dst: '10.0.0.2' };

function frame(from: typeof C, seq: number, ack: number, flags: number, payload: number[], badChecksum = false): Uint8Array {
  const seg = tcp(payload, { srcPort: from === C ? 40000 : 8080, dstPort: from === C ? 8080 : 40000, seq, ack, flags });
  if (badChecksum) seg[16] = 0x12;
  return ethernet(0x0800, ipv4(seg, { ...from, protocol: 6 }));
}

describe('stream-ambiguity through the pipeline', () => {
  it('a decoy HTTP response with a wrong TCP checksum: the real one is analysed, the decoy reported', async () => {
    const real = text('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const decoy = text('HTTP/1.1 302 OK\r\nContent-Length: 0\r\n\r\n');
    const frames = [
      frame(C, 100, 0, 0x02, []),
      frame(S, 500, 101, 0x12, []),
      frame(C, 101, 501, 0x10, []),
      frame(C, 101, 501, 0x18, text('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      frame(S, 501, 127, 0x18, decoy, true),
      frame(S, 501, 127, 0x18, real),
    ];
    const file = join(dir, 'decoy.pcap');
    writeFileSync(file, pcapFile({}, frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: 0, data }))));
    const events: GotapEvent[] = [];
    const summary = await analyzeCapture(file, { event: (e) => events.push(e), flowEnded: () => undefined });
    const statuses = events.flatMap((e) => (e.type === 'http-response' ? [e.status] : []));
    expect(statuses).toEqual([200]);
    const amb = events.filter((e) => e.type === 'stream-ambiguity');
    expect(amb).toMatchObject([
      { type: 'stream-ambiguity', packet: 6, dir: 1, kind: 'checksum', offset: 9, length: 3, receiverChoice: 1, versions: [{ frames: [5], ascii: '302', drop: 'checksum', checksum: 'bad' }, { frames: [6], ascii: '200' }] },
    ]);
    expect(summary.problems.toJSON()).toMatchObject({ 'TCP: dropped as a Linux receiver would (checksum)': 1 });

    // The full pipeline turns it into one stream-ambiguity finding naming both versions.
    const { model } = await inspectCapture(file, { trust: await TrustStore.create() });
    const [finding] = model.findings.filter((f) => f.id === 'stream-ambiguity');
    expect(finding).toMatchObject({ severity: 'warn', host: 'x', title: 'Bytes of the connection to x had two versions on the wire (checksum)' });
    expect(finding!.detail).toContain('frame 5 "302" (checksum bad, dropped by the receiver: checksum) vs frame 6 "200" (checksum unverified)');
    expect(finding!.detail).toContain('A Linux client keeps frame 6; gotap analysed that version.');
  });
});
