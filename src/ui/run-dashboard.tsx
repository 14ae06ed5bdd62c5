/**
 * Mounts the dashboard on a terminal and resolves when the user quits (q or Ctrl-C) or the
 * signal aborts; the caller then prints its final summary on the normal screen. The
 * dashboard draws on the terminal's alternate screen so the user's scrollback is left as
 * it was. Callers check for a TTY first (the non-TTY path is plain line output, no ink).
 */
import { render } from 'ink';
import { Dashboard } from './dashboard.js';
import type { SnapshotSource } from './use-snapshot.js';

export interface RunDashboardOptions {
  title: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Snapshot poll interval in ms (default 100). */
  intervalMs?: number;
  /** Closes the dashboard from outside (e.g. the pipeline failed); runDashboard then resolves. */
  signal?: AbortSignal;
  /** Called once the first frame has been handed to the terminal (a replay starts its clock then). */
  onFirstPaint?: () => void;
}

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H';
const ALT_SCREEN_OFF = '\u001b[?1049l';

export async function runDashboard(source: SnapshotSource, opts: RunDashboardOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const alt = stdout.isTTY === true;
  if (alt) stdout.write(ALT_SCREEN_ON);
  const app = render(<Dashboard source={source} title={opts.title} intervalMs={opts.intervalMs} />, {
    stdout,
    stdin,
    exitOnCtrlC: true,
    patchConsole: false,
    // A second guard behind the 100 ms snapshot poll: key echoes are throttled to the same rate.
    maxFps: 10,
  });
  // ink renders the first frame synchronously inside render() (legacy React root); the
  // write callback fires once the terminal has taken it.
  if (opts.onFirstPaint) stdout.write('', () => opts.onFirstPaint?.());
  const close = (): void => app.unmount();
  opts.signal?.addEventListener('abort', close, { once: true });
  if (opts.signal?.aborted) close();
  try {
    await app.waitUntilExit();
  } finally {
    opts.signal?.removeEventListener('abort', close);
    app.cleanup();
    if (alt) stdout.write(ALT_SCREEN_OFF);
  }
}
