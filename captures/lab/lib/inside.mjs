// The part of the lab that runs inside the network namespace: builds the
// module tree, checksum database and certificates once per run, then for each
// scenario starts its DNS server, sites and tcpdump, runs its go commands,
// stops everything and writes the scenario's files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADDRESSES, CONSUMER_GO_MOD, SCENARIOS } from '../scenarios.mjs';
import { requestsFromXLog } from '../check-xlog.mjs';
import { stopAll } from './children.mjs';
import { startConnectProxy } from './connect-proxy.mjs';
import { startDnsServer } from './dns-server.mjs';
import { runGo } from './gorun.mjs';
import { buildModuleTree } from './modtree.mjs';
import { DNS_ADDRESS } from './netns.mjs';
import { createCa, issueLeaf } from './pki.mjs';
import { startSite } from './sites.mjs';
import { createSumdb } from './sumdb.mjs';
import { startCapture } from './tcpdump.mjs';

const MAX_ATTEMPTS = 3;
const ZSCALER_SUBJECT = '/C=US/ST=California/L=San Jose/O=Zscaler Inc./OU=Zscaler Inc./CN=Zscaler Root CA';

/** The run's shared material (module tree, checksum database, CAs, go); also used by watch-e2e.mjs. */
export function prepare(work) {
  const tree = buildModuleTree();
  const sumdb = createSumdb('sum.golang.org', [...tree.values()].filter((m) => !m.private));
  const labCa = createCa(join(work, 'pki', 'lab'), { subject: '/O=gotap lab/CN=gotap lab Root CA', keyType: 'ec', daysBack: 400 });
  const zscalerCa = createCa(join(work, 'pki', 'zscaler'), { subject: ZSCALER_SUBJECT, keyType: 'rsa', daysBack: 3000 });
  const impostorDir = join(work, 'pki', 'impostor');
  mkdirSync(impostorDir, { recursive: true });
  const cache = new Map();
  const tls = (host, kind) => {
    const key = `${kind}:${host}`;
    if (!cache.has(key)) {
      let value;
      if (kind === 'zscaler') {
        // mitmproxy style: minted minutes ago, carrying the CA's own key; TLS 1.2 so the chain is in clear.
        const leaf = issueLeaf(zscalerCa, host, { reuseCaKey: true, minutesBack: 2, days: 14 });
        value = { cert: leaf.cert + zscalerCa.pem, key: leaf.key, maxVersion: 'TLSv1.2' };
      } else if (kind === 'impostor') {
        value = issueLeaf({ ...labCa, dir: impostorDir }, host, { minutesBack: 10, days: 30 });
      } else {
        value = issueLeaf(labCa, host, { minutesBack: 30 * 1440, days: 60 });
      }
      cache.set(key, value);
    }
    return cache.get(key);
  };
  const goBinDir = dirname(realpathSync(execFileSync('sh', ['-c', 'command -v go']).toString().trim()));
  const goVersion = execFileSync(join(goBinDir, 'go'), ['version']).toString().trim();
  return { tree, sumdb, tls, caFiles: { lab: labCa.certFile, zscaler: zscalerCa.certFile }, caPems: { lab: labCa.pem, zscaler: zscalerCa.pem }, goBinDir, goVersion };
}

const shellQuote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function commandLine(run, result) {
  if (run.cleanEnv) return result.argv.map(shellQuote).join(' ');
  return Object.entries(run.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).concat(result.argv.map(shellQuote)).join(' ');
}

async function runScenario(scenario, lab, work, outDir) {
  const dir = join(outDir, scenario.name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['capture.pcap', 'keylog.txt', 'go-x.log', 'scenario.json', 'trusted-ca.pem']) rmSync(join(dir, f), { force: true });
  const t0 = Date.now();
  const keylog = [];
  const serverLog = [];
  const dnsLog = [];
  const at = () => Number(((Date.now() - t0) / 1000).toFixed(3));
  const closers = [];
  const results = [];
  const caKind = scenario.caFile ?? 'lab';
  const runs = scenario.runs(lab);
  let tcpdumpStderr;
  try {
    closers.push(await startDnsServer({
      address: DNS_ADDRESS, zone: scenario.zone(), injected: scenario.injected, log: (e) => dnsLog.push({ t: at(), ...e }),
    }));
    const log = (e) => serverLog.push({ t: at(), ...e });
    const sites = scenario.sites(lab);
    for (const site of sites) closers.push(await startSite({ ...site, keylog: (line) => keylog.push(line), log }));
    if (scenario.connectProxy) closers.push(await startConnectProxy({ address: ADDRESSES.corpProxy, port: 3128, log }));
    const capture = await startCapture(join(dir, 'capture.pcap'));
    try {
      for (const [i, run] of runs.entries()) {
        const runDir = join(work, scenario.name, `run${i + 1}`);
        rmSync(runDir, { recursive: true, force: true });
        const cwd = join(runDir, run.cwd);
        mkdirSync(cwd, { recursive: true });
        if (run.cwd === 'consumer') writeFileSync(join(cwd, 'go.mod'), CONSUMER_GO_MOD);
        const result = await runGo({
          home: join(runDir, 'home'), cwd, goBinDir: lab.goBinDir, caFile: lab.caFiles[caKind], env: run.env ?? {}, args: run.args, cleanEnv: run.cleanEnv,
        });
        results.push({ run, result });
        process.stderr.write(`  ${scenario.name}/${run.label}: exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}, ${requestsFromXLog(result.stderr).length} requests\n`);
      }
      await sleep(300); // let the last FINs and alerts reach the capture
    } finally {
      tcpdumpStderr = await capture.stop();
    }
    const dropped = Number(/(\d+) packets dropped by kernel/.exec(tcpdumpStderr)?.[1] ?? 0);
    if (dropped > 0) return { dropped };
    writeOutputs({ scenario, lab, dir, results, keylog, serverLog, dnsLog, sites, caKind, tcpdumpStderr });
    return { dropped };
  } finally {
    await Promise.all(closers.map((c) => c.close()));
  }
}

