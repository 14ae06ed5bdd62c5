/**
 * The gotap command line (commander 14). Each failure a user can cause is one line on
 * stderr, `gotap: <file>: <what> — <what to do>` (src/cli/error-lines.ts), with an exit
 * code documented in docs/cli.md (src/cli/exit-codes.ts). Commander's own usage errors
 * are caught and printed the same way instead of its multi-line text.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { CaptureError } from '../capture/types.js';
import { formatOption } from '../report/formats.js';
import { captureErrorLine, errorLine, usageErrorLine } from './error-lines.js';
import { EXIT } from './exit-codes.js';
import { registerProbe } from './probe.js';
import { addInspectOptions, addKeylogOption } from './inspect-options.js';
import { runReplay, speedArg, type ReplayOptions } from './replay.js';
import { registerReport } from './report.js';
import { registerLive } from './live.js';
import { registerWatch } from './watch.js';
import { InputError } from './input-error.js';
import { KeyLogError } from '../secrets/load.js';

const VERSION = '0.1.0';

/** What a command sets for main: its exit code, and the capture it reads (named in error lines). */
export interface CommandResult {
  code: number;
  input?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function buildProgram(result: CommandResult): Command {
  const program = new Command('gotap')
    .description('See what Go tooling does on the network: who the go command talked to, and whether someone is in the middle.')
    .version(VERSION)
    // Errors are printed by main() as one line; --help and --version still print normally.
    .configureOutput({ outputError: () => undefined })
    .exitOverride();

  const replay = program
    .command('replay')
    .description('analyse a saved capture (pcap or pcapng, optionally gzipped; "-" reads standard input): each flow, then the verdict, hosts and findings')
    .argument('<capture>', 'capture file, or - for standard input (e.g. tcpdump -U -w - | gotap replay -)')
    .addOption(formatOption('replay', 'output format', 'text'))
    .option('-q, --quiet', 'print only the final summary (verdict, hosts, findings; with ndjson: the capture, finding and summary records)')
    .option('--strict', 'exit with status 3 when the capture is truncated or has a corrupt record')
    .option('--max-flows <n>', 'flows tracked at once (the least recently active is evicted beyond it)', positiveInt)
    .option('--ui', 'watch it in the terminal dashboard (needs a terminal); q quits')
    .option('--speed <speed>', 'pace: 1 = as captured, 10 = ten times faster, max = at once (default 1 with --ui, else max)', speedArg);
  addInspectOptions(addKeylogOption(replay)).action(async (capture: string, opts: ReplayOptions) => {
    result.input = capture;
    result.code = await runReplay(capture, opts);
  });

  registerProbe(program, result);
  registerReport(program, result);
  registerLive(program, result);
  registerWatch(program, result);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The reader of our output went away (`gotap replay f | head`): stop quietly, as tcpdump does.
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  const result: CommandResult = { code: EXIT.ok };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0.
      if (err.exitCode === 0) return EXIT.ok;
      const command = argv.slice(2).find((a) => program.commands.some((c) => c.name() === a));
      process.stderr.write(usageErrorLine(err.message, command));
      return EXIT.usage;
    }
    if (err instanceof KeyLogError) {
      // Its message is already "<file>: <what> — <what to do>".
      process.stderr.write(errorLine(undefined, err.message));
      return EXIT.input;
    }
    if (err instanceof CaptureError) {
      process.stderr.write(captureErrorLine(result.input, err));
      return EXIT.input;
    }
    if (err instanceof InputError) {
      process.stderr.write(errorLine(err.file, err.message, err.todo));
      return EXIT.input;
    }
    throw err;
  }
}
