#!/usr/bin/env node
// `npm run bench`: gotap against tshark on the same capture, and gotap's
// memory on captures of 100 MB, 500 MB and 2 GB. Makes the captures first
// when they are not cached yet (bench/generate.mjs, which needs root).
//
// Both tools run as children of this process, one at a time and alternating
// (gotap, tshark, gotap, tshark, …) so that a burst of load from something
// else on the machine hits both, after the file has been read once into the
// page cache. Each is started under GNU time (/usr/bin/time -f %M), whose
// number is the peak resident set of the process it waited for (the largest
// of that process and the children it waited for; `tshark -r` starts none).
// Wall time is measured here around the child. Throughput is the capture's
// file size over wall time, packets from capinfos (recorded by the
// generator). Output goes to /dev/null for both.
//
// Usage: node bench/run.mjs [--dir DIR] [--rounds N]
import process from 'node:process';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_FILES, DEFAULT_DIR, gotapCommand, readMeta } from './files.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOTAP = join(REPO, 'bin', 'gotap.js');
const MB = 1e6;

/**
 * The tshark run gotap is compared with: the fields gotap reports (DNS
 * questions and answers, TLS versions, SNI, ALPN, JA3/JA3S, certificates,
 * alerts, HTTP request line, Host, User-Agent, status), one line per frame,
 * with name resolution off (gotap resolves nothing either):
 *
 *   tshark -n -r FILE -T fields -e frame.number -e ip.src -e ip.dst
 *     -e dns.qry.name -e dns.qry.type -e dns.a -e dns.aaaa -e dns.cname
 *     -e tls.handshake.type -e tls.handshake.version
 *     -e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str
 *     -e tls.handshake.ja3 -e tls.handshake.ja3s -e tls.handshake.certificate
 *     -e tls.alert_message.desc -e http.request.method -e http.host
 *     -e http.request.uri -e http.user_agent -e http.response.code > /dev/null
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

function parseArgs(argv) {
  const opts = { dir: process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, rounds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir' && i + 1 < argv.length) opts.dir = resolve(argv[++i]);
    else if (a === '--rounds' && i + 1 < argv.length && Number(argv[i + 1]) >= 1) opts.rounds = Math.floor(Number(argv[++i]));
    else {
      process.stderr.write('usage: node bench/run.mjs [--dir DIR] [--rounds N]   (N ≥ 1, default 2)\n');
      process.exit(a === '-h' || a === '--help' ? 0 : 1);
    }
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`gotap bench: ${message}\n`);
  process.exit(1);
}

/** The cached captures, made now if missing (root only). */
function ensureCaptures(dir) {
  const complete = () => readMeta(dir) && Object.values(BENCH_FILES).every((f) => existsSync(join(dir, f)));
  if (!complete()) {
    if (process.getuid?.() !== 0) fail(`no benchmark captures in ${dir} yet; make them once as root: sudo node bench/generate.mjs --dir ${dir}`);
    const made = spawnSync(process.execPath, [join(REPO, 'bench', 'generate.mjs'), '--dir', dir], { stdio: 'inherit' });
    if (made.status !== 0 || !complete()) fail('generating the captures failed (see above)');
  }
  return readMeta(dir);
}

