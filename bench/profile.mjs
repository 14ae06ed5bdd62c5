#!/usr/bin/env node
// Where gotap spends its time and what it allocates, on one capture: runs
// `gotap report FILE --format json -o /dev/null` (or `replay --format ndjson`)
// under `node --cpu-prof` with the node flags of bin/gotap.js's shebang, and
// prints self time by module (src/ directory, package, node internals, GC)
// and by function, heaviest first. Self time (not total) because the pipeline
// is one long synchronous call chain per chunk: totals would put everything
// under the reader. Then a second run with V8's sampling heap profiler
// (bench/alloc-probe.mjs, collected objects included) gives the bytes
// allocated per packet: the run's total minus the same command's on a
// 37-packet capture (start-up), over the packet count.
//
// Usage: node bench/profile.mjs [FILE | PROFILE.cpuprofile | --shape S --size MB]
//          [--command report|replay] [--top N] [--no-alloc] [--json OUT]
//   FILE defaults to the cached 500 MB mix.
import process from 'node:process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capinfos, DEFAULT_DIR, fileInfo, gotapCommands, shapeFile } from './files.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOTAP = join(REPO, 'bin', 'gotap.js');
const TINY = join(REPO, 'captures', 'go-get-tls.pcap');

function parseArgs(argv) {
  const opts = { input: undefined, top: 30, command: 'report', alloc: true, json: undefined, shape: 'mix', size: 500 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--top' && i + 1 < argv.length) opts.top = Number(argv[++i]) || opts.top;
    else if (a === '--command' && ['report', 'replay'].includes(argv[i + 1])) opts.command = argv[++i];
    else if (a === '--shape' && i + 1 < argv.length) opts.shape = argv[++i];
    else if (a === '--size' && i + 1 < argv.length) opts.size = Number(argv[++i]);
    else if (a === '--json' && i + 1 < argv.length) opts.json = resolve(argv[++i]);
    else if (a === '--no-alloc') opts.alloc = false;
    else if (!a.startsWith('--')) opts.input = resolve(a);
    else {
      process.stderr.write('usage: node bench/profile.mjs [FILE | PROFILE.cpuprofile | --shape S --size MB] [--command report|replay] [--top N] [--no-alloc] [--json OUT]\n');
      process.exit(1);
    }
  }
  opts.input ??= shapeFile(process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, opts.shape, opts.size);
  return opts;
}

/** The node flags bin/gotap.js's shebang gives (`#!/usr/bin/env -S node --flag …`). */
const shebangFlags = () => readFileSync(GOTAP, 'utf8').split('\n')[0].split(/\s+/).filter((w) => w.startsWith('--'));

function runGotap(nodeFlags, argv, env = {}) {
  const run = spawnSync(process.execPath, [...shebangFlags(), ...nodeFlags, ...argv],
    { stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'], env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`gotap exited with ${run.status}`);
}

function recordCpu(argv) {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-prof-'));
  try {
    runGotap(['--cpu-prof', '--cpu-prof-dir', dir], argv);
    return JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function allocated(argv) {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-alloc-'));
  try {
    const out = join(dir, 'alloc.json');
    runGotap(['--import', join(REPO, 'bench', 'alloc-probe.mjs')], argv, { GOTAP_ALLOC_PROFILE: out });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a profile's URL belongs: src/<dir> for gotap's own code (dist/ mapped back), node_modules/<pkg>, node:<module>, or V8's pseudo-nodes. */
function place(url) {
  if (!url) return undefined;
  if (!url.startsWith('file:')) return url;
  const path = relative(REPO, fileURLToPath(url));
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `node_modules/${pkg[1]}`;
  return path.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
}

const moduleOf = (url, functionName) => {
  const p = place(url);
  if (!p) return functionName; // (garbage collector), (program), (idle), (root)
  if (p.startsWith('node:')) return 'node internals';
  return p.startsWith('src/') ? dirname(p) : p;
};

/** Self time per function and per module, from the profile's samples and time deltas. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const micros = new Map();
  profile.samples.forEach((id, i) => micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map();
  const byModule = new Map();
  let total = 0;
  for (const [id, us] of micros) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${place(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const mod = moduleOf(url, functionName || '(anonymous)');
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    total += us;
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, functions: sorted(byFunction), modules: sorted(byModule) };
}

const opts = parseArgs(process.argv.slice(2));
const write = (s) => process.stdout.write(s + '\n');
const share = (part, total) => `${((100 * part) / total).toFixed(1).padStart(5)}%`;
const summary = { input: opts.input, command: opts.command };
let profile;
if (opts.input.endsWith('.cpuprofile')) profile = JSON.parse(readFileSync(opts.input, 'utf8'));
else {
  const gotap = gotapCommands(GOTAP);
  const cached = fileInfo(process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, opts.shape, opts.size);
  const packets = cached?.file === opts.input ? cached.packets : capinfos(opts.input).packets;
  summary.packets = packets;
  process.stderr.write(`profiling gotap ${opts.command} ${opts.input} (${packets.toLocaleString('en-US')} packets)\n`);
  profile = recordCpu(gotap[opts.command](opts.input));
  if (opts.alloc) {
    const run = allocated(gotap[opts.command](opts.input));
    const base = allocated(gotap[opts.command](TINY));
    summary.allocBytesPerPacket = (run.totalBytes - base.totalBytes) / packets;
    summary.allocTop = Object.entries(run.byFunction).sort((a, b) => b[1] - a[1]).slice(0, opts.top)
      .map(([key, bytes]) => {
        const [fn, url, line] = key.split('\t');
        return [`${fn} ${url ? `${place(url)}:${line}` : ''}`.trim(), bytes];
      });
    summary.allocTotal = run.totalBytes - base.totalBytes;
  }
}
const { total, functions, modules } = selfTimes(profile);
summary.sampledSeconds = total / 1e6;
summary.modules = modules.map(([m, us]) => [m, us / 1000]);
summary.functions = functions.slice(0, opts.top).map(([f, us]) => [f, us / 1000]);
write(`${(total / 1e6).toFixed(2)} s sampled${summary.packets ? `, ${Math.round(summary.packets / (total / 1e6)).toLocaleString('en-US')} packets/s` : ''}`);
write('\nself time by module\n  self ms  share  module');
for (const [m, us] of modules.slice(0, opts.top)) write(`${(us / 1000).toFixed(0).padStart(9)} ${share(us, total)}  ${m}`);
write('\nself time by function\n  self ms  share  function');
for (const [key, us] of functions.slice(0, opts.top)) write(`${(us / 1000).toFixed(0).padStart(9)} ${share(us, total)}  ${key}`);
if (summary.allocBytesPerPacket !== undefined) {
  write(`\nallocated: ${(summary.allocTotal / 1e6).toFixed(0)} MB over the run beyond start-up, ${summary.allocBytesPerPacket.toFixed(0)} bytes per packet (sampled)`);
  write('  MB     share  allocating function');
  for (const [key, bytes] of summary.allocTop.slice(0, Math.min(opts.top, 15))) write(`${(bytes / 1e6).toFixed(0).padStart(6)} ${share(bytes, summary.allocTotal)}  ${key}`);
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2) + '\n');
