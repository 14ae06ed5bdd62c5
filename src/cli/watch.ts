/**
 * `gotap watch -- <command…>`: capture while one command runs — the canonical use is
 * `gotap watch -- go mod download` — then print who it talked to and what is wrong.
 * tcpdump is listening before the command starts, and is stopped a grace period after
 * the command exits so late packets (FINs, the last records) are still seen.
 *
 * Exit status, in this order: tcpdump could not start (4, 5, 6, 64; the command does not
 * run); the command could not start (127/126, as a shell says); tcpdump died meanwhile
 * (7); --fail-on reached (1); otherwise the command's own status. docs/live.md.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { CaptureRun, reportAndSummarise, type CaptureRunOptions } from '../live/capture-run.js';
import { runCommand, type CommandResult } from '../live/command-runner.js';
import { sanitizeTerminal } from '../util/sanitize.js';
import { EXIT } from './exit-codes.js';
import { failOnCode } from './inspect-options.js';
import { addCaptureOptions, captureErrorCode } from './live.js';

export interface WatchOptions extends CaptureRunOptions {
  /** Milliseconds to keep capturing after the command exits. */
  grace: number;
}

export const DEFAULT_GRACE_MS = 1000;

function graceArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 60_000) throw new InvalidArgumentError('expected milliseconds from 0 to 60000');
  return n;
}

export async function runWatch(argv: string[], opts: WatchOptions): Promise<number> {
  let run: CaptureRun;
  try {
    run = await CaptureRun.start(opts);
  } catch (err) {
    return captureErrorCode(err);
  }
  const command = await runCommand(argv);
  // From here on a Ctrl-C cuts the grace period short instead of killing gotap half-way.
  const hurry = new AbortController();
  const onSignal = (): void => hurry.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  try {
    if (command.error) process.stderr.write(`gotap: ${sanitizeTerminal(command.error)}\n`);
    else await sleep(opts.grace, undefined, { signal: hurry.signal }).catch(() => undefined);
    return await finish(run, command, opts);
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
  }
}

async function finish(run: CaptureRun, command: CommandResult, opts: WatchOptions): Promise<number> {
  const finished = await run.finish();
  if (command.error) return command.status;
  const reported = await reportAndSummarise(finished, opts);
  if (reported !== EXIT.ok) return reported;
  const died = finished.result.died;
  if (died) return captureErrorCode(died);
  const failOn = failOnCode(finished.model, opts.failOn);
  return failOn !== EXIT.ok ? failOn : command.status;
}

export function registerWatch(program: Command, result: { code: number }): void {
  const cmd = program
    .command('watch')
    .description('capture while a command runs (gotap watch -- go mod download), then summarise; exits with its status (docs/live.md)')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--grace <ms>', 'keep capturing this long after the command exits, for late packets', graceArg, DEFAULT_GRACE_MS);
  addCaptureOptions(cmd).action(async (argv: string[], opts: WatchOptions) => {
    result.code = await runWatch(argv, opts);
  });
}
