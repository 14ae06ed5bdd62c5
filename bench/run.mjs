#!/usr/bin/env node
// `npm run bench`: gotap on every traffic shape (bench/files.mjs), against
// tshark computing the same facts and against the floor, tcpdump copying the
// file to /dev/null, all in one run. Makes the captures first when they are
// not cached yet (bench/generate.mjs; the mix needs root).
//
// Per shape and size, the tools run as children of this process, one at a
// time and alternating (report, replay, tshark, tcpdump, report, …) so that a
// burst of load from something else on the machine hits all of them, after
// the file has been read once into the page cache. Each is started under GNU
// time (/usr/bin/time -f %M), whose number is the peak resident set of the
// process it waited for (for a pipeline under `sh -c`: the largest process of
// it; `tshark -r` starts none). Wall time is measured here around the child.
// MB/s is the capture's size over wall time (for gzip: the uncompressed
// size), packets from capinfos (recorded by the generator); CPU time is
// user + sys from GNU time, the steadier number on a shared machine. Output
// goes to /dev/null for all. ×tcpdump and ×tshark are the tool's throughput as a
// multiple of theirs on the same file (tcpdump's or tshark's time over the
// tool's).
//
// Usage: node bench/run.mjs [--dir DIR] [--shapes mix,dns,flows,pcapng,gzip,live]
//          [--sizes 100,500,2000] [--tools report,replay,tshark,tcpdump] [--rounds N] [--tshark-max-mb MB]
// A full run (every shape and size, tshark up to 600 MB) takes long; e.g.
// `npm run bench -- --shapes dns --sizes 100` measures one file.
import process from 'node:process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DIR, fileInfo, gotapCommands, parseSelection, SHAPES } from './files.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOTAP = join(REPO, 'bin', 'gotap.js');
const MB = 1e6;

/**
 * The tshark run gotap is compared with: the fields gotap reports (DNS
 * questions and answers, TLS versions, SNI, ALPN, JA3/JA3S, certificates,
 * alerts, HTTP request line, Host, User-Agent, status), one line per frame,
 * with name resolution off (gotap resolves nothing either).
 */
const TSHARK_FIELDS = [
  'frame.number', 'ip.src', 'ip.dst',
  'dns.qry.name', 'dns.qry.type', 'dns.a', 'dns.aaaa', 'dns.cname',
  'tls.handshake.type', 'tls.handshake.version',
  'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str',
  'tls.handshake.ja3', 'tls.handshake.ja3s', 'tls.handshake.certificate',
  'tls.alert_message.desc', 'http.request.method', 'http.host',
  'http.request.uri', 'http.user_agent', 'http.response.code',
];
const tsharkArgs = (file) => ['-n', '-r', file, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])];

const USAGE = 'usage: node bench/run.mjs [--dir DIR] [--shapes mix,dns,flows,pcapng,gzip,live] [--sizes 100,500,2000] [--tools report,replay,tshark,tcpdump] [--rounds N] [--tshark-max-mb MB]\n';

