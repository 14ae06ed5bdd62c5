/** Runs the built CLI (bin/gotap.js → dist/) as a user would; `npm test` builds first. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from '../corpus.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export const gotapBin = resolve(repoRoot, 'bin/gotap.js');

/** The go env settings gotap reads from its environment: left out, so outputs do not depend on the developer's shell. */
const GO_POLICY_VARS = ['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GOPRIVATE', 'GONOPROXY', 'GOINSECURE', 'GOFLAGS'];

export const gotapEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !GO_POLICY_VARS.includes(k)));

export function gotap(args: string[], opts: { input?: Buffer; timeoutMs?: number; nodeOptions?: string[] } = {}): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...(opts.nodeOptions ?? []), gotapBin, ...args], {
    cwd: repoRoot,
    input: opts.input,
    timeout: opts.timeoutMs ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
    env: gotapEnv,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** Parses ndjson output into objects. */
export function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The `capture` record of an ndjson stream (finding and summary records follow it). */
export function captureOf(records: Record<string, unknown>[]): Record<string, unknown> {
  const c = records.find((r) => r.type === 'capture');
  if (!c) throw new Error('no capture record');
  return c;
}
