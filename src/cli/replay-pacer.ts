/**
 * Replays a saved capture at capture-time pace (`gotap replay --speed N`), so a dashboard
 * shows an incident as it happened: capture time advances at speed × wall time.
 *
 * The pacer is a byte source for the pipeline's stream input: it hands the file on in
 * small chunks (PACED_CHUNK bytes, a few packets each) after running each through a second
 * CaptureReader whose only job is to see the packets' timestamps and counts, and waits
 * until the chunk's newest packet is due. The pipeline reads a stream only as fast as it
 * consumes it, so nothing piles up, and the pacer sleeps on a timer, never spins. With
 * speed `max` it never waits; the dashboard still reads through it (in large chunks) for
 * the capture counters it reports.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureReader } from '../capture/reader.js';
import { CaptureError, type CaptureFormat } from '../capture/types.js';

/** Chunk handed on when pacing: a few packets, so the display advances smoothly. */
export const PACED_CHUNK = 4096;
/** File read size: one system call per 16 chunks (a read per 4 KiB cost more than the analysis at 50k packets/s). */
const READ_SIZE = 64 * 1024;
/** Waits shorter than this are skipped (timer granularity); the debt is paid at the next wait. */
const MIN_SLEEP_MS = 4;
/** A timestamp this far behind the newest one (a concatenated or merged file) restarts the clock. */
const BACKWARDS_RESTART_SEC = 1;

export type Speed = number;

/** "1", "10", "2.5" or "max" (Infinity). Returns undefined for anything else. */
export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return Infinity;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 && /^\d+(\.\d+)?$/.test(text) ? n : undefined;
}

/** What a paced stream fails with once the replay is stopped (the user quit the dashboard). */
export class ReplayStopped extends Error {
  constructor() {
    super('replay stopped');
    this.name = 'ReplayStopped';
  }
}

export interface PacerClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface PacerOptions {
  /** Hand nothing on until start(): capture time starts then (after a dashboard's first paint). */
  held?: boolean;
}

export class ReplayPacer {
  private anchorTs: number | undefined;
  private anchorWall = 0;
  private newestTs = -Infinity;
  private readonly stop = new AbortController();
  private held: boolean;
  private release: () => void = () => undefined;
  private readonly released: Promise<void>;

