/**
 * `gotap live` and `gotap watch` end to end through the built CLI, without root: a fake
 * `tcpdump` first on PATH (fake-tcpdump.ts) prints the real tcpdump's messages and streams
 * a real lab capture (captures/lab/clean) as its pcap output, so the whole path — child
 * process, pipeline, plain-line output, Ctrl-C, summary, report, exit codes — runs as a
 * user sees it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { defaultFilter } from '../../src/live/tcpdump.js';
import { repoRoot } from '../corpus.js';
import { gotapBin } from './cli.js';
import { makeFakeTcpdump } from './fake-tcpdump.js';

const dir = mkdtempSync(join(tmpdir(), 'gotap-live-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const emptyBin = join(dir, 'empty');
mkdirSync(emptyBin);
const { binDir, argsFile } = makeFakeTcpdump(dir, join(repoRoot, 'captures/lab/clean/capture.pcap'));

function env(mode = '', path = `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`): NodeJS.ProcessEnv {
  return { ...process.env, PATH: path, FAKE_TCPDUMP: mode };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gotapSync(args: string[], e: NodeJS.ProcessEnv): Run {
  const r = spawnSync(process.execPath, [gotapBin, ...args], { cwd: repoRoot, env: e, encoding: 'utf8', timeout: 25_000, killSignal: 'SIGTERM' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts gotap, waits until stdout matches `ready`, sends SIGINT, and resolves when it exits. */
function gotapUntil(args: string[], e: NodeJS.ProcessEnv, ready: RegExp): Promise<Run & { linesBeforeStop: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gotapBin, ...args], { cwd: repoRoot, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let linesBeforeStop = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`gotap did not print ${ready} in time; stdout: ${stdout}; stderr: ${stderr}`));
    }, 25_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!linesBeforeStop && ready.test(stdout)) {
        linesBeforeStop = stdout;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, linesBeforeStop });
    });
  });
}

