// Child processes the lab starts, tracked by pid so that everything can be
// stopped on success, failure or Ctrl-C without touching anything else on
// the machine (never by name).
import { spawn } from 'node:child_process';

const live = new Map();

/** Spawns a tracked child. @returns {import('node:child_process').ChildProcess} */
export function spawnTracked(cmd, args, opts) {
  const child = spawn(cmd, args, opts);
  if (child.pid !== undefined) {
    live.set(child.pid, child);
    child.on('exit', () => live.delete(child.pid));
  }
  return child;
}

/** Resolves with the exit code (or 128+signal) once `child` has exited. */
export function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(code(child));
  return new Promise((resolve) => child.once('exit', () => resolve(code(child))));
}

const code = (child) => child.exitCode ?? 128 + (child.signalCode === 'SIGINT' ? 2 : child.signalCode === 'SIGKILL' ? 9 : 15);

/** Sends `signal` to `child`, then SIGKILL after `graceMs`; resolves on exit. */
export async function stop(child, signal = 'SIGTERM', graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return code(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await exited(child);
  clearTimeout(timer);
  return result;
}

/** Stops every child still running. */
export async function stopAll() {
  await Promise.all([...live.values()].map((c) => stop(c)));
}
