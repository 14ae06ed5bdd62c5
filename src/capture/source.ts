/**
 * Byte sources for the reader: a file (1 MiB reads) or stdin ('-'), gunzipped on the fly
 * when the bytes start with the gzip magic (whatever the file is called). Chunks are fed
 * synchronously, and the source is read further only once analysis has consumed the
 * current chunk: that is the backpressure, and it bounds memory by one chunk (a plain
 * file: one reused buffer) or the stream's highWaterMark (stdin, gzip) however large the
 * input or however fast a pipe delivers it.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CaptureError, type CaptureSink, type ReaderSummary } from './types.js';
import { CaptureReader } from './reader.js';

export interface ReadCaptureOptions {
  /** Stream used for source '-' (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** File read size in bytes (default 1 MiB). */
  chunkSize?: number;
  /** Stops reading; the summary of what was read so far is returned. */
  signal?: AbortSignal;
  /** Awaited after each chunk is fed: lets a slow consumer of the results (a pipe) hold reading back. */
  afterChunk?: () => Promise<void> | undefined;
}

const DEFAULT_CHUNK = 1024 * 1024;
const GUNZIP_CHUNK = 256 * 1024;

/** Reads a whole capture into the sink and returns the reader's summary. */
export async function readCapture(source: string, sink: CaptureSink, opts: ReadCaptureOptions = {}): Promise<ReaderSummary> {
  const reader = new CaptureReader(sink);
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  let input: NodeJS.ReadableStream;
  let handle: FileHandle | undefined;
  if (source === '-') {
    const stdin = opts.stdin ?? process.stdin;
    if ((stdin as { isTTY?: boolean }).isTTY) {
      throw new CaptureError('unreadable', 'stdin is a terminal: pipe a capture in (e.g. tcpdump -U -w - | gotap replay -)');
    }
    input = stdin;
  } else {
    handle = await openFile(source);
    let gzip = false;
    try {
      if (await readPlainFile(handle, reader, opts, source)) return reader.summary;
      gzip = true;
    } finally {
      if (!gzip) await handle.close().catch(() => undefined);
    }
    // Gzip: decompress through a stream, from the start of the file again.
    input = handle.createReadStream({ highWaterMark: chunkSize, autoClose: true, start: 0 });
  }
  // A pending read only ends when its stream does: aborting destroys the input.
  const signal = opts.signal;
  const onAbort = (): void => void (input as Readable).destroy?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!signal?.aborted) await consume(input as AsyncIterable<unknown>, reader, opts, source === '-' ? 'stdin' : source);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await handle?.close().catch(() => undefined);
  }
  return reader.summary;
}

/**
 * Fast path for an uncompressed file, the common case and the one benchmarks measure:
 * positional reads into two buffers reused for the whole file, the next chunk read
 * ahead into one while the other is analysed (a read waits for the thread pool; without
 * the overlap the analysis thread idled a third of the time). A read stream would
 * instead allocate a fresh chunk per read: garbage for the collector to chase, and RSS
 * that grew with the file. Reuse is safe because the reader references a chunk only
 * during feed() and records are views valid only during their callback
 * (capture/types.ts). The buffers are plain Uint8Arrays, not Buffers: per-packet
 * subarray() of a Buffer goes through Node's FastBuffer constructor and costs more.
 * Returns false, having fed nothing, when the file starts with the gzip magic;
 * otherwise reads to the end (or a stop) and returns true.
 */
async function readPlainFile(handle: FileHandle, reader: CaptureReader, opts: ReadCaptureOptions, name: string): Promise<boolean> {
  const { signal, afterChunk } = opts;
  const size = opts.chunkSize ?? DEFAULT_CHUNK;
  let current = new Uint8Array(size);
  let spare = new Uint8Array(size);
  let position = 0;
  // Resolves to the byte count or the error, never rejects: a read ahead that fails while
  // a chunk is being analysed must not become an unhandled rejection.
  const readInto = (buf: Uint8Array): Promise<number | Error> => {
    const at = position;
    return handle.read(buf, 0, size, at).then(
      (r) => {
        position = at + r.bytesRead;
        return r.bytesRead;
      },
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
  };
  let pending = readInto(current);
  for (let first = true; ; first = false) {
    const n = await pending;
    if (n instanceof Error) throw readError(name, n, reader);
    if (first && n > 0 && current[0] === 0x1f && (n < 2 || current[1] === 0x8b)) return false;
    if (signal?.aborted) return true;
    if (n === 0) {
      reader.end();
      return true;
    }
    pending = readInto(spare);
    try {
      reader.feed(current.subarray(0, n));
      if (!reader.stopped && afterChunk) await afterChunk();
    } catch (e) {
      await pending; // never leave a read running on a handle the caller is about to close
      throw e;
    }
    if (reader.stopped || signal?.aborted) {
      await pending;
      return true;
    }
    [current, spare] = [spare, current];
  }
}

async function openFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new CaptureError('unreadable', `${path} is a directory, not a capture file`);
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e instanceof CaptureError ? e : openError(path, e);
  }
  return handle;
}

