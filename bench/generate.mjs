#!/usr/bin/env node
// Makes the benchmark captures once and caches them outside the repository
// (they are hundreds of MB to GB, and a benchmark should read the same bytes
// every time). Like the lab (captures/lab/), and with its helpers: a private
// network namespace with only `lo` up, the lab DNS server, HTTPS servers
// (http2 with HTTP/1.1 fallback) with certificates from a per-run lab CA, a
// plaintext HTTP mirror, and tcpdump on `lo`. Unlike the lab, the loopback
// link is set to MTU 1500 with segmentation offloads off, so the capture has
// the packet sizes of a real Ethernet link rather than 64 KiB super-packets,
// and the clients are curl processes fetching multi-MB module zips in a
// bounded loop until the capture reaches its size.
//
// Traffic per round: TLS 1.3 + h2 to proxy.golang.org (list, info, mod, zip
// of several MB), TLS 1.2 + h2 to goproxy.cn (same), HTTP/1.1 in clear to a
// company mirror (same), short TLS 1.3 connections to sum.golang.org
// (lookups), nine short connections fetching only list/info/mod, and the
// DNS A/AAAA queries of every curl process.
//
// Then derives, in the same directory: the first ~100 MB (editcap -r) and a
// ~2 GB file (mergecap -a of the 500 MB file and three copies shifted in time
// with editcap -t, so a flow never overlaps its copy).
//
// Needs root (network namespace, tcpdump, ethtool).
// Usage: sudo node bench/generate.mjs [--dir DIR] [--regenerate]
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exited, spawnTracked, stopAll } from '../captures/lab/lib/children.mjs';
import { startDnsServer } from '../captures/lab/lib/dns-server.mjs';
import { DNS_ADDRESS, runInNamespace } from '../captures/lab/lib/netns.mjs';
import { createCa, issueLeaf } from '../captures/lab/lib/pki.mjs';
import { startSite } from '../captures/lab/lib/sites.mjs';
import { startCapture } from '../captures/lab/lib/tcpdump.mjs';
import { writeZip } from '../captures/lab/lib/zip.mjs';
import { BENCH_FILES, capinfos, DEFAULT_DIR, readMeta } from './files.mjs';

const MB = 1e6;
const TARGET_BYTES = 500 * MB;
const SMALL_BYTES = 100 * MB;
const COPIES_FOR_LARGE = 4; // 4 × 500 MB ≈ 2 GB
const MAX_ROUNDS = 400; // a bound on the loop whatever happens; a round adds ~40 MB
const RATE = '20M'; // per curl process: keeps tcpdump from dropping packets on 2 cores
const NEEDED_FREE_BYTES = 6e9; // 500 MB + 100 MB + 2 GB + 1.5 GB of temporary shifted copies, with margin

const TOOLS = ['tcpdump', 'ip', 'ethtool', 'openssl', 'curl', 'editcap', 'mergecap', 'capinfos'];

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

function parseArgs(argv) {
  const opts = { dir: process.env.GOTAP_BENCH_DIR || DEFAULT_DIR, regenerate: false, inside: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir' && i + 1 < argv.length) opts.dir = resolve(argv[++i]);
    else if (a === '--regenerate') opts.regenerate = true;
    else if (a === '--inside' && i + 1 < argv.length) opts.inside = argv[++i];
    else {
      process.stderr.write('usage: sudo node bench/generate.mjs [--dir DIR] [--regenerate]\n');
      process.exit(a === '-h' || a === '--help' ? 0 : 1);
    }
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
    renameSync(out, join(opts.dir, BENCH_FILES.medium));
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

// ---- outside (root, owns the namespace) -----------------------------------

async function captureInNamespace(opts) {
  const name = `gotapbench-${process.pid}`;
  return runInNamespace(name, [fileURLToPath(import.meta.url), '--inside', name, '--dir', opts.dir]);
}

function derive(dir) {
  const medium = join(dir, BENCH_FILES.medium);
  const info = capinfos(medium);
  // The first packets up to ~100 MB (packet sizes are uniform enough across rounds).
  const keep = Math.floor((info.packets * SMALL_BYTES) / info.bytes);
  execFileSync('editcap', ['-F', 'pcap', '-r', medium, join(dir, BENCH_FILES.small), `1-${keep}`]);
  // Copies shifted past the end of the previous one (plus a minute) so no flow overlaps its copy.
  const shift = Math.ceil(info.seconds) + 60;
  const copies = [];
  for (let i = 1; i < COPIES_FOR_LARGE; i++) {
    const copy = join(dir, `shift${i}.tmp.pcap`);
    execFileSync('editcap', ['-F', 'pcap', '-t', String(i * shift), medium, copy]);
    copies.push(copy);
  }
  try {
    execFileSync('mergecap', ['-F', 'pcap', '-a', '-w', join(dir, BENCH_FILES.large), medium, ...copies]);
  } finally {
    for (const c of copies) rmSync(c, { force: true });
  }
}

async function outer(opts) {
  if (process.getuid?.() !== 0) {
    log('must run as root (network namespace, tcpdump, ethtool): sudo node bench/generate.mjs');
    return 1;
  }
  const missing = TOOLS.filter((t) => !commandExists(t));
  if (missing.length > 0) {
    log(`missing tools: ${missing.join(', ')} (Debian: apt-get install tcpdump iproute2 ethtool openssl curl tshark)`);
    return 1;
  }
  mkdirSync(opts.dir, { recursive: true });
  const present = Object.values(BENCH_FILES).every((f) => existsSync(join(opts.dir, f))) && readMeta(opts.dir);
  if (present && !opts.regenerate) {
    log(`captures already in ${opts.dir} (use --regenerate to make them again)`);
    return 0;
  }
  const fs = statfsSync(opts.dir);
  const free = fs.bavail * fs.bsize;
  if (free < NEEDED_FREE_BYTES) {
    log(`not enough disk space in ${opts.dir}: ${(free / 1e9).toFixed(1)} GB free, ${NEEDED_FREE_BYTES / 1e9} GB needed (use --dir or GOTAP_BENCH_DIR elsewhere)`);
    return 1;
  }
  for (const f of [...Object.values(BENCH_FILES), 'meta.json']) rmSync(join(opts.dir, f), { force: true });
  const started = Date.now();
  log(`capturing ~${TARGET_BYTES / MB} MB into ${opts.dir} (${(free / 1e9).toFixed(0)} GB free)`);
  const code = await captureInNamespace(opts);
  if (code !== 0) return code;
  log('deriving the 100 MB and 2 GB variants');
  derive(opts.dir);
  const files = Object.fromEntries(Object.entries(BENCH_FILES).map(([k, f]) => [k, capinfos(join(opts.dir, f))]));
  const meta = {
    made: new Date().toISOString(),
    madeBy: 'sudo node bench/generate.mjs',
    link: 'loopback in a private netns, MTU 1500, gso/tso/gro off',
    traffic: 'per round: TLS 1.3 h2 proxy.golang.org and TLS 1.2 h2 goproxy.cn and HTTP/1.1 goproxy.corp.test (list/info/mod/zip of 3, 5, 8 MB modules), 3 TLS 1.3 sum.golang.org lookups, 9 short list/info/mod connections, DNS A/AAAA of each curl',
    files,
  };
  writeFileSync(join(opts.dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  for (const f of Object.values(files)) log(`${f.file}: ${(f.bytes / MB).toFixed(0)} MB, ${f.packets} packets, ${f.seconds.toFixed(1)} s`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

const opts = parseArgs(process.argv.slice(2));
process.exitCode = opts.inside ? await inside(opts) : await outer(opts);
