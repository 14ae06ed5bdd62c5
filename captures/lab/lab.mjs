#!/usr/bin/env node
// The gotap lab: produces real Go tooling traffic on a machine without
// internet and records it (capture.pcap, keylog.txt, go-x.log,
// scenario.json per scenario). The outer process (root) checks tools and
// owns the network namespace; it re-runs itself inside the namespace with
// `ip netns exec` (which also bind-mounts the namespace's resolv.conf), where
// the inner process runs the DNS server, the web servers, tcpdump and the go
// commands. Whatever happens, the outer process removes the namespace.
//
// Usage: sudo npm run lab [-- --scenario NAME ...] [--out DIR]
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './scenarios.mjs';
import { runInNamespace } from './lib/netns.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

const TOOLS = [
  ['go', 'golang-go'],
  ['tcpdump', 'tcpdump'],
  ['ip', 'iproute2'],
  ['openssl', 'openssl'],
  ['env', 'coreutils'],
];

function usage(message) {
  process.stderr.write(`${message ? message + '\n' : ''}usage: sudo npm run lab -- [--scenario NAME]... [--out DIR]\n` +
    `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\n` +
    'writes DIR/<scenario>/{capture.pcap,keylog.txt,go-x.log,scenario.json} (default DIR: captures/lab)\n');
  process.exit(message ? 1 : 0);
}

function parseArgs(argv) {
  const opts = { scenarios: [], out: HERE, inside: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--scenario') opts.scenarios.push(value());
    else if (a === '--out') opts.out = resolve(value());
    else if (a === '--inside') opts.inside = value();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument: ${a}`);
  }
  for (const s of opts.scenarios) if (!SCENARIOS.some((x) => x.name === s)) usage(`unknown scenario: ${s}`);
  if (opts.scenarios.length === 0) opts.scenarios = SCENARIOS.map((s) => s.name);
  return opts;
}

function missingTools() {
  return TOOLS.filter(([cmd]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

async function outer(opts) {
  if (process.getuid?.() !== 0) {
    process.stderr.write('gotap lab: must run as root (it creates a network namespace and runs tcpdump): sudo npm run lab\n');
    process.exit(1);
  }
  const missing = missingTools();
  if (missing.length > 0) {
    for (const [cmd, pkg] of missing) process.stderr.write(`gotap lab: '${cmd}' not found: apt-get install ${pkg}\n`);
    process.exit(1);
  }
  const started = Date.now();
  const args = [fileURLToPath(import.meta.url), '--inside', `gotaplab-${process.pid}`, '--out', opts.out, ...opts.scenarios.flatMap((s) => ['--scenario', s])];
  const code = await runInNamespace(`gotaplab-${process.pid}`, args);
  process.stderr.write(`gotap lab: ${code === 0 ? 'done' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  process.exit(code);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.inside) {
  const { inside } = await import('./lib/inside.mjs');
  process.exit(await inside(opts));
} else {
  await outer(opts);
}