describe('gotap live --no-ui (fake tcpdump streaming the clean lab capture)', () => {
  it('prints hosts and findings as they appear; Ctrl-C prints the summary with drops and writes the report', async () => {
    const report = join(dir, 'live.md');
    const r = await gotapUntil(['live', '--no-ui', '-i', 'lo', '--report', report], env(), /^finding .*sum\.golang\.org/m);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toBe('');
    expect(r.linesBeforeStop).toMatch(/^host proxy\.golang\.org \[proxy\] .* at 127\.0\.0\.2 port 443$/m);
    expect(r.linesBeforeStop).toMatch(/^host sum\.golang\.org \[sumdb\] /m);
    expect(r.linesBeforeStop).toMatch(/^finding WARN dns-bogon-answer: .*proxy\.golang\.org/m);
    expect(r.linesBeforeStop).not.toMatch(/^hosts:$/m);
    // Each host and finding is printed once, however many snapshots were compared.
    expect(r.stdout.match(/^host proxy\.golang\.org /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^capture: \d+ packets, .*, 3 dropped by the kernel$/m);
    expect(r.stdout).toContain('warning: tcpdump lost packets');
    expect(r.stdout).toMatch(/^ {2}proxy\.golang\.org\s+proxy\s+/m);
    expect(r.stdout).toContain(`report written to ${report}`);
    expect(readFileSync(report, 'utf8')).toContain('proxy.golang.org');
    // The default filter, on the interface asked for.
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(`-i lo -U -w - -s 0 --immediate-mode -B 32768 -n ${defaultFilter()}`);
  });

  it('--fail-on warn exits 1 when a warning was found', async () => {
    const r = await gotapUntil(['live', '--no-ui', '--fail-on', 'warn'], env(), /^finding WARN/m);
    expect(r.code).toBe(EXIT.findings);
  });

  it('says so with tcpdump’s own message when tcpdump dies, after the summary of what it saw', () => {
    const r = gotapSync(['live', '--no-ui', '--no-processes'], env('die'));
    expect(r.code).toBe(EXIT.tcpdumpDied);
    expect(r.stderr).toBe('gotap: tcpdump exited with status 1: tcpdump: pcap_loop: The interface went down\n');
    expect(r.stdout).toMatch(/^ {2}sum\.golang\.org\s+sumdb/m);
  });

  it('adds the ports of configured HTTP proxies to the default filter; -f replaces it', () => {
    const config = join(dir, 'gotap.json');
    writeFileSync(config, JSON.stringify({ httpProxies: ['proxy.corp.example:3129', '[2001:db8::1]:8888'] }));
    gotapSync(['live', '--no-ui', '--config', config], env('perm'));
    expect(readFileSync(argsFile, 'utf8')).toContain(`${defaultFilter()} or port 3129 or port 8888`);
    gotapSync(['live', '--no-ui', '-f', 'udp port 53'], env('perm'));
    expect(readFileSync(argsFile, 'utf8').trim()).toMatch(/ -n udp port 53$/);
  });
});

describe('one line and a distinct exit code per capture failure', () => {
  it('tcpdump not installed', () => {
    const r = gotapSync(['live', '--no-ui'], env('', emptyBin));
    expect(r).toMatchObject({ code: EXIT.noTcpdump, stderr: 'gotap: tcpdump is not installed: apt-get install tcpdump\n', stdout: '' });
  });

  it('no permission', () => {
    const r = gotapSync(['watch', '--', 'true'], env('perm'));
    expect(r.code).toBe(EXIT.noPermission);
    expect(r.stderr).toBe('gotap: no permission to capture: run as root or grant CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip $(which tcpdump))\n');
  });

  it('unknown interface, listing the real ones', () => {
    const r = gotapSync(['live', '--no-ui', '-i', 'wlan9'], env('nodev'));
    expect(r.code).toBe(EXIT.noInterface);
    expect(r.stderr).toMatch(/^gotap: no such interface: wlan9; available: .*\blo\b.* \(or any\)\n$/);
  });
});

describe('gotap watch (fake tcpdump)', () => {
  it('runs the command, prints the summary, and exits with the command’s status', () => {
    const r = gotapSync(['watch', '--grace', '100', '--', 'sh', '-c', 'echo from-the-command; exit 3'], env());
    expect(r.code).toBe(3);
    expect(r.stdout.startsWith('from-the-command\ngotap: ')).toBe(true);
    expect(r.stdout).toMatch(/^ {2}proxy\.golang\.org\s+proxy\s+/m);
  });

  it('--fail-on takes precedence over the command’s status', () => {
    expect(gotapSync(['watch', '--grace', '0', '--fail-on', 'warn', '--', 'sh', '-c', 'exit 3'], env()).code).toBe(EXIT.findings);
    expect(gotapSync(['watch', '--grace', '0', '--fail-on', 'critical', '--', 'sh', '-c', 'exit 3'], env()).code).toBe(3);
  });

  it('writes the report in the format its extension names; an unwritable report path is exit 2 before anything runs', () => {
    const json = join(dir, 'watch.json');
    expect(gotapSync(['watch', '--grace', '0', '--report', json, '--', 'true'], env()).code).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { schema: string; hosts: { key: string }[] };
    expect(doc.schema).toBe('gotap.report/1');
    expect(doc.hosts.map((h) => h.key)).toContain('sum.golang.org');
    const report = join(dir, 'no-such-dir', 'r.md');
    const marker = join(dir, 'ran');
    const r = gotapSync(['watch', '--grace', '0', '--report', report, '--', 'touch', marker], env());
    expect(r).toEqual({ code: EXIT.input, stdout: '', stderr: `gotap: ${report}: no such directory: ${join(dir, 'no-such-dir')} — give a path in a directory you can write to\n` });
    expect(existsSync(marker)).toBe(false);
  });

  it('a command that cannot be started: 127, as a shell says', () => {
    const r = gotapSync(['watch', '--grace', '0', '--', 'gotap-no-such-command'], env());
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('gotap: command not found: gotap-no-such-command\n');
  });

  it('rejects a bad --grace', () => {
    expect(gotapSync(['watch', '--grace', 'soon', '--', 'true'], env()).code).toBe(EXIT.usage);
  });
});
