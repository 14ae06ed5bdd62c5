/**
 * The gotap command line (commander 14). Each failure a user can cause is one line on
 * stderr saying what is wrong and what to do, with an exit code documented in
 * docs/cli.md (src/cli/exit-codes.ts).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CaptureError } from '../capture/types.js';
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

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function buildProgram(result: { code: number }): Command {
  const program = new Command('gotap')
    .description('See what Go tooling does on the network: who the go command talked to, and whether someone is in the middle.')
    .version(VERSION)
    .showHelpAfterError('(run gotap --help for usage)')
    .exitOverride();

  const replay = program
    .command('replay')
    .description('analyse a saved capture (pcap or pcapng, optionally gzipped; "-" reads standard input)')
    .argument('<capture>', 'capture file, or - for standard input (e.g. tcpdump -U -w - | gotap replay -)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'ndjson']).default('text'))
    .option('--strict', 'exit with status 3 when the capture is truncated or has a corrupt record')
    .option('--max-flows <n>', 'flows tracked at once (the least recently active is evicted beyond it)', positiveInt)
    .option('--ui', 'watch it in the terminal dashboard (needs a terminal; the options below apply to it); q quits')
    .option('--speed <speed>', 'pace: 1 = as captured, 10 = ten times faster, max = at once (default 1 with --ui, else max)', speedArg);
  addInspectOptions(addKeylogOption(replay)).action(async (capture: string, opts: ReplayOptions) => {
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
  const result = { code: EXIT.ok };
  try {
    await buildProgram(result).parseAsync(argv);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CaptureError || err instanceof InputError || err instanceof KeyLogError) {
      process.stderr.write(`gotap: ${err.message}\n`);
      return EXIT.input;
    }
    throw err;
  }
}
