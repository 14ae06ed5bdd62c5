/**
 * `gotap replay <capture>`: run the full pipeline (analyzers, attribution, detectors,
 * model) over a saved capture and print it in a stream format (`--format`, the registry
 * in src/report/formats.ts): each flow as it ends, then the verdict, hosts and findings;
 * or (`--ui`) show it in the dashboard at capture-time pace (`--speed`), so a saved
 * incident can be watched as it happened. The dashboard stays open, marked ended, once the
 * file is read, until the user quits; the final summary is printed after it.
 */
import { InvalidArgumentError } from 'commander';
import { summaryText } from '../live/plain-output.js';
import type { ModelSnapshot } from '../model/types.js';
import { analyzeCapture, type AnalysisOutput, type AnalysisSummary } from '../pipeline/analyze.js';
import { createInspector, type Inspector } from '../pipeline/inspect.js';
import { streamFormat, type StreamFormatName } from '../report/formats.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { errorLine, requireCaptureHeader } from './error-lines.js';
import { EXIT } from './exit-codes.js';
import { failOnCode, resolveInspectOptions, type InspectCliOptions } from './inspect-options.js';
import { ReplayPacer, pacedCaptureStream, parseSpeed, type Speed } from './replay-pacer.js';

export interface ReplayOptions extends InspectCliOptions {
  format: StreamFormatName;
  quiet?: boolean;
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

function usage(file: string | undefined, what: string, todo: string): number {
  process.stderr.write(errorLine(file, what, todo));
  return EXIT.usage;
}

/** Both see every flow and event: the model (through the inspector) and the writer. */
function tee(inspector: Inspector, writer: AnalysisOutput): AnalysisOutput {
  const model = inspector.output;
  return {
    flowStarted: (flow) => model.flowStarted(flow),
    process: (flowId, label) => model.process?.(flowId, label),
    event: (ev) => {
      model.event(ev);
      writer.event(ev);
    },
    flowEnded: (flow) => {
      model.flowEnded(flow);
      writer.flowEnded(flow);
    },
    drain: () => writer.drain?.(),
  };
}

export async function runReplay(capture: string, opts: ReplayOptions): Promise<number> {
  if (opts.ui) return runReplayUi(capture, opts);
  const speed = opts.speed ?? Infinity;
  if (capture === '-' && speed !== Infinity) return usage(capture, 'cannot be paced with --speed: it is read as it arrives', 'leave out --speed, or give a file');
  const inspector = createInspector(await resolveInspectOptions(opts));
  const writer = streamFormat(opts.format).create(process.stdout, { quiet: opts.quiet === true });
  const output = tee(inspector, writer);
  const limits = opts.maxFlows ? { maxFlows: opts.maxFlows } : undefined;
  const keylogFiles = opts.keylogFile;
  let summary: AnalysisSummary;
  if (speed === Infinity) summary = await analyzeCapture(capture, output, { limits, keylogFiles });
  else {
    const paced = await pacedCaptureStream(capture, new ReplayPacer(speed));
    summary = asFile(await analyzeCapture('-', output, { limits, keylogFiles, stdin: paced.stream }), capture, paced.gzip);
  }
  requireCaptureHeader(summary);
  const model = inspector.finish(summary);
  writer.finish(summary, model);
  const code = truncationCode(capture, summary, opts.strict);
  return code !== EXIT.ok ? code : failOnCode(model, opts.failOn);
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
    return usage(undefined, '--ui needs a terminal (standard input and output must be a TTY)', 'run it in a terminal, or leave out --ui for text or --format ndjson');
  }
  if (capture === '-') return usage(capture, '--ui reads keys from it, so it cannot replay a capture from it', 'give a file');
  const inspector = createInspector(await resolveInspectOptions(opts));
  const { builder } = inspector;
  const speed = opts.speed ?? 1;
  // Held until the dashboard's first paint: loading it can take seconds on a busy machine,
  // and capture time must not run meanwhile (a short capture would open already ended).
  const pacer = new ReplayPacer(speed, undefined, { held: true });
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
  const pipeline = analyzeCapture('-', inspector.output, { stdin: paced.stream, limits, keylogFiles: opts.keylogFile })
    .then((summary) => {
      const file = asFile(summary, capture, paced.gzip);
      requireCaptureHeader(file);
      inspector.finish(file);
      ended = true;
      return file;
    })
    .catch((err: unknown) => {
      if (!pacer.halted) {
        failure = err;
        failed.abort();
      }
      return undefined;
    });

  const speedText = speed === Infinity ? 'max speed' : `${speed}× speed`;
  // The dashboard (ink, react) is loaded only when asked for: it is most of gotap's start-up cost.
  try {
    const { runDashboard } = await import('../ui/run-dashboard.js');
    await runDashboard({ snapshot: () => builder.snapshot(), ended: () => ended }, {
      title: `replay at ${speedText}`,
      signal: failed.signal,
      onFirstPaint: () => pacer.start(),
    });
  } finally {
    pacer.halt();
  }
  const summary = await pipeline;
  if (failure !== undefined) throw failure;
  const model: ModelSnapshot = inspector.finish(summary);
  process.stdout.write(summaryText(model));
  if (!ended) process.stdout.write('(replay stopped before the end of the capture)\n');
  const code = truncationCode(capture, summary, opts.strict);
  return code !== EXIT.ok ? code : failOnCode(model, opts.failOn);
}
