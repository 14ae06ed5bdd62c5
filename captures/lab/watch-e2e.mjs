#!/usr/bin/env node
// `gotap watch -- go mod download` for real, in the lab: a private network namespace
// with the lab's DNS server and HTTPS sites of one scenario (default: clean), where
// gotap itself starts tcpdump on `lo`, runs the go command of the scenario's first run
// with the lab's Go environment, and prints its summary. gotap's stdout and stderr pass
// through and its exit status is this script's, so a test can assert on them.
// The outer process (root) owns the namespace and removes it whatever happens, as
// lab.mjs does; the inner one runs inside it with `ip netns exec`.
//
// Usage: sudo node captures/lab/watch-e2e.mjs [--scenario NAME] [-- extra gotap watch options]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSUMER_GO_MOD, SCENARIOS } from './scenarios.mjs';
import { exited, spawnTracked, stopAll } from './lib/children.mjs';
import { startDnsServer } from './lib/dns-server.mjs';
import { goEnvironment } from './lib/gorun.mjs';
import { prepare } from './lib/inside.mjs';
import { DNS_ADDRESS, runInNamespace } from './lib/netns.mjs';
import { startSite } from './lib/sites.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const GOTAP = resolve(HERE, '../../bin/gotap.js');
const RESPONSE_DELAY_MS = 40;

function parseArgs(argv) {
  const opts = { scenario: 'clean', inside: undefined, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.extra = argv.slice(i + 1);
      break;
    }
    if (a === '--scenario' && i + 1 < argv.length) opts.scenario = argv[++i];
    else if (a === '--inside' && i + 1 < argv.length) opts.inside = argv[++i];
    else {
      process.stderr.write(`usage: sudo node captures/lab/watch-e2e.mjs [--scenario NAME] [-- gotap watch options]\n`);
      process.exit(64);
    }
  }
  if (!SCENARIOS.some((s) => s.name === opts.scenario)) {
    process.stderr.write(`watch-e2e: unknown scenario ${opts.scenario}\n`);
    process.exit(64);
  }
  return opts;
}

async function outer(opts) {
  if (process.getuid?.() !== 0) {
    process.stderr.write('watch-e2e: must run as root (network namespace, tcpdump)\n');
    process.exit(1);
  }
  const name = `gotapwatch-${process.pid}`;
  const code = await runInNamespace(name, [fileURLToPath(import.meta.url), '--inside', name, '--scenario', opts.scenario, '--', ...opts.extra]);
  process.exit(code);
}

async function inside(opts) {
  const work = mkdtempSync('/tmp/gotap-watch-e2e-');
  const closers = [];
  const cleanup = async () => {
    await stopAll();
    await Promise.all(closers.map((c) => c.close()));
    rmSync(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    const scenario = SCENARIOS.find((s) => s.name === opts.scenario);
    const lab = prepare(work);
    closers.push(await startDnsServer({ address: DNS_ADDRESS, zone: scenario.zone(), injected: scenario.injected, log: () => undefined }));
    // Real proxies answer in tens of milliseconds; the lab's in microseconds, and a go command that
    // ends within 100 ms is gone before anyone can ask the kernel who owned its sockets.
    for (const site of scenario.sites(lab)) closers.push(await startSite({ ...site, keylog: () => undefined, log: () => undefined, delayMs: RESPONSE_DELAY_MS }));
    const run = scenario.runs(lab)[0];
    const cwd = join(work, 'run', run.cwd);
    mkdirSync(cwd, { recursive: true });
    if (run.cwd === 'consumer') writeFileSync(join(cwd, 'go.mod'), CONSUMER_GO_MOD);
    const caFile = lab.caFiles[scenario.caFile ?? 'lab'];
    const { fullEnv } = goEnvironment({ home: join(work, 'run', 'home'), goBinDir: lab.goBinDir, caFile, env: run.env ?? {} });
    // tcpdump lives in /usr/sbin on some systems.
    const env = { ...fullEnv, PATH: `${fullEnv.PATH}:/usr/sbin:/sbin` };
    const gotap = spawnTracked(process.execPath, [GOTAP, 'watch', '-i', 'lo', '--ca-file', caFile, ...opts.extra, '--', 'go', ...run.args], {
      cwd,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    return await exited(gotap);
  } catch (err) {
    process.stderr.write(`watch-e2e: ${err.stack ?? err}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

const opts = parseArgs(process.argv.slice(2));
if (opts.inside) process.exit(await inside(opts));
else await outer(opts);