  constructor(
    readonly speed: Speed,
    private readonly clock: PacerClock = realClock,
    opts: PacerOptions = {},
  ) {
    this.held = opts.held === true;
    this.released = new Promise<void>((resolve) => {
      this.release = resolve;
      this.stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Releases a held pacer: the first packet observed so far is due now. */
  start(): void {
    if (!this.held) return;
    this.held = false;
    if (this.anchorTs !== undefined) this.anchorWall = this.clock.now();
    this.release();
  }

  /** The capture timestamp (seconds) of a packet about to be handed on. */
  observe(ts: number): void {
    if (!Number.isFinite(ts)) return;
    if (this.anchorTs === undefined || ts < this.newestTs - BACKWARDS_RESTART_SEC) {
      this.anchorTs = ts;
      this.anchorWall = this.clock.now();
      this.newestTs = ts;
      return;
    }
    if (ts > this.newestTs) this.newestTs = ts;
  }

  /** Milliseconds until the newest observed timestamp is due (≤ 0: already due). */
  lag(): number {
    if (this.anchorTs === undefined || this.speed === Infinity) return 0;
    const due = this.anchorWall + ((this.newestTs - this.anchorTs) * 1000) / this.speed;
    return due - this.clock.now();
  }

  /** Sleeps until the newest observed timestamp is due; throws ReplayStopped once stopped. */
  async wait(): Promise<void> {
    if (this.held) await this.released;
    if (this.stop.signal.aborted) throw new ReplayStopped();
    const ms = this.lag();
    if (ms >= MIN_SLEEP_MS) await this.clock.sleep(ms, this.stop.signal);
    if (this.stop.signal.aborted) throw new ReplayStopped();
  }

  /** Ends the replay: a pending wait returns at once (throwing ReplayStopped), as does every later one. */
  halt(): void {
    this.stop.abort();
  }

  get halted(): boolean {
    return this.stop.signal.aborted;
  }
}

/** What the paced stream has handed on so far: the model's capture counters while a replay runs. */
export interface ReplayProgress {
  format: CaptureFormat | undefined;
  packets: number;
  /** Captured bytes. */
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
}

export interface PacedStreamOptions {
  /** Bytes handed on at a time (default PACED_CHUNK; larger for speed max, where only progress is reported). */
  chunkSize?: number;
  /** Called with the progress before each chunk is handed on. */
  onChunk?: (progress: ReplayProgress) => void;
}

/**
 * The capture file as a paced stream of small chunks (gunzipped here when it is gzip, so
 * the timestamps can be seen). Throws CaptureError when the file cannot be opened. Once the
 * pacer is halted the stream fails with ReplayStopped, which ends the pipeline reading it.
 */
export interface PacedCapture {
  stream: Readable;
  /** The file was gzip (the stream carries the decompressed bytes). */
  gzip: boolean;
}

export async function pacedCaptureStream(path: string, pacer: ReplayPacer, opts: PacedStreamOptions = {}): Promise<PacedCapture> {
  const chunkSize = opts.chunkSize ?? PACED_CHUNK;
  const readSize = Math.max(chunkSize, READ_SIZE);
  const gzip = await sniffGzip(path);
  const file = createReadStream(path, { highWaterMark: readSize });
  let bytes: AsyncIterable<Buffer> = file;
  if (gzip) {
    const gunzip = createGunzip({ chunkSize: readSize });
    file.on('error', (e) => gunzip.destroy(e));
    bytes = file.pipe(gunzip);
  }
  return { stream: Readable.from(paced(bytes, chunkSize, pacer, opts.onChunk), { objectMode: false, highWaterMark: chunkSize }), gzip };
}

async function* paced(bytes: AsyncIterable<Buffer>, slice: number, pacer: ReplayPacer, onChunk: PacedStreamOptions['onChunk']): AsyncGenerator<Buffer> {
  const progress: ReplayProgress = { format: undefined, packets: 0, bytes: 0, firstTs: null, lastTs: null };
  let clock: CaptureReader | undefined = new CaptureReader({
    packet(rec) {
      const ts = rec.tsSec + rec.tsNsec / 1e9;
      pacer.observe(ts);
      if (progress.firstTs === null || ts < progress.firstTs) progress.firstTs = ts;
      if (progress.lastTs === null || ts > progress.lastTs) progress.lastTs = ts;
    },
  });
  for await (const read of bytes) {
    // Large reads (few system calls), handed on in slices of `slice` bytes (smooth pacing).
    for (let off = 0; off < read.length; off += slice) {
      const chunk = read.subarray(off, off + slice);
      try {
        clock?.feed(chunk);
      } catch {
        // Not a capture: the pipeline reading the same bytes says so; this chunk is just not paced.
        clock = undefined;
      }
      await pacer.wait();
      if (clock) {
        const s = clock.summary;
        progress.format = s.format;
        progress.packets = s.packets;
        progress.bytes = s.capturedBytes;
      }
      onChunk?.(progress);
      yield chunk;
    }
  }
}

async function sniffGzip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const st = await handle.stat();
    if (st.isDirectory()) throw new CaptureError('unreadable', `${path} is a directory, not a capture file`);
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } catch (e) {
    if (e instanceof CaptureError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CaptureError('not-found', `no such file: ${path}`);
    if (code === 'EACCES' || code === 'EPERM') throw new CaptureError('unreadable', `permission denied: ${path}`);
    throw new CaptureError('unreadable', `cannot open ${path}: ${(e as Error).message}`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
