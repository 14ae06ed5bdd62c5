import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { Flow } from '../../src/flow/types.js';
import { LiveSession } from '../../src/live/session.js';
import type { GotapEvent } from '../../src/protocols/events.js';

const canCapture = process.getuid?.() === 0 && process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;

function collector() {
  const started: Flow[] = [];
  const ended: Flow[] = [];
  const events: GotapEvent[] = [];
  return { started, ended, events, output: { flowStarted: (f: Flow) => started.push(f), event: (e: GotapEvent) => events.push(e), flowEnded: (f: Flow) => ended.push(f) } };
}

describe.runIf(canCapture)('LiveSession with the real tcpdump on lo (root)', () => {
  it('streams flows through the pipeline and attributes their client socket to this process', async () => {
    const server = createServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const c = collector();
    const processes = new Map<number, string>();
    const session = await LiveSession.start(c.output, { iface: 'lo', filter: `tcp port ${port}`, onProcess: (id, label) => processes.set(id, label) });
    try {
      const sock = connect(port, '127.0.0.1');
      await new Promise<void>((r) => sock.once('connect', r));
      sock.write(`GET /github.com/x/y/@v/list HTTP/1.1\r\nHost: proxy.golang.org\r\n\r\n`);
      // Keep the socket open until the lookup has had its chance (scans run within 200 ms).
      await new Promise((r) => setTimeout(r, 400));
      sock.destroy();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      server.close();
    }
    const result = await session.stop();
    expect(result.died).toBeUndefined();
    expect(result.stats.dropped).toBe(0);
    expect(result.summary?.flows.tcpFlows).toBe(1);
    expect(c.started).toHaveLength(1);
    expect(c.ended).toHaveLength(1);
    expect(c.events.map((e) => e.type)).toContain('http-request');
    expect(processes.get(c.started[0]!.id)).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`));
    // stop() is idempotent.
    expect(await session.stop()).toBe(result);
  });
});

describe('LiveSession when tcpdump dies (fake tcpdump)', () => {
  it('ends by itself and reports tcpdump’s stderr with EXIT.tcpdumpDied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotap-fake-tcpdump-'));
    try {
      const cmd = join(dir, 'tcpdump');
      // A valid empty pcap (little-endian, Ethernet), then death.
      const header = '\\324\\303\\262\\241\\002\\000\\004\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\004\\000\\001\\000\\000\\000';
      writeFileSync(cmd, `#!/bin/sh\necho "tcpdump: listening on lo" >&2\nprintf '${header}'\nsleep 0.1\necho "tcpdump: pcap_loop: The interface went down" >&2\nexit 1\n`);
      chmodSync(cmd, 0o755);
      const c = collector();
      const session = await LiveSession.start(c.output, { command: cmd, processes: false });
      await session.ended;
      const result = await session.stop();
      expect(result.died?.exitCode).toBe(EXIT.tcpdumpDied);
      expect(result.died?.message).toBe('tcpdump exited with status 1: tcpdump: pcap_loop: The interface went down');
      expect(result.summary?.reader.format).toBe('pcap');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes on drop counts tcpdump reports while running (asked with SIGUSR1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotap-fake-tcpdump-'));
    try {
      const cmd = join(dir, 'tcpdump');
      writeFileSync(
        cmd,
        [
          '#!/bin/sh',
          'n=0',
          `trap 'n=$((n+2)); echo "tcpdump: 9 packets captured, 9 packets received by filter, $n packets dropped by kernel" >&2' USR1`,
          `trap 'exit 0' INT`,
          'echo "tcpdump: listening on lo" >&2',
          'while kill -0 $PPID 2>/dev/null; do sleep 0.01; done',
        ].join('\n'),
      );
      chmodSync(cmd, 0o755);
      const drops: number[] = [];
      const session = await LiveSession.start(collector().output, { command: cmd, processes: false, statsIntervalMs: 30, onDrops: (d) => drops.push(d) });
      const deadline = Date.now() + 5000;
      while (drops.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await session.stop().catch(() => undefined);
      expect(drops.slice(0, 2)).toEqual([2, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports the death, not "empty file", when tcpdump dies before writing its pcap header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gotap-fake-tcpdump-'));
    try {
      const cmd = join(dir, 'tcpdump');
      writeFileSync(cmd, '#!/bin/sh\necho "tcpdump: listening on lo" >&2\necho "tcpdump: pcap_loop: read error" >&2\nexit 1\n');
      chmodSync(cmd, 0o755);
      const session = await LiveSession.start(collector().output, { command: cmd, processes: false });
      await session.ended;
      const result = await session.stop();
      expect(result.summary).toBeUndefined();
      expect(result.died?.message).toBe('tcpdump exited with status 1: tcpdump: pcap_loop: read error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
