import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ReplayPacer, ReplayStopped, pacedCaptureStream, parseSpeed, type PacerClock } from '../../src/cli/replay-pacer.js';
import { analyzeCapture, type AnalysisOutput } from '../../src/pipeline/analyze.js';
import { repoRoot } from '../corpus.js';

/** A clock whose sleeps advance time at once and are recorded. */
function fakeClock(): PacerClock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const clean = resolve(repoRoot, 'captures/lab/clean/capture.pcap');

describe('replay pacer', () => {
  test('parses speeds', () => {
    expect(parseSpeed('1')).toBe(1);
    expect(parseSpeed('10')).toBe(10);
    expect(parseSpeed('2.5')).toBe(2.5);
    expect(parseSpeed('max')).toBe(Infinity);
    for (const bad of ['0', '-1', 'fast', '', '1e3', 'Infinity', 'NaN']) expect(parseSpeed(bad)).toBeUndefined();
  });

  test('a held pacer hands nothing on until start(); capture time starts then, not at the first packet seen', async () => {
    const clock = fakeClock();
    const p = new ReplayPacer(1, clock, { held: true });
    p.observe(100);
    let passed = false;
    const waiting = p.wait().then(() => (passed = true));
    clock.t += 5000; // the dashboard took 5 s to load
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    p.start();
    await waiting;
    expect(clock.sleeps).toEqual([]);
    p.observe(100.5);
    await p.wait();
    expect(clock.sleeps).toEqual([500]);
  });

  test('halting a held pacer ends its wait with ReplayStopped', async () => {
    const p = new ReplayPacer(1, fakeClock(), { held: true });
    p.observe(1);
    const waiting = p.wait();
    p.halt();
    await expect(waiting).rejects.toBeInstanceOf(ReplayStopped);
  });

  test('capture time advances at speed × wall time; a slow consumer is not made to wait more', async () => {
    const clock = fakeClock();
    const p = new ReplayPacer(10, clock);
    p.observe(100);
    await p.wait();
    expect(clock.sleeps).toEqual([]);
    p.observe(101);
    p.observe(102);
    await p.wait();
    expect(clock.sleeps).toEqual([200]);
    clock.t += 500;
    p.observe(105);
    await p.wait();
    expect(clock.sleeps).toEqual([200]);
    p.observe(112);
    await p.wait();
    expect(clock.sleeps).toEqual([200, 500]);
  });

  test('speed max never waits; tiny waits are skipped; backwards timestamps restart the clock', async () => {
    const clock = fakeClock();
    const max = new ReplayPacer(Infinity, clock);
    max.observe(1);
    max.observe(1e6);
    await max.wait();
    expect(clock.sleeps).toEqual([]);

    const p = new ReplayPacer(1, clock);
    p.observe(1000);
    p.observe(1000.002);
    await p.wait();
    expect(clock.sleeps).toEqual([]);
    p.observe(1002);
    await p.wait();
    expect(clock.sleeps).toEqual([2000]);
    // a second copy of the capture starts at 1000 again: replayed at pace, not at once
    p.observe(1000);
    p.observe(1000.3);
    await p.wait();
    expect(clock.sleeps.map(Math.round)).toEqual([2000, 300]);
  });

  test('halt ends a pending wait and stops the pipeline at its next chunk', async () => {
    const p = new ReplayPacer(1);
    p.observe(0);
    p.observe(3600);
    const t0 = performance.now();
    const waiting = p.wait();
    setTimeout(() => p.halt(), 30);
    await expect(waiting).rejects.toBeInstanceOf(ReplayStopped);
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(p.wait()).rejects.toBeInstanceOf(ReplayStopped);
  });

  test('a lab capture replays at capture pace through the real pipeline', async () => {
    const run = async (speed: number): Promise<{ ms: number; packets: number; events: number }> => {
      const pacer = new ReplayPacer(speed);
      let events = 0;
      const sink: AnalysisOutput = { event: () => void events++, flowEnded: () => undefined };
      const t0 = performance.now();
      const summary = await analyzeCapture('-', sink, { stdin: (await pacedCaptureStream(clean, pacer)).stream });
      return { ms: performance.now() - t0, packets: summary.reader.packets, events };
    };
    // The clean capture spans 0.235 s of capture time.
    const real = await run(1);
    const fast = await run(Infinity);
    const ten = await run(10);
    expect(real.packets).toBe(289);
    expect(fast).toMatchObject({ packets: 289, events: real.events });
    expect(real.ms).toBeGreaterThanOrEqual(225);
    expect(real.ms).toBeLessThan(2000);
    expect(ten.ms).toBeLessThan(real.ms);
  });

  test('gzip captures are paced too; a missing file is one clear CaptureError', async () => {
    const pacer = new ReplayPacer(1);
    const sink: AnalysisOutput = { event: () => undefined, flowEnded: () => undefined };
    const dir = mkdtempSync(join(tmpdir(), 'gotap-pacer-'));
    const gz = join(dir, 'clean.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(clean)));
    const paced = await pacedCaptureStream(gz, pacer);
    expect(paced.gzip).toBe(true);
    const summary = await analyzeCapture('-', sink, { stdin: paced.stream });
    expect(summary.reader.packets).toBe(289);
    await expect(pacedCaptureStream('/nonexistent/x.pcap', pacer)).rejects.toThrow('no such file: /nonexistent/x.pcap');
    rmSync(dir, { recursive: true });
  });

  test('halting the pacer ends the pipeline reading the paced stream', async () => {
    const pacer = new ReplayPacer(0.01);
    const sink: AnalysisOutput = { event: () => undefined, flowEnded: () => undefined };
    const run = analyzeCapture('-', sink, { stdin: (await pacedCaptureStream(clean, pacer)).stream });
    setTimeout(() => pacer.halt(), 50);
    const t0 = performance.now();
    await expect(run).rejects.toThrow('replay stopped');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
