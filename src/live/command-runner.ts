/**
 * Runs the command `gotap watch` watches, the way a shell runs a foreground job: it
 * inherits gotap's terminal and environment, a Ctrl-C at the terminal reaches it directly
 * (gotap ignores SIGINT meanwhile and waits for it, as a shell does), SIGTERM/SIGHUP sent
 * to gotap are passed on, and its status is reported the shell's way (127 not found,
 * 126 not executable, 128 + N killed by signal N).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface CommandResult {
  /** The status a shell would report. */
  status: number;
  /** Set when the command could not be started: one line saying why. */
  error?: string;
  signal?: NodeJS.Signals;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export async function runCommand(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return { status: 127, error: 'no command given' };
  const ignoreInt = (): void => undefined;
  const forward = new Map(FORWARDED.map((sig) => [sig, (): void => void child.kill(sig)] as const));
  process.on('SIGINT', ignoreInt);
  for (const [sig, handler] of forward) process.on(sig, handler);
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: opts.cwd, env: opts.env ?? process.env });
  try {
    return await new Promise<CommandResult>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') resolve({ status: 127, error: `command not found: ${cmd}` });
        else if (e.code === 'EACCES') resolve({ status: 126, error: `command not executable: ${cmd}` });
        else resolve({ status: 126, error: `cannot run ${cmd}: ${e.message}` });
      });
      child.once('exit', (code, signal) => {
        if (signal) resolve({ status: 128 + (constants.signals[signal] ?? 0), signal });
        else resolve({ status: code ?? 0 });
      });
    });
  } finally {
    process.off('SIGINT', ignoreInt);
    for (const [sig, handler] of forward) process.off(sig, handler);
  }
}
