import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/live/command-runner.js';

describe('runCommand reports statuses the way a shell does', () => {
  it('passes the exit status through', async () => {
    expect(await runCommand(['sh', '-c', 'exit 0'])).toEqual({ status: 0 });
    expect(await runCommand(['sh', '-c', 'exit 3'])).toEqual({ status: 3 });
  });

  it('128 + N for a command killed by signal N', async () => {
    expect(await runCommand(['sh', '-c', 'kill -TERM $$'])).toEqual({ status: 143, signal: 'SIGTERM' });
  });

  it('127 when the command does not exist, 126 when it cannot be executed', async () => {
    expect(await runCommand(['gotap-no-such-command-x'])).toEqual({ status: 127, error: 'command not found: gotap-no-such-command-x' });
    const dir = mkdtempSync(join(tmpdir(), 'gotap-cmd-'));
    try {
      const file = join(dir, 'not-executable');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o644);
      expect((await runCommand([file])).status).toBe(126);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in the given directory with the given environment, and leaves no signal handlers behind', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    expect(await runCommand(['sh', '-c', 'test "$PWD" = /tmp && test "$GOTAP_X" = 1'], { cwd: '/tmp', env: { ...process.env, GOTAP_X: '1' } })).toEqual({ status: 0 });
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
