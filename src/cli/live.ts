/**
 * `gotap live`: capture with tcpdump until Ctrl-C, showing what Go tooling does as it
 * happens — the dashboard on a terminal, plain lines otherwise (or with --no-ui) — then
 * print the final summary and optionally write a report. docs/live.md.
 */
import { Command, InvalidArgumentError } from 'commander';
import { CaptureRun, reportAndSummarise, type CaptureRunOptions } from '../live/capture-run.js';
import { LinePrinter } from '../live/plain-output.js';
import { LiveCaptureError } from '../live/tcpdump.js';
import { formatOption } from '../report/formats.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { EXIT } from './exit-codes.js';
import { addInspectOptions, failOnCode } from './inspect-options.js';

export interface LiveOptions extends CaptureRunOptions {
  /** false with --no-ui. */
  ui?: boolean;
}

/** Plain-line output is checked for news this often. */
const LINE_INTERVAL_MS = 250;

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** The options live and watch share. */
export function addCaptureOptions(cmd: Command): Command {
  cmd
    .option('-i, --interface <iface>', 'interface to capture on (tcpdump -i)', 'any')
    .option('-f, --filter <bpf>', "capture filter (default: DNS, HTTP, HTTPS, proxy ports and your configured proxies' ports)")
    .option('--report <file>', 'also write a report to this file when the capture ends')
    .addOption(formatOption('report', 'format of --report (default: from its file extension, else md)'))
    .option('--no-processes', 'do not look up which process owns each flow')
    .option('--max-flows <n>', 'flows tracked at once (the least recently active is evicted beyond it)', positiveIntArg);
  return addInspectOptions(cmd);
}

/** Prints a LiveCaptureError's line and returns its exit code; rethrows anything else. */
export function captureErrorCode(err: unknown): number {
  if (!(err instanceof LiveCaptureError)) throw err;
  process.stderr.write(`gotap: ${sanitizeTerminal(err.message)}\n`);
  return err.exitCode;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves on SIGINT/SIGTERM/SIGHUP or when `ended` resolves; repeated signals meanwhile are ignored. */
function untilStopped(ended: Promise<void>): { stopped: Promise<void>; release: () => void } {
  let resolveStop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStop = resolve));
  const onSignal = (): void => resolveStop();
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  void ended.then(onSignal);
  return {
    stopped,
    release: () => {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    },
  };
}

export async function runLive(opts: LiveOptions): Promise<number> {
  let run: CaptureRun;
  try {
    run = await CaptureRun.start(opts);
  } catch (err) {
    return captureErrorCode(err);
  }
  const { stopped, release } = untilStopped(run.session.ended);
  try {
    if (opts.ui !== false && process.stdout.isTTY && process.stdin.isTTY) {
      // The dashboard quits on q or Ctrl-C (a key in raw mode). SIGTERM closes it too, and so
      // does tcpdump's death: the capture is over and the summary says why, at once.
      const quit = new AbortController();
      void stopped.then(() => quit.abort());
      // Loaded only here: ink and react cost every other command their start-up time.
      const { runDashboard } = await import('../ui/run-dashboard.js');
      await runDashboard({ snapshot: () => run.snapshot(), ended: () => false }, { title: `live on ${opts.interface ?? 'any'}`, signal: quit.signal });
    } else {
      const printer = new LinePrinter((line) => process.stdout.write(`${line}\n`));
      const timer = setInterval(() => printer.update(run.snapshot()), LINE_INTERVAL_MS);
      await stopped;
      clearInterval(timer);
      printer.update((await run.finish()).model);
    }
    const finished = await run.finish();
    const reported = await reportAndSummarise(finished, opts);
    if (reported !== EXIT.ok) return reported;
    const died = finished.result.died;
    if (died) return captureErrorCode(died);
    return failOnCode(finished.model, opts.failOn);
  } finally {
    release();
  }
}

export function registerLive(program: Command, result: { code: number }): void {
  const cmd = program
    .command('live')
    .description('capture with tcpdump and show what Go tooling does as it happens, until Ctrl-C (needs root or CAP_NET_RAW; docs/live.md)')
    .option('--no-ui', 'plain lines (one per new host, process and finding) instead of the dashboard');
  addCaptureOptions(cmd).action(async (opts: LiveOptions) => {
    result.code = await runLive(opts);
  });
}
