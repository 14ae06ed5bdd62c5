/**
 * The dashboard end to end: the built CLI replays a lab capture with --ui inside a real
 * terminal (tmux), and the test reads the screen and presses keys like a user. Skipped
 * when tmux is not installed (CI installs it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { repoRoot } from '../corpus.js';
import { gotapBin } from './cli.js';
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

/**
 * Runs gotap in tmux (stdout must stay the terminal); when it exits, its status and the
 * screen it left (the final summary) are saved to files and the session ends.
 */
function start(args: string[]): { status: string; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'gotap-dashboard-'));
  const status = join(dir, 'status');
  const out = join(dir, 'out');
  const cmd = `${sh(process.execPath)} ${sh(gotapBin)} ${args.map(sh).join(' ')}; echo $? > ${sh(status)}; tmux capture-pane -p -J -S - > ${sh(out)}`;
  tmux = new Tmux(`bash -c ${sh(cmd)}`, { cwd: repoRoot, columns: 160, rows: 50 });
  return { status, out };
}

describe.skipIf(!tmuxAvailable)('dashboard in a terminal', () => {
  test('replay --ui: ended marker, navigate to proxy.golang.org details, q quits and prints the summary', async () => {
    const files = start(['replay', 'captures/lab/clean/capture.pcap', '--ui', '--speed', 'max']);
    const t = tmux!;
    const list = await t.waitFor((s) => s.includes('ENDED') && s.includes('sum.golang.org') && /FINDINGS/.test(s), 'the ended marker');
    expect(list).toContain('gotap replay at max speed · captures/lab/clean/capture.pcap');
    expect(list).toMatch(/packets 289 ·/);
    expect(list).toMatch(/proxy\s+proxy\.golang\.org\s+4\s/);
    expect(list).toMatch(/sumdb\s+sum\.golang\.org\s+4\s/);

    await t.untilKeyTakes('s', (s) => /^sort (name|first seen|severity) ·/m.test(s), 'the dashboard reading keys');
    t.keys(['/']);
    // Typed only once the prompt is open: '/' and the text in one read is one input to ink.
    await t.waitFor((s) => /^filter \//m.test(s), 'the filter prompt opening');
    t.keys(['proxy.golang'], true);
    await t.waitFor((s) => s.includes('filter /proxy.golang'), 'the filter prompt');
    t.keys(['Enter']);
    await t.waitFor((s) => !/sumdb\s+sum\.golang\.org/.test(s) && s.includes('filter "proxy.golang"'), 'the filtered table');
    t.keys(['Enter']);
    const detail = await t.waitFor((s) => s.includes('Evidence frames'), 'the detail view');
    expect(detail).toContain('proxy.golang.org — Go module proxy');
    expect(detail).toMatch(/addresses\s+127\.0\.0\.2/);
    expect(detail).toMatch(/name from\s+dns \(frame \d+\), sni \(frame \d+\)/);
    expect(detail).toMatch(/TLS\s+versions TLS 1\.3 · SNI proxy\.golang\.org/);
    expect(detail).toMatch(/DNS answers \(\d+\)\n(.*\n)*?\s+proxy\.golang\.org → 127\.0\.0\.2 NOERROR · resolver 127\.0\.0\.53 ttl \d+ · frame \d+\n/);
    expect(detail).toContain('not visible (TLS 1.3 encrypts it');
    expect(detail).toMatch(/Evidence frames\n\s+\d+(, \d+)+/);

    t.keys(['Escape']);
    await t.waitFor((s) => /ROLE\s+HOST/.test(s), 'the hosts table again');
    t.keys(['q']);
    expect(await t.waitGone()).toBe(true);
    expect(readFileSync(files.status, 'utf8').trim()).toBe('0');
    const summary = readFileSync(files.out, 'utf8');
    expect(summary).toMatch(/capture: 289 packets/);
    expect(summary).toMatch(/proxy\.golang\.org\s+proxy\s+4/);
  });

  test('replay --ui of a file that is not a capture closes the dashboard and says why', async () => {
    const files = start(['replay', 'README.md', '--ui']);
    expect(await tmux!.waitGone()).toBe(true);
    expect(readFileSync(files.status, 'utf8').trim()).toBe('2');
    expect(readFileSync(files.out, 'utf8')).toContain('gotap: README.md: not a pcap or pcapng file (starts with 23 20 67 6f) — give a pcap or pcapng file');
  });

  test('replay --ui at capture pace fills the dashboard over time and stays open after the end', async () => {
    start(['replay', 'captures/lab/clean/capture.pcap', '--ui', '--speed', '0.25']);
    const t = tmux!;
    // 0.235 s of capture at quarter speed: about a second of replay, then "ENDED" until q.
    const early = await t.waitFor((s) => s.includes('gotap replay at 0.25× speed'), 'the dashboard');
    expect(early).not.toContain('ENDED');
    await t.waitFor((s) => s.includes('ENDED') && /packets 289 ·/.test(s), 'the end of the replay');
    await new Promise((r) => setTimeout(r, 500));
    expect(t.alive()).toBe(true);
    expect(t.screen()).toContain('ENDED');
    t.keys(['C-c']);
    expect(await t.waitGone()).toBe(true);
  });
});
