import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { LiveCaptureError, Tcpdump, classifyFailure, defaultFilter, parseStats, tcpdumpArgs } from '../../src/live/tcpdump.js';

const canCapture = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;

describe('defaultFilter', () => {
  it('covers DNS, HTTP, HTTPS and proxy ports plus configured mirror ports, each once', () => {
    expect(defaultFilter()).toBe('port 53 or port 5353 or port 80 or port 8080 or port 443 or port 8443 or port 3128');
    expect(defaultFilter([8081, 443, 8081, 0, 70000, 1.5])).toBe(
      'port 53 or port 5353 or port 80 or port 8080 or port 443 or port 8443 or port 3128 or port 8081',
    );
  });

  it.runIf(canCapture)('is accepted by tcpdump’s filter compiler', () => {
    const r = spawnSync('tcpdump', ['-d', '-i', 'lo', defaultFilter([9000])], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('tcpdumpArgs', () => {
  it('streams pcap to stdout, per packet, whole packets', () => {
    expect(tcpdumpArgs('any', 'port 53')).toEqual(['-i', 'any', '-U', '-w', '-', '-s', '0', '--immediate-mode', '-B', '32768', '-n', 'port 53']);
    expect(tcpdumpArgs('lo', '  ', 1024)).toEqual(['-i', 'lo', '-U', '-w', '-', '-s', '0', '--immediate-mode', '-B', '1024', '-n']);
  });
});

describe('parseStats', () => {
  it('reads the exit statistics', () => {
    const stderr = 'tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n1234 packets captured\n1240 packets received by filter\n6 packets dropped by kernel\n';
    expect(parseStats(stderr)).toEqual({ captured: 1234, received: 1240, dropped: 6 });
    expect(parseStats('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n2 packets dropped by interface\n')).toEqual({
      captured: 1,
      received: 1,
      dropped: 2,
    });
    expect(parseStats('tcpdump: listening on lo\n')).toEqual({ captured: undefined, received: undefined, dropped: undefined });
  });

  it('reads the latest report, including the one-line form printed on SIGUSR1', () => {
    const stderr = [
      'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
      'tcpdump: 10 packets captured, 12 packets received by filter, 0 packets dropped by kernel',
      'tcpdump: 20 packets captured, 25 packets received by filter, 4 packets dropped by kernel',
      '',
    ].join('\n');
    expect(parseStats(stderr)).toEqual({ captured: 20, received: 25, dropped: 4 });
    expect(parseStats(`${stderr}30 packets captured\n31 packets received by filter\n5 packets dropped by kernel\n`)).toEqual({ captured: 30, received: 31, dropped: 5 });
  });
});

describe('classifyFailure: one line and a distinct exit code per cause (tcpdump 4.99 / libpcap 1.10 messages)', () => {
  const cases: [string, number, RegExp][] = [
    [
      "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)\n",
      EXIT.noPermission,
      /^no permission to capture: run as root or grant CAP_NET_RAW \(setcap cap_net_raw,cap_net_admin=eip \$\(which tcpdump\)\)$/,
    ],
    ["tcpdump: eth0: You don't have permission to capture on that device\n(socket: Operation not permitted)\n", EXIT.noPermission, /^no permission/],
    ['tcpdump: nosuch0: No such device exists\n(No such device exists)\n', EXIT.noInterface, /^no such interface: nosuch0; available: eth9, lo \(or any\)$/],
    ['tcpdump: nosuch0: No such device exists\n(SIOCGIFHWADDR: No such device)\n', EXIT.noInterface, /^no such interface/],
    ["tcpdump: nosuch0: That device doesn't exist\n", EXIT.noInterface, /^no such interface/],
    ['tcpdump: syntax error in filter expression: syntax error\n', EXIT.usage, /^invalid capture filter: tcpdump: syntax error/],
    ['tcpdump: illegal port number 99999 > 65535\n', EXIT.usage, /^invalid capture filter/],
    ['tcpdump: pcap_loop: The interface went down\n12 packets captured\n', EXIT.tcpdumpDied, /^tcpdump exited: tcpdump: pcap_loop: The interface went down$/],
  ];
  for (const [stderr, code, message] of cases) {
    it(stderr.split('\n')[0]!, () => {
      const e = classifyFailure(stderr, 'nosuch0', undefined, ['eth9', 'lo']);
      expect(e.exitCode).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    });
  }

  it('tcpdump not installed', () => {
    const err = Object.assign(new Error('spawn tcpdump ENOENT'), { code: 'ENOENT' });
    expect(classifyFailure('', 'any', err)).toMatchObject({ exitCode: EXIT.noTcpdump, message: 'tcpdump is not installed: apt-get install tcpdump' });
  });
});

/** Fake tcpdump executables: they print the real tcpdump's messages. */
describe('Tcpdump child process (fake tcpdump)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gotap-fake-tcpdump-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const listening = 'echo "tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes" >&2';
  const running = script(
    'running',
    [
      'echo "$@" > "$0.args"',
      `trap 'echo "3 packets captured" >&2; echo "5 packets received by filter" >&2; echo "2 packets dropped by kernel" >&2; exit 0' INT`,
      listening,
      'while kill -0 $PPID 2>/dev/null; do sleep 0.02; done',
    ].join('\n'),
  );

  it('resolves once listening and reports the statistics after SIGINT', async () => {
    const td = await Tcpdump.start({ command: running, iface: 'lo', filter: 'port 53' });
    expect(td.listeningOn).toBe('lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes');
    td.stdout.resume();
    expect(await td.stop()).toEqual({ captured: 3, received: 5, dropped: 2 });
    expect(td.stopRequested).toBe(true);
    expect(td.died).toBeUndefined();
  });

  it('maps a permission failure to EXIT.noPermission', async () => {
    const cmd = script('noperm', `echo "tcpdump: any: You don't have permission to perform this capture on that device" >&2; echo "(socket: Operation not permitted)" >&2; exit 1`);
    await expect(Tcpdump.start({ command: cmd })).rejects.toMatchObject({ exitCode: EXIT.noPermission });
  });

  it('maps an unknown interface to EXIT.noInterface with the interfaces of this machine', async () => {
    const cmd = script('nodev', 'echo "tcpdump: $2: No such device exists" >&2; echo "(No such device exists)" >&2; exit 1');
    const err: unknown = await Tcpdump.start({ command: cmd, iface: 'wlan9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveCaptureError);
    expect((err as LiveCaptureError).exitCode).toBe(EXIT.noInterface);
    expect((err as LiveCaptureError).message).toMatch(/^no such interface: wlan9; available: .*\blo\b/);
  });

  it('maps a missing executable to EXIT.noTcpdump', async () => {
    await expect(Tcpdump.start({ command: join(dir, 'not-there') })).rejects.toMatchObject({
      exitCode: EXIT.noTcpdump,
      message: 'tcpdump is not installed: apt-get install tcpdump',
    });
  });

  it('reports a tcpdump that dies after listening, with its stderr', async () => {
    const cmd = script('dies', `${listening}\nsleep 0.1\necho "tcpdump: pcap_loop: The interface went down" >&2\nexit 1`);
    const td = await Tcpdump.start({ command: cmd });
    td.stdout.resume();
    expect(td.died).toBeUndefined();
    await td.exited;
    expect(td.stopRequested).toBe(false);
    expect(td.died?.exitCode).toBe(EXIT.tcpdumpDied);
    expect(td.died?.message).toBe('tcpdump exited with status 1: tcpdump: pcap_loop: The interface went down');
    await td.stop();
    expect(td.died?.exitCode).toBe(EXIT.tcpdumpDied);
  });

  it('gives up on a tcpdump that never says it is listening', async () => {
    const cmd = script('silent', 'while kill -0 $PPID 2>/dev/null; do sleep 0.02; done');
    await expect(Tcpdump.start({ command: cmd, startTimeoutMs: 200 })).rejects.toMatchObject({ exitCode: EXIT.tcpdumpDied });
  });
});

describe.runIf(canCapture)('real tcpdump (root)', () => {
  it('captures UDP on lo into the capture reader, then stops cleanly', async () => {
    const port = 40000 + (process.pid % 20000);
    const td = await Tcpdump.start({ iface: 'lo', filter: `udp port ${port}` });
    const frames: number[] = [];
    const reading = readCapture('-', { packet: (r) => frames.push(r.frame) }, { stdin: td.stdout });
    const sock = createSocket('udp4');
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => sock.send(`hello ${i}`, port, '127.0.0.1', () => r()));
    sock.close();
    await new Promise((r) => setTimeout(r, 200));
    const stats = await td.stop();
    const summary = await reading;
    expect(summary.packets).toBe(5);
    expect(frames).toEqual([1, 2, 3, 4, 5]);
    // "received by filter" counts loopback packets in both directions of the socket layer: 5 or 10.
    expect(stats).toMatchObject({ captured: 5, dropped: 0 });
    expect(summary.packets).toBe(5);
    expect(stats.received).toBeGreaterThanOrEqual(5);
  });

  it('answers SIGUSR1 with its counters and keeps capturing', async () => {
    const td = await Tcpdump.start({ iface: 'lo', filter: 'udp port 9' });
    td.stdout.resume();
    td.requestStats();
    const deadline = Date.now() + 5000;
    while (td.stats.captured === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(td.stats).toEqual({ captured: 0, received: 0, dropped: 0 });
    expect(td.died).toBeUndefined();
    await td.stop();
    expect(td.died).toBeUndefined();
  });

  it('maps a real unknown interface and a real bad filter', async () => {
    await expect(Tcpdump.start({ iface: 'gotapnosuch0' })).rejects.toMatchObject({ exitCode: EXIT.noInterface });
    await expect(Tcpdump.start({ iface: 'lo', filter: 'port 99999' })).rejects.toMatchObject({ exitCode: EXIT.usage });
  });

  it.runIf(spawnSync('sh', ['-c', 'command -v setpriv']).status === 0)('maps the real permission failure of an unprivileged user', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotap-nobody-'));
    try {
      // The real tcpdump, run as nobody without capabilities: libpcap's own message.
      const wrapper = join(dir, 'tcpdump-as-nobody');
      writeFileSync(wrapper, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups tcpdump "$@"\n');
      chmodSync(wrapper, 0o755);
      await expect(Tcpdump.start({ command: wrapper, iface: 'lo' })).rejects.toMatchObject({ exitCode: EXIT.noPermission });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