function parseArgs(argv) {
  const opts = { dir: process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, rounds: 1, tsharkMaxMb: 600, shapes: undefined, sizes: undefined, tools: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a === '--dir' && next) opts.dir = resolve(argv[++i]);
    else if (a === '--rounds' && Number(next) >= 1) opts.rounds = Math.floor(Number(argv[++i]));
    else if (a === '--tshark-max-mb' && Number(next) >= 0) opts.tsharkMaxMb = Number(argv[++i]);
    else if (a === '--shapes' && next) opts.shapes = argv[++i];
    else if (a === '--sizes' && next) opts.sizes = argv[++i];
    else if (a === '--tools' && next) opts.tools = argv[++i].split(',');
    else {
      process.stderr.write(USAGE);
      process.exit(a === '-h' || a === '--help' ? 0 : 1);
    }
  }
  try {
    opts.selection = parseSelection(opts.shapes, opts.sizes);
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}`);
    process.exit(1);
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`gotap bench: ${message}\n`);
  process.exit(1);
}

/** The captures of the selection, made now if missing. */
function ensureCaptures(opts) {
  const missing = () => opts.selection.some(({ shape, sizes }) => sizes.some((mb) => !fileInfo(opts.dir, shape, mb)));
  if (!missing()) return;
  const args = [join(REPO, 'bench', 'generate.mjs'), '--dir', opts.dir, '--shapes', opts.selection.map((s) => s.shape).join(',')];
  if (opts.sizes) args.push('--sizes', opts.sizes);
  const made = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (made.status !== 0 || missing()) fail('generating the captures failed (see above)');
}

const newestMtime = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).reduce((m, e) => Math.max(m, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);

function checkBuild() {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) fail('dist/ is missing: npm run build first');
  if (newestMtime(join(REPO, 'src')) > newestMtime(join(REPO, 'dist'))) {
    process.stderr.write('gotap bench: warning: src/ is newer than dist/ — this measures the last build (npm run build)\n');
  }
}

/** Runs `cmd args` under GNU time with stdout to /dev/null: wall seconds (ours), CPU seconds (user + sys, time's %U %S) and peak RSS in bytes (%M). */
async function measure([cmd, ...args]) {
  const tmp = mkdtempSync(join(tmpdir(), 'gotap-bench-'));
  const timeFile = join(tmp, 'time');
  const devnull = openSync('/dev/null', 'w');
  try {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], { stdio: ['ignore', devnull, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((res) => child.on('exit', (c, sig) => res(c ?? (sig ? 128 : 0))));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
    if (code !== 0) fail(`${cmd} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}${lines.join('\n')}`);
    const [user, sys, rssKb] = lines.at(-1).split(' ').map(Number);
    return { seconds, cpuSeconds: user + sys, rssBytes: rssKb * 1024 };
  } finally {
    closeSync(devnull);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads the file once so every run starts from the page cache. */
const warm = (file) => execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 0 });

const sh = (script, ...args) => ['sh', '-c', script, 'sh', ...args];

/** The tools measured on one shape's file: [label, argv], the floor labelled 'tcpdump', the comparison 'tshark'. */
function tools(shape, file, gotap, withTshark) {
  const floor = shape === 'gzip'
    ? ['tcpdump', sh('zcat "$1" | tcpdump -r - -w /dev/null 2>/dev/null', file)]
    : ['tcpdump', sh('tcpdump -r "$1" -w /dev/null 2>/dev/null', file)];
  if (shape === 'live') {
    return [
      ['replay (file)', gotap.replay(file)],
      ['replay (tcpdump |)', sh('tcpdump -r "$1" -w - 2>/dev/null | "$2" replay --format ndjson -', file, GOTAP)],
      ['report (tcpdump |)', sh('tcpdump -r "$1" -w - 2>/dev/null | "$2" report - --format json -o /dev/null', file, GOTAP)],
      floor,
    ];
  }
  return [
    ['report', gotap.report(file)],
    ['replay', gotap.replay(file)],
    ...(withTshark ? [['tshark', ['tshark', ...tsharkArgs(file)]]] : []),
    floor,
  ];
}

const pad = (s, n) => String(s).padStart(n);
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Two significant digits below 10 (ratios and rates far below 1 stay readable), whole numbers above. */
const num = (x) => (!Number.isFinite(x) ? '–' : x >= 10 ? fmt(x, 0) : x.toPrecision(2));
const sizeName = (mb) => (mb >= 1000 ? `${mb / 1000} GB` : `${mb} MB`);

const HEADER = `${'shape'.padEnd(7)} ${'size'.padStart(6)} ${'tool'.padEnd(19)} ${pad('wall s', 8)} ${pad('MB/s', 7)} ${pad('kpkt/s', 7)} ${pad('CPU s', 8)} ${pad('kpkt/CPUs', 9)} ${pad('RSS MB', 7)} ${pad('×tcpdump', 11)} ${pad('×tshark', 11)}`;

function row(shape, mb, tool, info, r, floor, tshark) {
  const ratio = (other) => (other ? `${num(other.seconds / r.seconds)}/${num(other.cpuSeconds / r.cpuSeconds)}` : '–');
  return `${shape.padEnd(7)} ${sizeName(mb).padStart(6)} ${tool.padEnd(19)} ${pad(fmt(r.seconds, 2), 8)} ${pad(num(info.dataBytes / MB / r.seconds), 7)} ${pad(num(info.packets / 1000 / r.seconds), 7)} ${pad(fmt(r.cpuSeconds, 2), 8)} ${pad(num(info.packets / 1000 / r.cpuSeconds), 9)} ${pad(fmt(r.rssBytes / MB, 0), 7)} ${pad(ratio(floor), 11)} ${pad(ratio(tshark), 11)}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync('/usr/bin/time')) fail('/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time');
  for (const t of ['tshark', 'tcpdump', 'capinfos']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) fail(`${t} not found: apt-get install tshark tcpdump`);
  }
  ensureCaptures(opts);
  checkBuild();
  const gotap = gotapCommands(GOTAP);
  const tsharkVersion = execFileSync('tshark', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n')[0];
  const commit = spawnSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['-C', REPO, 'status', '--porcelain', 'src'], { encoding: 'utf8' }).stdout.trim() !== '';
  const out = (line = '') => process.stdout.write(line + '\n');

  out(`gotap ${commit}${dirty ? ' (src/ modified)' : ''}, node ${process.version}, ${tsharkVersion}; ${opts.rounds} round(s), alternating, page cache warm`);
  out(`report: bin/gotap.js report F --format json -o /dev/null    replay: bin/gotap.js replay --format ndjson F > /dev/null   (bin/gotap.js run as a program: its shebang's node flags apply)`);
  out(`tshark: tshark -n -r F -T fields -e ${TSHARK_FIELDS.join(' -e ')} > /dev/null   (skipped above ${opts.tsharkMaxMb} MB: --tshark-max-mb)`);
  out(`tcpdump: tcpdump -r F -w /dev/null (gzip: zcat F | tcpdump -r - -w /dev/null)`);
  for (const { shape } of opts.selection) out(`  ${shape}: ${SHAPES[shape].title}`);
  out();
  out(HEADER);

  const results = [];
  for (const { shape, sizes } of opts.selection) {
    for (const mb of sizes) {
      const info = fileInfo(opts.dir, shape === 'live' ? 'mix' : shape, mb);
      info.dataBytes = info.uncompressedBytes ?? info.bytes;
      const list = tools(shape, info.file, gotap, info.dataBytes <= opts.tsharkMaxMb * MB)
        .filter(([label]) => !opts.tools || opts.tools.includes(label.split(' ')[0]));
      warm(info.file);
      const runs = new Map(list.map(([label]) => [label, []]));
      for (let round = 0; round < opts.rounds; round++) {
        for (const [label, argv] of list) runs.get(label).push(await measure(argv));
      }
      const med = (label) => (runs.get(label)?.length
        ? { seconds: median(runs.get(label).map((r) => r.seconds)), cpuSeconds: median(runs.get(label).map((r) => r.cpuSeconds)), rssBytes: Math.max(...runs.get(label).map((r) => r.rssBytes)) }
        : undefined);
      const floor = med('tcpdump');
      const tshark = med('tshark');
      for (const [label] of list) {
        const r = med(label);
        out(row(shape, mb, label, info, r, label === 'tcpdump' ? undefined : floor, label === 'tshark' ? undefined : tshark));
        results.push({ shape, mb, tool: label, file: info.file, bytes: info.bytes, dataBytes: info.dataBytes, packets: info.packets, ...r, runs: runs.get(label) });
      }
    }
  }
  out('(median wall and CPU time of the rounds; RSS is the largest; ×tcpdump and ×tshark: by wall time / by CPU time)');

  const curves = opts.selection.filter(({ sizes }) => sizes.length > 1);
  if (curves.length > 0) {
    out();
    out('peak RSS by capture size:');
    for (const { shape, sizes } of curves) {
      for (const tool of ['report', 'replay', 'tshark']) {
        const points = sizes.map((mb) => results.find((r) => r.shape === shape && r.mb === mb && r.tool === tool));
        if (points.some(Boolean)) out(`  ${shape.padEnd(7)} ${tool.padEnd(7)} ${points.map((p, i) => `${sizeName(sizes[i])}: ${p ? fmt(p.rssBytes / MB, 0) + ' MB' : '–'}`).join('   ')}`);
      }
    }
  }

  const at = new Date().toISOString();
  const resultFile = join(opts.dir, `results-${at.replace(/[:.]/g, '-')}.json`);
  try {
    writeFileSync(resultFile, JSON.stringify({ at, commit, dirty, node: process.version, tshark: tsharkVersion, rounds: opts.rounds, results }, null, 2) + '\n');
    out(`\nresults: ${resultFile}`);
  } catch {
    // the cache dir may be root's; a non-root run still printed everything above
  }
}

await main();