const newestMtime = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).reduce((m, e) => Math.max(m, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);

function checkBuild() {
  const main = join(REPO, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) fail('dist/ is missing: npm run build first');
  if (newestMtime(join(REPO, 'src')) > newestMtime(join(REPO, 'dist'))) {
    process.stderr.write('gotap bench: warning: src/ is newer than dist/ — this measures the last build (npm run build)\n');
  }
}

/** Runs `cmd args` under GNU time with stdout to /dev/null: wall seconds (ours) and peak RSS in bytes (time's %M). */
async function measure(cmd, args) {
  const tmp = mkdtempSync(join(tmpdir(), 'gotap-bench-'));
  const timeFile = join(tmp, 'time');
  const devnull = openSync('/dev/null', 'w');
  try {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], { stdio: ['ignore', devnull, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((res) => child.on('exit', (c, sig) => res(c ?? (sig ? 128 : 0))));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
    if (code !== 0) fail(`${cmd} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}${lines.join('\n')}`);
    return { seconds, rssBytes: Number(lines.at(-1)) * 1024 };
  } finally {
    closeSync(devnull);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Reads the file once so every run starts from the page cache. */
const warm = (file) => execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 0 });

const pad = (s, n) => String(s).padStart(n);
const fmt = (x, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function row(label, tool, info, r) {
  return `${label.padEnd(8)} ${tool.padEnd(7)} ${pad(fmt(r.seconds, 2), 8)} ${pad(fmt(info.bytes / MB / r.seconds, 0), 8)} ${pad(fmt(info.packets / 1000 / r.seconds, 0), 9)} ${pad(fmt(r.rssBytes / MB, 0), 8)}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync('/usr/bin/time')) fail('/usr/bin/time (GNU time) is needed for peak RSS: apt-get install time');
  try {
    execFileSync('sh', ['-c', 'command -v tshark'], { stdio: 'ignore' });
  } catch {
    fail('tshark not found: apt-get install tshark');
  }
  const meta = ensureCaptures(opts.dir);
  checkBuild();
  const gotap = gotapCommand(GOTAP);
  const files = Object.fromEntries(Object.entries(BENCH_FILES).map(([k, f]) => [k, { ...meta.files[k], file: join(opts.dir, f) }]));
  const main = files.medium;
  const tshark = execFileSync('tshark', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n')[0];
  const out = (line = '') => process.stdout.write(line + '\n');

  out(`capture: ${main.file} (${fmt(main.bytes / MB, 0)} MB, ${main.packets.toLocaleString('en-US')} packets; made ${meta.made})`);
  out(`gotap:   node bin/gotap.js ${gotap.args('FILE').slice(1).join(' ')}${gotap.name === 'replay' ? ' > /dev/null   (no `report` command in this build yet: replay ran)' : ''}`);
  out(`tshark:  tshark ${tsharkArgs('FILE').join(' ')} > /dev/null   (${tshark})`);
  out(`node ${process.version}, ${opts.rounds} rounds each, alternating, page cache warm`);
  out();
  out(`${'round'.padEnd(8)} ${'tool'.padEnd(7)} ${pad('wall s', 8)} ${pad('MB/s', 8)} ${pad('kpkt/s', 9)} ${pad('RSS MB', 8)}`);
  warm(main.file);
  const results = { gotap: [], tshark: [] };
  for (let round = 1; round <= opts.rounds; round++) {
    const g = await measure(process.execPath, gotap.args(main.file));
    results.gotap.push(g);
    out(row(String(round), 'gotap', main, g));
    const t = await measure('tshark', tsharkArgs(main.file));
    results.tshark.push(t);
    out(row(String(round), 'tshark', main, t));
  }
  const med = (tool) => ({ seconds: median(results[tool].map((r) => r.seconds)), rssBytes: Math.max(...results[tool].map((r) => r.rssBytes)) });
  const g = med('gotap');
  const t = med('tshark');
  out(row('median', 'gotap', main, g));
  out(row('median', 'tshark', main, t));
  out(`(median wall time; RSS is the largest of the rounds)`);
  out();
  out(`gotap throughput: ${fmt(t.seconds / g.seconds, 1)}× tshark's`);
  out();

  out(`gotap peak RSS by capture size (${gotap.name}):`);
  const sizes = [];
  for (const key of ['small', 'medium', 'large']) {
    const info = files[key];
    let r;
    if (key === 'medium') r = g;
    else {
      warm(info.file);
      r = await measure(process.execPath, gotap.args(info.file));
    }
    sizes.push({ key, bytes: info.bytes, packets: info.packets, ...r });
    out(`  ${pad(fmt(info.bytes / MB, 0), 6)} MB capture: ${pad(fmt(r.rssBytes / MB, 0), 5)} MB RSS, ${pad(fmt(r.seconds, 2), 6)} s, ${pad(fmt(info.bytes / MB / r.seconds, 0), 6)} MB/s`);
  }
  warm(files.small.file);
  const tSmall = await measure('tshark', tsharkArgs(files.small.file));
  out(`  (tshark: ${fmt(files.small.bytes / MB, 0)} MB capture: ${fmt(tSmall.rssBytes / MB, 0)} MB RSS; ${fmt(main.bytes / MB, 0)} MB capture: ${fmt(t.rssBytes / MB, 0)} MB RSS)`);

  const record = {
    at: new Date().toISOString(), node: process.version, tshark, gotapCommand: gotap.name, capture: main, rounds: results,
    ratio: t.seconds / g.seconds, gotapRssBySize: sizes, tsharkSmall: tSmall,
  };
  const resultFile = join(opts.dir, `results-${record.at.replace(/[:.]/g, '-')}.json`);
  try {
    writeFileSync(resultFile, JSON.stringify(record, null, 2) + '\n');
    out(`\nresults: ${resultFile}`);
  } catch {
    // the cache dir is root's; a non-root run still printed everything above
  }
}

await main();
