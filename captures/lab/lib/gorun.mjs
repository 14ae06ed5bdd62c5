// Runs one real go command the way a developer or an editor would, with a
// private HOME/GOPATH/GOMODCACHE/GOCACHE so nothing is cached from earlier
// runs and nothing of the machine's own Go setup leaks in. Its -x stderr is
// the ground truth of what was fetched.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exited, spawnTracked, stop } from './children.mjs';

const TIMEOUT_MS = 90000;

/**
 * The go command's environment in the lab: `base` (HOME, PATH, SSL_CERT_FILE) and, unless
 * cleanEnv, `fullEnv` with a private GOPATH/GOMODCACHE/GOCACHE plus the scenario's `env`.
 * Also used by watch-e2e.mjs, which runs go under `gotap watch`.
 */
export function goEnvironment({ home, goBinDir, caFile, env = {}, cleanEnv = false }) {
  const path = `${goBinDir}:/usr/bin:/bin`;
  const base = { HOME: home, PATH: path, SSL_CERT_FILE: caFile };
  const fullEnv = cleanEnv ? base : {
    ...base,
    LANG: 'C',
    GOPATH: join(home, 'go'),
    GOMODCACHE: join(home, 'go', 'pkg', 'mod'),
    GOCACHE: join(home, '.cache', 'go-build'),
    GOFLAGS: '-modcacherw',
    ...env,
  };
  return { base, fullEnv };
}

/**
 * @param {{home: string, cwd: string, goBinDir: string, caFile: string, env: Record<string, string>,
 *   args: string[], cleanEnv?: boolean}} run
 *   cleanEnv: start through `env -i` with only HOME, PATH and SSL_CERT_FILE,
 *   like an editor that did not inherit the shell's Go settings
 */
export async function runGo({ home, cwd, goBinDir, caFile, env, args, cleanEnv = false }) {
  mkdirSync(home, { recursive: true });
  const { base, fullEnv } = goEnvironment({ home, goBinDir, caFile, env, cleanEnv });
  const argv = cleanEnv ? ['/usr/bin/env', '-i', ...Object.entries(base).map(([k, v]) => `${k}=${v}`), 'go', ...args] : ['go', ...args];
  const child = spawnTracked(argv[0], argv.slice(1), { cwd, env: cleanEnv ? {} : fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(child);
  }, TIMEOUT_MS);
  const exitCode = await exited(child);
  clearTimeout(timer);
  return { argv, env: fullEnv, cwd, exitCode, timedOut, stdout, stderr };
}
