#!/usr/bin/env node
// Where gotap spends its time: runs the benchmarked command (`gotap report FILE
// --format json`, or `replay --format ndjson` before report existed) under
// `node --cpu-prof` (or reads an existing .cpuprofile) and prints self time by
// function, heaviest first, with the share of all samples. Self time (not
// total) because the pipeline is one long synchronous call chain per chunk:
// totals would put everything under the reader.
//
// Usage: node bench/profile.mjs [FILE | PROFILE.cpuprofile] [--top N]
//   FILE defaults to the cached 500 MB benchmark capture.
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_FILES, DEFAULT_DIR, gotapCommand } from './files.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { input: join(process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, BENCH_FILES.medium), top: 30 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top' && i + 1 < argv.length) opts.top = Number(argv[++i]) || opts.top;
    else opts.input = resolve(argv[i]);
  }
  return opts;
}

function record(file) {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-prof-'));
  try {
    const gotap = gotapCommand(join(REPO, 'bin', 'gotap.js'));
    process.stderr.write(`profiling gotap ${gotap.name} ${file}\n`);
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...gotap.args(file)],
      { stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'] });
    if (run.status !== 0) throw new Error(`gotap exited with ${run.status}`);
    return JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Self time per function (name + file:line), from the profile's samples and time deltas. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const micros = new Map();
  profile.samples.forEach((id, i) => micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map();
  let total = 0;
  for (const [id, us] of micros) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url ? `${url.startsWith('file:') ? relative(REPO, fileURLToPath(url)) : url}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    total += us;
  }
  return { total, rows: [...byFunction].sort((a, b) => b[1] - a[1]) };
}

const opts = parseArgs(process.argv.slice(2));
const profile = opts.input.endsWith('.cpuprofile') ? JSON.parse(readFileSync(opts.input, 'utf8')) : record(opts.input);
const { total, rows } = selfTimes(profile);
process.stdout.write(`${(total / 1e6).toFixed(2)} s sampled\n  self ms   share  function\n`);
for (const [key, us] of rows.slice(0, opts.top)) {
  process.stdout.write(`${(us / 1000).toFixed(0).padStart(9)} ${((100 * us) / total).toFixed(1).padStart(6)}%  ${key}\n`);
}
