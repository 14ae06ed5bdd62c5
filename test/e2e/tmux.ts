/**
 * Drives a command in a detached tmux session, as a user at a terminal would: send keys,
 * read the screen. Each Tmux uses its own server socket, so tests never touch a user's
 * tmux sessions, and kill() removes everything it started.
 */
import { spawnSync } from 'node:child_process';

export const tmuxAvailable = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;

/**
 * The environment of a user's terminal: without CI/CONTINUOUS_INTEGRATION, which make ink
 * (via is-in-ci) hold every frame back until exit. CI runs these tests with CI=true.
 */
const terminalEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && k !== 'CONTINUOUS_INTEGRATION'));

export class Tmux {
  private readonly socket = `gotap-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly session = 'gotap';

  constructor(command: string, opts: { cwd: string; columns?: number; rows?: number }) {
    this.run(['new-session', '-d', '-s', this.session, '-x', String(opts.columns ?? 160), '-y', String(opts.rows ?? 50), '-c', opts.cwd, command]);
  }

  private run(args: string[]): { status: number | null; stdout: string } {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', timeout: 10_000, env: terminalEnv });
    return { status: r.status, stdout: r.stdout ?? '' };
  }

  /** The visible screen, one string. */
  screen(): string {
    return this.run(['capture-pane', '-p', '-t', this.session]).stdout;
  }

  /** Keys as tmux names them ("Enter", "Escape", "Down") or literal text with `literal`. */
  keys(keys: string[], literal = false): void {
    this.run(['send-keys', '-t', this.session, ...(literal ? ['-l'] : []), ...keys]);
  }

  alive(): boolean {
    return this.run(['has-session', '-t', this.session]).status === 0;
  }

  /** Polls the screen until `test` passes; throws with the last screen on timeout. */
  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.screen();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
  }

  /**
   * Presses `key` until the screen shows `changed`: proves the program is reading keys
   * (a replay at max speed can paint its last frame before ink has put the terminal in
   * raw mode, and keys typed in that window are not seen).
   */
  async untilKeyTakes(key: string, changed: (screen: string) => boolean, what: string, tries = 20): Promise<string> {
    for (let i = 0; i < tries; i++) {
      this.keys([key], true);
      try {
        return await this.waitFor(changed, what, 500);
      } catch {
        // not reading keys yet: press again
      }
    }
    return this.waitFor(changed, what, 1000);
  }

  async waitGone(timeoutMs = 10_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.alive()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  kill(): void {
    this.run(['kill-server']);
  }
}