function openError(path: string, e: unknown): CaptureError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CaptureError('not-found', `no such file: ${path}`);
  if (code === 'EACCES' || code === 'EPERM') return new CaptureError('unreadable', `permission denied: ${path}`);
  if (code === 'EISDIR') return new CaptureError('unreadable', `${path} is a directory, not a capture file`);
  return new CaptureError('unreadable', `cannot open ${path}: ${(e as Error).message}`);
}

/** Peeks the first chunk to decide on gzip, then feeds everything through the reader. */
async function consume(input: AsyncIterable<unknown>, reader: CaptureReader, opts: ReadCaptureOptions, name: string): Promise<void> {
  const { signal, afterChunk } = opts;
  const it = input[Symbol.asyncIterator]();
  let first: IteratorResult<unknown>;
  try {
    first = await it.next();
  } catch (e) {
    if (signal?.aborted) return;
    throw readError(name, e, reader);
  }
  if (signal?.aborted) return;
  if (first.done) {
    reader.end();
    return;
  }
  const head = asBytes(first.value);
  const chunks = rest(head, it);
  // An exception from the reader's sink or afterChunk is analysis's own (a bug, or a
  // CaptureError), not a read error of the input: it is kept aside and rethrown unchanged.
  let downstream: { error: unknown } | undefined;
  const feed = async (src: AsyncIterable<unknown>): Promise<void> => {
    for await (const chunk of src) {
      try {
        reader.feed(asBytes(chunk));
        if (reader.stopped) return;
        if (afterChunk) await afterChunk();
      } catch (error) {
        downstream = { error };
        throw error;
      }
    }
  };
  // The gzip magic is 1f 8b (a first chunk of one byte is judged by that byte: no capture starts with 0x1f).
  const gzip = head[0] === 0x1f && (head.length < 2 || head[1] === 0x8b);
  reader.summary.gzip = gzip;
  try {
    if (gzip) await pipeline(chunks, createGunzip({ chunkSize: GUNZIP_CHUNK }), feed, signal ? { signal } : {});
    else await pipeline(chunks, feed, signal ? { signal } : {});
  } catch (e) {
    if (downstream) throw downstream.error;
    if (e instanceof CaptureError) throw e;
    if (signal?.aborted) return;
    if (gzip && isZlibError(e)) {
      gzipProblem(reader, e as NodeJS.ErrnoException);
      return;
    }
    throw readError(name, e, reader);
  }
  if (!reader.stopped && !signal?.aborted) reader.end();
}

async function* rest(head: Uint8Array, it: AsyncIterator<unknown>): AsyncGenerator<Uint8Array> {
  try {
    yield head;
    while (true) {
      const r = await it.next();
      if (r.done) return;
      yield asBytes(r.value);
    }
  } finally {
    // Closes the underlying stream when the consumer stops early (corrupt record, abort).
    await it.return?.();
  }
}

function isZlibError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * A damaged gzip stream: what was decompressed so far is still valid. A stream cut short
 * ("unexpected end of file") is a truncated capture; garbage before any output is not a capture.
 */
function gzipProblem(reader: CaptureReader, e: NodeJS.ErrnoException): void {
  const cut = e.code === 'Z_BUF_ERROR';
  if (reader.summary.fileBytes === 0) {
    throw new CaptureError('not-a-capture', cut ? 'gzip stream ends before any data' : `not a capture: invalid gzip data (${e.message})`);
  }
  reader.end();
  const inner = reader.summary.truncated;
  const why = cut ? 'gzip stream is truncated' : `gzip data is corrupt (${e.message})`;
  reader.summary.truncated = inner === undefined ? `${why} after ${reader.summary.fileBytes} bytes` : `${why}; ${inner}`;
}

function readError(name: string, e: unknown, reader: CaptureReader): CaptureError {
  const msg = (e as Error)?.message ?? String(e);
  return new CaptureError('unreadable', `read error on ${name} after ${reader.summary.fileBytes} bytes: ${msg}`);
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'latin1');
  throw new CaptureError('unreadable', 'input stream yields neither bytes nor strings');
}
