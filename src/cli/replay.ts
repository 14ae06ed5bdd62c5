/**
 * `gotap replay <capture>`: run the pipeline over a saved capture and print it as text or
 * ndjson, or (`--ui`) show it in the dashboard at capture-time pace (`--speed`), so a
 * saved incident can be watched as it happened. The dashboard stays open, marked ended,
 * once the file is read, until the user quits; the final summary is printed after it.
 */
import { InvalidArgumentError } from 'commander';
import { summaryText } from '../live/plain-output.js';
import type { ModelSnapshot } from '../model/types.js';
import { analyzeCapture, type AnalysisSummary } from '../pipeline/analyze.js';
import { createInspector } from '../pipeline/inspect.js';
import { NdjsonWriter } from '../report/ndjson-writer.js';
import { TextWriter } from '../report/text-writer.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { EXIT } from './exit-codes.js';
import { failOnCode, resolveInspectOptions, type InspectCliOptions } from './inspect-options.js';
import { ReplayPacer, pacedCaptureStream, parseSpeed, type Speed } from './replay-pacer.js';

export interface ReplayOptions extends InspectCliOptions {
  format: 'text' | 'ndjson';
  strict?: boolean;
  maxFlows?: number;
  ui?: boolean;
  speed?: Speed;
  keylogFile?: string[];
}

/** Read size at speed max: progress for the header every 256 KiB, little per-chunk overhead. */
const MAX_SPEED_CHUNK = 256 * 1024;

/** commander parser for --speed. */
export function speedArg(value: string): Speed {
  const speed = parseSpeed(value);
  if (speed === undefined) throw new InvalidArgumentError('expected 1, 10 (any positive number) or max');
  return speed;
}

function usage(message: string): number {
  process.stderr.write(`gotap: ${message}\n`);
  return EXIT.usage;
}

const INSPECT_ONLY: (keyof InspectCliOptions)[] = ['config', 'caFile', 'goproxy', 'gosumdb', 'gonosumdb', 'goprivate', 'gonoproxy', 'goinsecure', 'goEnv', 'failOn'];

export async function runReplay(capture: string, opts: ReplayOptions): Promise<number> {
  if (opts.ui) return runReplayUi(capture, opts);
  const given = INSPECT_ONLY.find((k) => opts[k] !== undefined);
  if (given !== undefined) {
    const flag = given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return usage(`--${flag} applies to the dashboard (--ui); for findings in a file use gotap report`);
  }
  const speed = opts.speed ?? Infinity;
  if (capture === '-' && speed !== Infinity) return usage('--speed paces a file; standard input is read as it arrives');
  const writer = opts.format === 'ndjson' ? new NdjsonWriter(process.stdout) : new TextWriter(process.stdout);
  const limits = opts.maxFlows ? { maxFlows: opts.maxFlows } : undefined;
  const keylogFiles = opts.keylogFile;
  let summary: AnalysisSummary;
  if (speed === Infinity) summary = await analyzeCapture(capture, writer, { limits, keylogFiles });
  else {
    const paced = await pacedCaptureStream(capture, new ReplayPacer(speed));
    summary = asFile(await analyzeCapture('-', writer, { limits, keylogFiles, stdin: paced.stream }), capture, paced.gzip);
  }
  writer.finish(summary);
  return truncationCode(capture, summary, opts.strict);
}

/** The summary of a paced replay (read as a stream) as if the file had been read directly. */
function asFile(summary: AnalysisSummary, capture: string, gzip: boolean): AnalysisSummary {
  return { ...summary, source: capture, reader: { ...summary.reader, gzip } };
}

function truncationCode(capture: string, summary: AnalysisSummary | undefined, strict: boolean | undefined): number {
  const truncated = summary?.reader.truncated;
  if (truncated === undefined) return EXIT.ok;
  const name = capture === '-' ? 'standard input' : sanitizeTerminal(capture);
  process.stderr.write(`gotap: warning: ${name}: ${sanitizeTerminal(truncated)}; results cover the readable part${strict ? '' : ' (--strict makes this an error)'}\n`);
  return strict ? EXIT.truncated : EXIT.ok;
}

async function runReplayUi(capture: string, opts: ReplayOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    return usage('--ui needs a terminal (standard input and output must be a TTY); without --ui, replay prints text or --format ndjson');
  }
  if (capture === '-') return usage('--ui reads keys from standard input, so it cannot replay a capture from it: give a file');
  const inspector = createInspector(await resolveInspectOptions(opts));
  const { builder } = inspector;
  const speed = opts.speed ?? 1;
  const pacer = new ReplayPacer(speed);
  builder.capture({ source: capture });
  const paced = await pacedCaptureStream(capture, pacer, {
    ...(speed === Infinity ? { chunkSize: MAX_SPEED_CHUNK } : {}),
    onChunk: (p) => builder.capture({ format: p.format ?? null, packets: p.packets, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs }),
  });

  // The pipeline runs while the dashboard is up; a failure closes the dashboard and is reported after it.
  const failed = new AbortController();
  let ended = false;
  let failure: unknown;
  const limits = opts.maxFlows ? { maxFlows: opts.maxFlows } : undefined;
  const pipeline = analyzeCapture('-', inspector.output, { stdin: paced.stream, limits, keylogFiles: opts.keylogFile }).then(
    (summary) => {
      const file = asFile(summary, capture, paced.gzip);
      inspector.finish(file);
      ended = true;
      return file;
    },
    (err: unknown) => {
      if (!pacer.halted) {
        failure = err;
        failed.abort();
      }
      return undefined;
    },
  );

  const speedText = speed === Infinity ? 'max speed' : `${speed}× speed`;
  // The dashboard (ink, react) is loaded only when asked for: it is most of gotap's start-up cost.
  const { runDashboard } = await import('../ui/run-dashboard.js');
  await runDashboard({ snapshot: () => builder.snapshot(), ended: () => ended }, { title: `replay at ${speedText}`, signal: failed.signal });
  pacer.halt();
  const summary = await pipeline;
  if (failure !== undefined) throw failure;
  const model: ModelSnapshot = inspector.finish(summary);
  process.stdout.write(summaryText(model));
  if (!ended) process.stdout.write('(replay stopped before the end of the capture)\n');
  const code = truncationCode(capture, summary, opts.strict);
  return code !== EXIT.ok ? code : failOnCode(model, opts.failOn);
}