function writeOutputs({ scenario, lab, dir, results, keylog, serverLog, dnsLog, sites, caKind, tcpdumpStderr }) {
  writeFileSync(join(dir, 'keylog.txt'), Buffer.concat(keylog));
  writeFileSync(join(dir, 'trusted-ca.pem'), lab.caPems[caKind]);
  const xlog = results.map(({ run, result }, i) =>
    `#### lab run ${i + 1} (${run.label}): ${commandLine(run, result)}\n${result.stderr}${result.stderr.endsWith('\n') || !result.stderr ? '' : '\n'}`).join('');
  writeFileSync(join(dir, 'go-x.log'), xlog);
  const requests = results.flatMap(({ run, result }) => requestsFromXLog(result.stderr).map((r) => ({ run: run.label, ...r })));
  const hosts = [...new Set(requests.map((r) => r.host))].sort();
  const flagged = scenario.flags.filter((f) => hosts.includes(f.host));
  for (const f of scenario.flags) if (!flagged.includes(f)) process.stderr.write(`  warning: ${scenario.name}: ${f.host} expected to be flagged but never contacted\n`);
  // Cross-check the two ground truths: every host in the -x log reached a lab server (by SNI, Host or CONNECT).
  const reached = [...new Set(serverLog.map((e) => e.host || e.sni || e.target?.replace(/:\d+$/, '')).filter(Boolean))].sort();
  // Which server address answered for which name (e.g. dns-hijack: proxy.golang.org at 127.0.0.66:443).
  const endpoints = [...new Set(serverLog.filter((e) => e.address).map((e) => `${e.host || e.sni || e.target}\t${e.site}\t${e.address}`))]
    .sort().map((k) => {
      const [name, site, address] = k.split('\t');
      return { name, site, address };
    });
  for (const h of hosts) if (!reached.includes(h)) process.stderr.write(`  warning: ${scenario.name}: ${h} is in go-x.log but no lab server saw it\n`);
  const doc = {
    scenario: scenario.name,
    title: scenario.title,
    madeBy: `sudo npm run lab -- --scenario ${scenario.name}`,
    goVersion: lab.goVersion,
    network: {
      dnsServer: DNS_ADDRESS,
      zone: scenario.zone(),
      injectedFirstAnswers: scenario.injected ?? {},
      sites: sites.map((s) => ({ name: s.name, listen: `${s.address}:${s.port}`, tls: s.tls ? { maxVersion: s.tls.maxVersion ?? 'TLSv1.3' } : null })),
      connectProxy: scenario.connectProxy ? `${ADDRESSES.corpProxy}:3128` : null,
      trustedCa: caKind === 'zscaler' ? 'Zscaler Root CA (trusted-ca.pem)' : 'gotap lab Root CA (trusted-ca.pem)',
    },
    sumdb: { name: lab.sumdb.name, vkey: lab.sumdb.vkey, treeSize: lab.sumdb.size },
    runs: results.map(({ run, result }) => ({
      label: run.label,
      command: commandLine(run, result),
      cwd: result.cwd,
      cleanEnv: Boolean(run.cleanEnv),
      env: result.env,
      goMod: run.cwd === 'consumer' ? CONSUMER_GO_MOD : null,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      stdout: result.stdout,
      lastError: result.exitCode === 0 ? [] : result.stderr.split('\n').filter((l) => l && !l.startsWith('# ') && !/^(mkdir|cd|cp|unzip|rm) /.test(l)).slice(-3),
    })),
    expected: { requests, hosts, hostsReachedServers: reached, endpoints, flagged, notFlagged: hosts.filter((h) => !flagged.some((f) => f.host === h)) },
    serverLog,
    dnsLog,
    tcpdump: tcpdumpStderr.trim().split('\n').filter((l) => /packets/.test(l)),
  };
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(doc, null, 2) + '\n');
}

export async function inside(opts) {
  const work = mkdtempSync('/tmp/gotap-lab-');
  const cleanup = async () => {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (sig) => () => {
    process.stderr.write(`gotap lab: ${sig}, stopping\n`);
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  try {
    const lab = prepare(work);
    process.stderr.write(`gotap lab: ${lab.goVersion}; sumdb ${lab.sumdb.vkey} (${lab.sumdb.size} records)\n`);
    for (const name of opts.scenarios) {
      const started = Date.now();
      process.stderr.write(`scenario ${name}\n`);
      // A capture with kernel drops would teach gotap's tests the wrong thing: run it again.
      for (let attempt = 1; ; attempt++) {
        const { dropped } = await runScenario(SCENARIOS.find((s) => s.name === name), lab, work, opts.out);
        if (dropped === 0) break;
        if (attempt === MAX_ATTEMPTS) throw new Error(`${name}: tcpdump dropped ${dropped} packets in ${attempt} attempts`);
        process.stderr.write(`  ${name}: tcpdump dropped ${dropped} packets, running it again\n`);
      }
      process.stderr.write(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`gotap lab: ${err.stack ?? err}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}
