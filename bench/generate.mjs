#!/usr/bin/env node
// Makes the benchmark captures once and caches them outside the repository
// (they are hundreds of MB to GB, and a benchmark should read the same bytes
// every time), one directory per shape and generator version (bench/files.mjs).
//
// The mix (large packets) comes from real programs, like the lab
// (captures/lab/) and with its helpers: a private network namespace with only
// `lo` up, the lab DNS server, HTTPS servers (http2 with HTTP/1.1 fallback)
// with certificates from a per-run lab CA, a plaintext HTTP mirror, and
// tcpdump on `lo`. Unlike the lab, the loopback link is set to MTU 1500 with
// segmentation offloads off, so the capture has the packet sizes of a real
// Ethernet link rather than 64 KiB super-packets, and the clients are curl
// processes fetching multi-MB module zips in a bounded loop until the capture
// reaches its size. Traffic per round: TLS 1.3 + h2 to proxy.golang.org
// (list, info, mod, zip of several MB), TLS 1.2 + h2 to goproxy.cn (same),
// HTTP/1.1 in clear to a company mirror (same), short TLS 1.3 connections to
// sum.golang.org (lookups), nine short connections fetching only
// list/info/mod, and the DNS A/AAAA queries of every curl process. From the
// 500 MB file: the first ~100 MB (editcap -r) and a ~2 GB file (mergecap -a of
// the 500 MB file and three copies shifted in time with editcap -t, so a flow
// never overlaps its copy).
//
// The DNS storm and the short flows come from the record writer
// (bench/shapes.mjs, bench/pcap-writer.mjs): dig and curl make a few thousand
// transactions per second, the shapes need millions. The pcapng and gzip
// shapes are the mix converted (editcap -F pcapng, then gzip).
//
// The mix needs root (network namespace, tcpdump, ethtool); the others do not.
// Usage: node bench/generate.mjs [--dir DIR] [--shapes mix,dns,…] [--sizes 100,500,2000] [--regenerate]
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exited, spawnTracked, stopAll } from '../captures/lab/lib/children.mjs';
import { startDnsServer } from '../captures/lab/lib/dns-server.mjs';
import { DNS_ADDRESS, runInNamespace } from '../captures/lab/lib/netns.mjs';
import { createCa, issueLeaf } from '../captures/lab/lib/pki.mjs';
import { startSite } from '../captures/lab/lib/sites.mjs';
import { startCapture } from '../captures/lab/lib/tcpdump.mjs';
import { writeZip } from '../captures/lab/lib/zip.mjs';
import { capinfos, DEFAULT_DIR, parseSelection, readMeta, shapeDir, SHAPES, shapeFile, SIZES } from './files.mjs';
import { writeDnsStorm, writeShortFlows } from './shapes.mjs';

const MB = 1e6;
const TARGET_BYTES = 500 * MB;
const COPIES_FOR_LARGE = 4; // 4 × 500 MB ≈ 2 GB
const MAX_ROUNDS = 400; // a bound on the loop whatever happens; a round adds ~40 MB
const RATE = '20M'; // per curl process: keeps tcpdump from dropping packets on 2 cores
const MIX_FREE_BYTES = 6e9; // 500 MB + 100 MB + 2 GB + 1.5 GB of temporary shifted copies, with margin
const HELLO_CAPTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'captures', 'go-get-tls.pcap');

const MIX_TOOLS = ['tcpdump', 'ip', 'ethtool', 'openssl', 'curl', 'editcap', 'mergecap', 'capinfos'];

const SITES = {
  'proxy.golang.org': { address: '127.0.0.2', port: 443, tls: 'TLSv1.3' },
  'sum.golang.org': { address: '127.0.0.3', port: 443, tls: 'TLSv1.3' },
  'goproxy.cn': { address: '127.0.0.4', port: 443, tls: 'TLSv1.2' },
  'goproxy.corp.test': { address: '127.0.0.7', port: 80, tls: undefined },
};

