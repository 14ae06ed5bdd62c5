import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { CaptureError, type PacketRecord } from '../../src/capture/types.js';
import { Pcapng, bytes, pcapFile, pcapRecord } from './build.js';
import { concat } from '../bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'gotap-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function collect(): { frames: number[]; sink: { packet(r: PacketRecord): void } } {
  const frames: number[] = [];
  return { frames, sink: { packet: (r) => frames.push(r.frame) } };
}

const sample = pcapFile(
  {},
  Array.from({ length: 300 }, (_, i) => ({ sec: i, frac: 0, data: bytes(100 + i, i) })),
);

async function rejection(p: Promise<unknown>): Promise<CaptureError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CaptureError);
  return e as CaptureError;
}

describe('readCapture', () => {
  it('reads a file in small reads', async () => {
    const { frames, sink } = collect();
    const s = await readCapture(write('a.pcap', sample), sink, { chunkSize: 1000 });
    expect(frames.length).toBe(300);
    expect(s).toMatchObject({ packets: 300, gzip: false, fileBytes: sample.length, truncated: undefined });
  });

  it('detects gzip by its magic, not the name', async () => {
    const { frames, sink } = collect();
    const s = await readCapture(write('plain-name.pcap', gzipSync(sample)), sink);
    expect(frames.length).toBe(300);
    expect(s).toMatchObject({ gzip: true, fileBytes: sample.length, truncated: undefined });
  });

  it('reports a truncated gzip stream as truncated, keeping what was decompressed', async () => {
    const gz = gzipSync(sample);
    const { frames, sink } = collect();
    const s = await readCapture(write('cut.pcap.gz', gz.subarray(0, Math.floor(gz.length * 0.6))), sink);
    expect(s.gzip).toBe(true);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(300);
    expect(s.truncated).toMatch(/^gzip stream is truncated; capture ends inside packet \d+'s record/);
  });

  it('rejects gzip data that is not a capture', async () => {
    const e = await rejection(readCapture(write('html.gz', gzipSync(new TextEncoder().encode('<html></html>'))), collect().sink));
    expect(e).toMatchObject({ code: 'not-a-capture', message: 'not a pcap or pcapng file (starts with 3c 68 74 6d)' });
    const notGzip = await rejection(readCapture(write('x.pcap', Uint8Array.of(0x1f, 0x00, 0x01, 0x02)), collect().sink));
    expect(notGzip).toMatchObject({ code: 'not-a-capture', message: 'not a pcap or pcapng file (starts with 1f 00 01 02)' });
    const garbage = await rejection(readCapture(write('bad.gz', Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), collect().sink));
    expect(garbage.code).toBe('not-a-capture');
    const empty = await rejection(readCapture(write('empty.gz', gzipSync(new Uint8Array(0))), collect().sink));
    expect(empty).toMatchObject({ code: 'not-a-capture', message: 'empty file' });
  });

  it('maps open errors to CaptureError', async () => {
    expect(await rejection(readCapture(join(dir, 'missing.pcap'), collect().sink))).toMatchObject({
      code: 'not-found',
      message: `no such file: ${join(dir, 'missing.pcap')}`,
    });
    expect(await rejection(readCapture(dir, collect().sink))).toMatchObject({ code: 'unreadable', message: `${dir} is a directory, not a capture file` });
    expect(await rejection(readCapture(write('empty.pcap', new Uint8Array(0)), collect().sink))).toMatchObject({ code: 'not-a-capture', message: 'empty file' });
  });

  it.skipIf(process.getuid?.() === 0)('maps a permission error to unreadable', async () => {
    const p = write('secret.pcap', sample);
    chmodSync(p, 0o000);
    expect(await rejection(readCapture(p, collect().sink))).toMatchObject({ code: 'unreadable', message: `permission denied: ${p}` });
  });

  it('stops reading a file once a corrupt record ends it', async () => {
    const big = concat(sample, pcapRecord({ sec: 0, frac: 0, data: new Uint8Array(0), caplen: 0x7ffffff0 }), new Uint8Array(4 * 1024 * 1024));
    const s = await readCapture(write('corrupt.pcap', big), collect().sink, { chunkSize: 64 * 1024 });
    expect(s.packets).toBe(300);
    expect(s.truncated).toMatch(/captured length 2147483632 exceeds 262144/);
    expect(s.fileBytes).toBeLessThan(big.length);
  });

  it('reads stdin delivered in pieces over time, as from tcpdump -U -w -', async () => {
    const stdin = new PassThrough();
    const { frames, sink } = collect();
    const done = readCapture('-', sink, { stdin });
    const file = new Pcapng().shb().idb().epb({ ts: 1n, data: bytes(80) }).epb({ ts: 2n, data: bytes(90) }).bytes();
    for (const [a, b] of [
      [0, 3],
      [3, 20],
      [20, 70],
      [70, 71],
      [71, file.length],
    ] as const) {
      stdin.write(file.subarray(a, b));
      await sleep(5);
    }
    expect(frames).toEqual([1, 2]);
    stdin.end();
    const s = await done;
    expect(s).toMatchObject({ format: 'pcapng', packets: 2, truncated: undefined });
  });

  it('refuses a terminal as stdin', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(await rejection(readCapture('-', collect().sink, { stdin: tty }))).toMatchObject({ code: 'unreadable' });
  });

  it('does not read ahead of analysis (backpressure)', async () => {
    let produced = 0;
    let maxAhead = 0;
    const chunks = Array.from({ length: 200 }, (_, i) => (i === 0 ? sample.subarray(0, 24) : pcapRecord({ sec: i, frac: 0, data: bytes(500) })));
    async function* slowSource(): AsyncGenerator<Uint8Array> {
      for (const c of chunks) {
        produced++;
        yield c;
      }
    }
    let consumed = 1;
    const stdin = Readable.from(slowSource(), { objectMode: true, highWaterMark: 1 });
    await readCapture('-', { packet: () => (maxAhead = Math.max(maxAhead, produced - ++consumed)) }, { stdin });
    expect(consumed).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it('returns what was read when aborted', async () => {
    const stdin = new PassThrough();
    const ac = new AbortController();
    const { frames, sink } = collect();
    const done = readCapture('-', sink, { stdin, signal: ac.signal });
    stdin.write(sample.subarray(0, 24 + 116 + 10));
    await sleep(10);
    ac.abort();
    const s = await done;
    expect(frames).toEqual([1]);
    expect(s.truncated).toBeUndefined();
  });
});
