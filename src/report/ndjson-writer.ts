/**
 * `--format ndjson`: one JSON object per line, in the order the pipeline produces them
 * (events as analyzers emit them, a `flow` record when each flow ends, one `capture`
 * record), then the model's verdict: a `finding` record per finding and one `summary`
 * record last. A reader that stops at the `capture` record sees the stream it always did;
 * `quiet` leaves out events and flows. Strings are exact packet data; DER certificates are base64. Lines are
 * batched into large writes, and the writer reports when the destination needs to
 * drain so reading the capture waits for a slow consumer.
 */
import type { Writable } from 'node:stream';
import type { Flow } from '../flow/types.js';
import type { ModelSnapshot } from '../model/types.js';
import type { AnalysisOutput, AnalysisSummary } from '../pipeline/analyze.js';
import type { GotapEvent } from '../protocols/events.js';
import { captureRecord, findingRecord, flowRecord, roundTs, summaryRecord } from './records.js';

const TIME_KEYS = new Set(['ts', 'firstTs', 'lastTs', 'rtt']);
const FLUSH_BYTES = 1 << 16;

function replacer(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (TIME_KEYS.has(key) && typeof value === 'number') return roundTs(value);
  return value;
}

export function toJsonLine(value: unknown): string {
  return `${JSON.stringify(value, replacer)}\n`;
}

export class NdjsonWriter implements AnalysisOutput {
  private buffered: string[] = [];
  private bufferedLength = 0;
  private blocked: Promise<void> | undefined;

  constructor(
    private readonly out: Writable,
    private readonly opts: { quiet?: boolean } = {},
  ) {}

  event(ev: GotapEvent): void {
    if (!this.opts.quiet) this.push(toJsonLine(ev));
  }

  flowEnded(flow: Flow): void {
    if (!this.opts.quiet) this.push(toJsonLine(flowRecord(flow)));
  }

  finish(summary: AnalysisSummary, model: ModelSnapshot): void {
    this.push(toJsonLine(captureRecord(summary)));
    for (const f of model.findings) this.push(toJsonLine(findingRecord(f)));
    this.push(toJsonLine(summaryRecord(model)));
    this.flush();
  }

  drain(): Promise<void> | undefined {
    this.flush();
    return this.blocked;
  }

  private push(line: string): void {
    this.buffered.push(line);
    this.bufferedLength += line.length;
    if (this.bufferedLength >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.buffered.length === 0) return;
    const ok = this.out.write(this.buffered.join(''));
    this.buffered = [];
    this.bufferedLength = 0;
    if (!ok && !this.blocked) {
      this.blocked = new Promise((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.blocked = undefined;
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }
}