/** Module zip sizes in MB: several MB each, like real dependency zips (k8s.io/client-go is ~4 MB). */
const MODULES = [
  { path: 'example.test/bigdata', mb: 3 },
  { path: 'example.test/toolchain', mb: 5 },
  { path: 'example.test/monorepo', mb: 8 },
];

function log(message) {
  process.stderr.write(`gotap bench: ${message}\n`);
}

const USAGE = 'usage: node bench/generate.mjs [--dir DIR] [--shapes mix,dns,flows,pcapng,gzip] [--sizes 100,500,2000] [--regenerate]\n';

function parseArgs(argv) {
  const opts = { dir: process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, regenerate: false, inside: undefined, shapes: undefined, sizes: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir' && i + 1 < argv.length) opts.dir = resolve(argv[++i]);
    else if (a === '--regenerate') opts.regenerate = true;
    else if (a === '--inside' && i + 1 < argv.length) opts.inside = argv[++i];
    else if (a === '--shapes' && i + 1 < argv.length) opts.shapes = argv[++i];
    else if (a === '--sizes' && i + 1 < argv.length) opts.sizes = argv[++i];
    else {
      process.stderr.write(USAGE);
      process.exit(a === '-h' || a === '--help' ? 0 : 1);
    }
  }
  try {
    opts.selection = opts.inside ? [] : parseSelection(opts.shapes, opts.sizes);
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}`);
    process.exit(1);
  }
  return opts;
}

const commandExists = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

// ---- inside the namespace ------------------------------------------------

function moduleFiles(mod, version, mb) {
  const prefix = `${mod}@${version}/`;
  const files = [{ name: prefix + 'go.mod', data: Buffer.from(`module ${mod}\n\ngo 1.19\n`) }];
  // Random bytes do not deflate, so the zip is as large as asked (compressed
  // source would give the same wire bytes: TLS records of ciphertext).
  for (let i = 0; i < mb; i++) files.push({ name: `${prefix}data/part${i}.bin`, data: randomBytes(MB) });
  return writeZip(files);
}

function proxyHandler(zips) {
  return ({ path }) => {
    const at = path.indexOf('/@v/');
    if (at < 0) return { status: 404, body: 'not found\n' };
    const mod = path.slice(1, at);
    const file = path.slice(at + 4);
    const zip = zips.get(mod);
    if (!zip) return { status: 404, body: `not found: module ${mod}: no matching versions\n` };
    if (file === 'list') return { status: 200, body: 'v1.0.0\nv1.1.0\nv1.2.0\n' };
    const version = file.replace(/\.(info|mod|zip)$/, '');
    if (file.endsWith('.info')) return { status: 200, type: 'application/json', body: JSON.stringify({ Version: version, Time: '2024-01-15T09:30:00Z' }) + '\n' };
    if (file.endsWith('.mod')) return { status: 200, body: `module ${mod}\n\ngo 1.19\n` };
    if (file.endsWith('.zip')) return { status: 200, type: 'application/zip', body: zip };
    return { status: 404, body: 'not found\n' };
  };
}

function sumdbHandler() {
  return ({ path }) => {
    if (!path.startsWith('/lookup/')) return { status: 404, body: 'not found\n' };
    const key = path.slice('/lookup/'.length);
    return { status: 200, body: `1234\n${key} h1:${randomBytes(32).toString('base64')}\n${key}/go.mod h1:${randomBytes(32).toString('base64')}\n\ngo.sum database tree\n1300\n${randomBytes(32).toString('base64')}\n\n— sum.golang.org ${randomBytes(64).toString('base64')}\n` };
  };
}

/** One curl process: a fresh connection (and DNS lookup) fetching `urls` in order over it. */
function curl(caFile, urls, extra) {
  const args = ['-sS', '--fail-with-body', '--cacert', caFile, '-A', 'Go-http-client/2.0', '--limit-rate', RATE, ...extra];
  for (const u of urls) args.push('-o', '/dev/null', u);
  const child = spawnTracked('curl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return exited(child).then((code) => {
    if (code !== 0) throw new Error(`curl ${urls[0]} …: exit ${code}: ${stderr.trim()}`);
  });
}

function moduleUrls(base, round) {
  return MODULES.flatMap(({ path }) => {
    const v = `v1.${round % 3}.0`;
    return [`${base}/${path}/@v/list`, `${base}/${path}/@v/${v}.info`, `${base}/${path}/@v/${v}.mod`, `${base}/${path}/@v/${v}.zip`];
  });
}

/** Short connections that fetch only list/info/mod, as `go list -m -versions` or `go get …@latest` do: handshake-heavy traffic. */
function metadataFetches(caFile, round) {
  const bases = [['https://proxy.golang.org', ['--http2', '--tlsv1.3']], ['https://goproxy.cn', ['--http2', '--tls-max', '1.2']], ['http://goproxy.corp.test', ['--http1.1']]];
  return MODULES.flatMap(({ path }, i) => bases.map(([base, extra]) => {
    const v = `v1.${(round + i) % 3}.0`;
    return curl(caFile, [`${base}/${path}/@v/list`, `${base}/${path}/@v/${v}.info`, `${base}/${path}/@v/${v}.mod`], extra);
  }));
}

async function inside(opts) {
  const work = mkdtempSync('/tmp/gotap-bench-');
  const closers = [];
  const out = join(opts.dir, 'capture.partial.pcap');
  try {
    // The namespace's own loopback: Ethernet-sized segments, no GSO/TSO/GRO super-packets.
    execFileSync('ip', ['link', 'set', 'lo', 'mtu', '1500']);
    execFileSync('ethtool', ['-K', 'lo', 'gso', 'off', 'tso', 'off', 'gro', 'off']);
    const ca = createCa(join(work, 'ca'), { subject: '/O=gotap bench/CN=gotap bench Root CA', keyType: 'ec', daysBack: 400 });
    const zips = new Map(MODULES.map(({ path, mb }) => [path, moduleFiles(path, 'v1.0.0', mb)]));
    const zone = Object.fromEntries(Object.entries(SITES).map(([name, s]) => [name, s.address]));
    closers.push(await startDnsServer({ address: DNS_ADDRESS, zone, log: () => {} }));
    for (const [name, site] of Object.entries(SITES)) {
      const tls = site.tls ? { ...issueLeaf(ca, name, { minutesBack: 30 * 1440, days: 60 }), maxVersion: site.tls } : undefined;
      const handler = name === 'sum.golang.org' ? sumdbHandler() : proxyHandler(zips);
      closers.push(await startSite({ name, address: site.address, port: site.port, tls, handler, keylog: () => {}, log: () => {} }));
    }
    rmSync(out, { force: true });
    const capture = await startCapture(out);
    let stderr;
    try {
      for (let round = 0; round < MAX_ROUNDS && statSync(out).size < TARGET_BYTES; round++) {
        const lookups = MODULES.map(({ path }) => `https://sum.golang.org/lookup/${path}@v1.${round % 3}.0`);
        await Promise.all([
          curl(ca.certFile, moduleUrls('https://proxy.golang.org', round), ['--http2', '--tlsv1.3']),
          curl(ca.certFile, moduleUrls('https://goproxy.cn', round), ['--http2', '--tls-max', '1.2']),
          curl(ca.certFile, moduleUrls('http://goproxy.corp.test', round), ['--http1.1']),
          ...lookups.map((u) => curl(ca.certFile, [u], ['--http2', '--tlsv1.3'])),
          ...metadataFetches(ca.certFile, round),
        ]);
        if (round % 5 === 4) log(`round ${round + 1}: ${(statSync(out).size / MB).toFixed(0)} MB`);
      }
    } finally {
      stderr = await capture.stop();
    }
    const dropped = Number(/(\d+) packets dropped by kernel/.exec(stderr)?.[1] ?? 0);
    if (dropped > 0) throw new Error(`tcpdump dropped ${dropped} packets; lower RATE in bench/generate.mjs and run again`);
    renameSync(out, join(opts.dir, SHAPES.mix.file(500)));
    return 0;
  } catch (err) {
    log(`${err.stack ?? err}`);
    rmSync(out, { force: true });
    return 1;
  } finally {
    await Promise.all(closers.map((c) => c.close()));
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- outside --------------------------------------------------------------

/** Records what is known about `files` (paths) in their shape directory's meta.json, with `extra` per file. */
function recordMeta(dir, about, files, extra = () => ({})) {
  const meta = readMeta(dir);
  meta.about = about;
  for (const f of files) {
    const info = { ...capinfos(f), ...extra(f), made: new Date().toISOString() };
    delete info.file;
    meta.files[basename(f)] = info;
    log(`${f}: ${(info.bytes / MB).toFixed(0)} MB, ${info.packets.toLocaleString('en-US')} packets, ${info.seconds.toFixed(1)} s of traffic`);
  }
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}

function deriveMixSizes(dir) {
  const medium = join(dir, SHAPES.mix.file(500));
  const info = capinfos(medium);
  // The first packets up to ~100 MB (packet sizes are uniform enough across rounds).
  const keep = Math.floor((info.packets * 100 * MB) / info.bytes);
  execFileSync('editcap', ['-F', 'pcap', '-r', medium, join(dir, SHAPES.mix.file(100)), `1-${keep}`]);
  // Copies shifted past the end of the previous one (plus a minute) so no flow overlaps its copy.
  const shift = Math.ceil(info.seconds) + 60;
  const copies = [];
  for (let i = 1; i < COPIES_FOR_LARGE; i++) {
    const copy = join(dir, `shift${i}.tmp.pcap`);
    execFileSync('editcap', ['-F', 'pcap', '-t', String(i * shift), medium, copy]);
    copies.push(copy);
  }
  try {
    execFileSync('mergecap', ['-F', 'pcap', '-a', '-w', join(dir, SHAPES.mix.file(2000)), medium, ...copies]);
  } finally {
    for (const c of copies) rmSync(c, { force: true });
  }
}

/** The mix: all three sizes at once (the 100 MB and 2 GB files are cut and copied from the 500 MB one). */
async function makeMix(opts) {
  if (process.getuid?.() !== 0) throw new Error('the mix must be made as root (network namespace, tcpdump, ethtool): sudo node bench/generate.mjs');
  const missing = MIX_TOOLS.filter((t) => !commandExists(t));
  if (missing.length > 0) throw new Error(`missing tools: ${missing.join(', ')} (Debian: apt-get install tcpdump iproute2 ethtool openssl curl tshark)`);
  const dir = shapeDir(opts.dir, 'mix');
  const fs = statfsSync(opts.dir);
  if (fs.bavail * fs.bsize < MIX_FREE_BYTES) throw new Error(`not enough disk space in ${opts.dir}: ${MIX_FREE_BYTES / 1e9} GB needed (use --dir or GOTAP_BENCH_DIR elsewhere)`);
  log(`capturing ~${TARGET_BYTES / MB} MB into ${dir}`);
  const name = `gotapbench-${process.pid}`;
  const code = await runInNamespace(name, [fileURLToPath(import.meta.url), '--inside', name, '--dir', dir]);
  if (code !== 0) throw new Error('capturing the mix failed (see above)');
  log('deriving the 100 MB and 2 GB variants');
  deriveMixSizes(dir);
  recordMeta(dir, {
    madeBy: 'sudo node bench/generate.mjs --shapes mix',
    link: 'loopback in a private netns, MTU 1500, gso/tso/gro off',
    traffic: 'per round: TLS 1.3 h2 proxy.golang.org and TLS 1.2 h2 goproxy.cn and HTTP/1.1 goproxy.corp.test (list/info/mod/zip of 3, 5, 8 MB modules), 3 TLS 1.3 sum.golang.org lookups, 9 short list/info/mod connections, DNS A/AAAA of each curl',
  }, SIZES.map((mb) => shapeFile(opts.dir, 'mix', mb)));
}

/** DNS storm or short flows of the given sizes, in one pass (a smaller file is a prefix of a larger one). */
function makeRecords(opts, shape, sizes) {
  const dir = shapeDir(opts.dir, shape);
  const paths = sizes.map((mb) => shapeFile(opts.dir, shape, mb));
  const partial = paths.map((p) => `${p}.partial`);
  const started = Date.now();
  log(`writing ${shape} ${sizes.join(', ')} MB with the record writer`);
  const targets = sizes.map((mb) => mb * MB);
  const writer = shape === 'dns' ? writeDnsStorm(partial, targets) : writeShortFlows(partial, targets, HELLO_CAPTURE);
  partial.forEach((p, i) => renameSync(p, paths[i]));
  log(`written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const stats = new Map(paths.map((p, i) => [p, writer.statsAt[i]]));
  recordMeta(dir, {
    madeBy: `node bench/generate.mjs --shapes ${shape}`,
    writer: 'bench/pcap-writer.mjs (record writer), bench/shapes.mjs',
    traffic: SHAPES[shape].title,
  }, paths, (p) => stats.get(p));
}

/** pcapng / gzip: the mix file of that size converted. */
function makeDerived(opts, shape, mb) {
  const dir = shapeDir(opts.dir, shape);
  const out = shapeFile(opts.dir, shape, mb);
  const tmp = `${out}.partial`;
  if (shape === 'pcapng') execFileSync('editcap', ['-F', 'pcapng', shapeFile(opts.dir, 'mix', mb), tmp]);
  else {
    const ng = shapeFile(opts.dir, 'pcapng', mb);
    execFileSync('sh', ['-c', 'gzip -6 -c "$1" > "$2"', 'sh', ng, tmp]);
  }
  renameSync(tmp, out);
  recordMeta(dir, readMeta(dir).about, [out], () => ({ uncompressedBytes: statSync(shape === 'gzip' ? shapeFile(opts.dir, 'pcapng', mb) : out).size }));
}

const present = (opts, shape, mb) => !opts.regenerate && existsSync(shapeFile(opts.dir, shape, mb)) && readMeta(shapeDir(opts.dir, shape)).files[basename(shapeFile(opts.dir, shape, mb))];

/** Makes whatever of `selection` ([{ shape, sizes }]) is not cached yet, sources before what is derived from them. */
async function ensure(opts, selection) {
  mkdirSync(opts.dir, { recursive: true });
  const want = new Map();
  const add = (shape, mb) => {
    if (shape === 'pcapng' || shape === 'live') add('mix', mb);
    if (shape === 'gzip') add('pcapng', mb);
    if (shape !== 'live') want.set(`${shape}:${mb}`, { shape, mb });
  };
  for (const { shape, sizes } of selection) for (const mb of sizes) add(shape, mb);
  const todo = [...want.values()].filter(({ shape, mb }) => !present(opts, shape, mb));
  for (const dir of new Set(todo.map(({ shape }) => shapeDir(opts.dir, shape)))) mkdirSync(dir, { recursive: true });
  if (todo.some(({ shape }) => shape === 'mix')) await makeMix(opts);
  for (const shape of ['dns', 'flows']) {
    const sizes = todo.filter((t) => t.shape === shape).map((t) => t.mb);
    if (sizes.length > 0) makeRecords(opts, shape, sizes);
  }
  for (const shape of ['pcapng', 'gzip']) for (const t of todo.filter((x) => x.shape === shape)) makeDerived(opts, shape, t.mb);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.inside) process.exitCode = await inside(opts);
else {
  try {
    await ensure(opts, opts.selection);
  } catch (err) {
    log(err.message);
    process.exitCode = 1;
  }
}
