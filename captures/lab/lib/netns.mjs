// The private network namespace: only `lo` up, and a resolv.conf that
// `ip netns exec` bind-mounts over /etc/resolv.conf so every resolver in it
// (the go command's, libc's) asks the lab DNS on 127.0.0.53.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export const DNS_ADDRESS = '127.0.0.53';

export function createNamespace(name) {
  const createdEtcNetns = !existsSync('/etc/netns');
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  mkdirSync(`/etc/netns/${name}`, { recursive: true });
  writeFileSync(`/etc/netns/${name}/resolv.conf`, `nameserver ${DNS_ADDRESS}\noptions timeout:2 attempts:2\n`);
  return { name, createdEtcNetns };
}

/** Pids of processes still inside the namespace. */
export function namespacePids(name) {
  try {
    return ip('netns', 'pids', name).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function removeNamespace({ name, createdEtcNetns }) {
  try {
    ip('netns', 'del', name);
  } catch {
    // already gone
  }
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  if (createdEtcNetns && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmSync('/etc/netns', { recursive: true });
}

/**
 * Creates a namespace, re-runs this node script inside it with `args` (stdio inherited,
 * SIGINT/SIGTERM forwarded), then stops by pid whatever the inner process left running
 * and removes the namespace. Resolves with the inner process's exit code.
 */
export async function runInNamespace(name, args) {
  const ns = createNamespace(name);
  let child;
  const forward = (signal) => () => child?.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  try {
    child = spawn('ip', ['netns', 'exec', ns.name, process.execPath, ...args], { stdio: 'inherit' });
    return await new Promise((res) => child.on('exit', (c, sig) => res(c ?? (sig ? 1 : 0))));
  } finally {
    for (const pid of namespacePids(ns.name)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already exited
      }
    }
    removeNamespace(ns);
  }
}
