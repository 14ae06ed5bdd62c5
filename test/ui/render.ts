/** Helpers for rendering the dashboard with ink-testing-library at a chosen terminal size. */
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';

export type Rendered = ReturnType<typeof render>;

export const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Gives the fake stdout a size and tells ink (and the dashboard) it was resized. */
export function resize(r: Rendered, columns: number, rows: number): void {
  Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
  r.stdout.emit('resize');
}

export async function renderAt(tree: ReactElement, columns: number, rows: number): Promise<Rendered> {
  const r = render(tree);
  resize(r, columns, rows);
  await tick();
  return r;
}

/** Sends keys one at a time (ink parses one key per write) and lets the dashboard re-render. */
export async function press(r: Rendered, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    r.stdin.write(k);
    await tick(20);
  }
  await tick(60);
}

export const KEY = { up: '\u001b[A', down: '\u001b[B', enter: '\r', esc: '\u001b', tab: '\t', backspace: '\u007f' };

export function frame(r: Rendered): string {
  return r.lastFrame() ?? '';
}

export function lines(r: Rendered): string[] {
  return frame(r).split('\n');
}
