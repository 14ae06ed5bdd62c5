/**
 * `gotap live` with the dashboard, in a real terminal (tmux), fed by the fake tcpdump
 * (fake-tcpdump.ts): the header shows the live packet count and tcpdump's drop count, q
 * stops the capture and leaves the final summary on the screen; when tcpdump dies the
 * dashboard closes by itself and gotap says why, exit 7. Skipped without tmux.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { repoRoot } from '../corpus.js';
import { gotapBin } from './cli.js';
import { makeFakeTcpdump } from './fake-tcpdump.js';
import { Tmux, tmuxAvailable } from './tmux.js';

let tmux: Tmux | undefined;
let dir: string | undefined;

afterEach(() => {
  tmux?.kill();
  tmux = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs gotap live in tmux with the fake tcpdump; its status and final screen go to files. */
function start(args: (dir: string) => string[], mode = ''): { status: string; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'gotap-live-ui-'));
  const { binDir } = makeFakeTcpdump(dir, join(repoRoot, 'captures/lab/clean/capture.pcap'));
  const status = join(dir, 'status');
  const out = join(dir, 'out');
  const env = `env PATH=${sh(`${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`)} FAKE_TCPDUMP=${sh(mode)}`;
  const cmd = `${env} ${sh(process.execPath)} ${sh(gotapBin)} ${args(dir).map(sh).join(' ')}; echo $? > ${sh(status)}; tmux capture-pane -p -J -S - > ${sh(out)}`;
  tmux = new Tmux(`bash -c ${sh(cmd)}`, { cwd: repoRoot, columns: 160, rows: 50 });
  return { status, out };
}

async function exited(files: { status: string; out: string }): Promise<{ code: number; screen: string }> {
  const end = Date.now() + 15_000;
  while (!existsSync(files.out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 100));
  return { code: Number(readFileSync(files.status, 'utf8')), screen: readFileSync(files.out, 'utf8') };
}

describe.skipIf(!tmuxAvailable)('gotap live with the dashboard (fake tcpdump, tmux)', () => {
  it('shows hosts, live packet and drop counts; q stops, prints the summary and writes the report', async () => {
    let report = '';
    const files = start((d) => ['live', '-i', 'lo', '--report', (report = join(d, 'report.md'))]);
    const t = tmux!;
    const screen = await t.waitFor((s) => /drops 1\b/.test(s) && s.includes('sum.golang.org'), 'hosts and the drop count');
    expect(screen).toContain('live on lo');
    expect(screen).toMatch(/packets 289 ·/);
    expect(screen).toMatch(/proxy\s+proxy\.golang\.org/);
    t.keys(['q']);
    const { code, screen: after } = await exited(files);
    expect(code).toBe(EXIT.ok);
    expect(after).toMatch(/^capture: 289 packets, .*, 3 dropped by the kernel$/m);
    expect(after).toMatch(/^ {2}sum\.golang\.org\s+sumdb\s+/m);
    expect(after).toContain(`report written to ${report}`);
    expect(readFileSync(report, 'utf8')).toContain('sum.golang.org');
  });

  it('closes the dashboard when tcpdump dies: the summary, then its message, exit 7', async () => {
    const files = start(() => ['live', '-i', 'lo'], 'die');
    const { code, screen } = await exited(files);
    expect(code).toBe(EXIT.tcpdumpDied);
    expect(screen).toMatch(/^ {2}sum\.golang\.org\s+sumdb\s+/m);
    expect(screen).toContain('gotap: tcpdump exited with status 1: tcpdump: pcap_loop: The interface went down');
  });
});
