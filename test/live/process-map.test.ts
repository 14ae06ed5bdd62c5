import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessMap, decodeProcAddress, goCommand, parseProcNet } from '../../src/live/process-map.js';

const linux = process.platform === 'linux';

describe('decodeProcAddress', () => {
  it('reverses each 32-bit word on little-endian hosts', () => {
    expect(decodeProcAddress('0100007F', true)).toBe('127.0.0.1');
    expect(decodeProcAddress('0A01A8C0', true)).toBe('192.168.1.10');
    expect(decodeProcAddress('00000000000000000000000001000000', true)).toBe('::1');
    expect(decodeProcAddress('B80D0120000000000000000001000000', true)).toBe('2001:db8::1');
    expect(decodeProcAddress('000080FE00000000FF0A0002FE3412F0', true)).toBe('fe80::200:aff:f012:34fe');
  });

  it('keeps byte order on big-endian hosts', () => {
    expect(decodeProcAddress('7F000001', false)).toBe('127.0.0.1');
    expect(decodeProcAddress('20010DB8000000000000000000000001', false)).toBe('2001:db8::1');
  });

  it('names IPv4-mapped IPv6 sockets by their IPv4 address, as flows are', () => {
    expect(decodeProcAddress('0000000000000000FFFF00000100007F', true)).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000FFFF7F000001', false)).toBe('127.0.0.1');
  });

  it('rejects what is not an address', () => {
    for (const bad of ['', '0100007', '0100007G', '0'.repeat(31), 'x'.repeat(8)]) expect(decodeProcAddress(bad, true)).toBeUndefined();
  });
});

describe('parseProcNet', () => {
  const tcp = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 3500007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21833 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:D431 0200007F:01BB 01 00000000:00000000 02:000AF8F3 00000000  1000        0 99123 2 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:D432 0200007F:01BB 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000',
    '   3: garbage line',
    '',
  ].join('\n');

  it('reads local and remote endpoints, state and inode (IPv4)', () => {
    expect(parseProcNet(tcp, true)).toEqual([
      { local: { addr: '127.0.0.53', port: 53 }, remote: { addr: '0.0.0.0', port: 0 }, state: 0x0a, inode: 21833 },
      { local: { addr: '127.0.0.1', port: 54321 }, remote: { addr: '127.0.0.2', port: 443 }, state: 1, inode: 99123 },
      { local: { addr: '127.0.0.1', port: 54322 }, remote: { addr: '127.0.0.2', port: 443 }, state: 6, inode: 0 },
    ]);
  });

  it('reads the IPv6 table', () => {
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0000000000000000FFFF00000100007F:A001 0000000000000000FFFF00000200007F:01BB 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    expect(parseProcNet(tcp6, true).map((s) => [s.local.addr, s.local.port, s.remote.addr, s.inode])).toEqual([
      ['::1', 8080, '::', 4242],
      ['127.0.0.1', 0xa001, '127.0.0.2', 4343],
    ]);
  });

  it.runIf(linux)('reads this machine’s real tables without throwing', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) {
      let text: string;
      try {
        text = readFileSync(`/proc/net/${f}`, 'latin1');
      } catch {
        continue;
      }
      const rows = text.split('\n').filter((l) => /^\s*\d+:/.test(l)).length;
      expect(parseProcNet(text)).toHaveLength(rows);
    }
  });
});

describe('goCommand', () => {
  it('keeps the go subcommand words, not flags or arguments beyond them', () => {
    expect(goCommand(['go', 'mod', 'download', '-x'])).toBe('go mod download');
    expect(goCommand(['/usr/lib/go-1.19/bin/go', 'build', './...'])).toBe('go build');
    expect(goCommand(['go', 'get', '-x', 'example.test/alpha@latest'])).toBe('go get');
    expect(goCommand(['go', '-x', 'work', 'sync'])).toBe('go work sync');
    expect(goCommand(['go'])).toBe('go');
    expect(goCommand(['gopls', 'serve'])).toBeUndefined();
  });
});

describe('ProcessMap on a fake /proc', () => {
  const root = mkdtempSync(join(tmpdir(), 'gotap-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'net'));
  writeFileSync(
    join(root, 'net/tcp'),
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:D431 0200007F:01BB 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0',
      '   1: 0100007F:D432 0200007F:01BB 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0',
      '   2: 0100007F:D433 0200007F:01BB 01 00000000:00000000 00:00000000 00000000     0        0 888 1 0',
      '   3: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0',
    ].join('\n'),
  );
  writeFileSync(join(root, 'net/tcp6'), '  sl  local_address remote_address st\n');
  writeFileSync(
    join(root, 'net/udp'),
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '   0: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0 0',
    ].join('\n'),
  );
  const proc = (pid: number, comm: string, cmdline: string[], fds: Record<string, string>): void => {
    mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
    writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
    writeFileSync(join(root, String(pid), 'cmdline'), cmdline.join('\0') + '\0');
    for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, String(pid), 'fd', fd));
  };
  proc(4121, 'go', ['go', 'mod', 'download', '-x'], { '0': '/dev/null', '7': 'socket:[777]', '8': 'pipe:[12]' });
  proc(88, 'gopls', ['gopls', 'serve'], { '3': 'socket:[888]', '4': 'anon_inode:[eventpoll]' });
  proc(90, 'avahi-daemon', ['avahi-daemon'], { '12': 'socket:[555]' });
  proc(95, 'athens', ['athens'], { '5': 'socket:[999]' });

  it('maps local endpoints to the owning process, with the go subcommand', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 0 });
    const [go, gopls] = await Promise.all([
      map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'tcp'),
      map.lookup({ addr: '127.0.0.1', port: 0xd433 }, 'tcp'),
    ]);
    expect(go).toEqual({ pid: 4121, name: 'go', command: 'go mod download', label: 'go mod download (pid 4121)' });
    expect(gopls).toEqual({ pid: 88, name: 'gopls', command: undefined, label: 'gopls (pid 88)' });
    expect(map.scans).toBe(1);
  });

  it('matches a UDP socket bound to the wildcard address by its port', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 0 });
    expect((await map.lookup({ addr: '192.168.1.5', port: 5353 }, 'udp'))?.name).toBe('avahi-daemon');
  });

  it('answers undefined for a socket without owner (TIME_WAIT) or not in the table', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 0 });
    expect(await map.lookup({ addr: '127.0.0.1', port: 0xd432 }, 'tcp')).toBeUndefined();
    expect(await map.lookup({ addr: '127.0.0.1', port: 1 }, 'tcp')).toBeUndefined();
    expect(await map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'udp')).toBeUndefined();
  });

  it('never names a TCP listener as the client of a flow from a remote port that happens to match', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 0 });
    expect(await map.lookup({ addr: '203.0.113.5', port: 8080 }, 'tcp')).toBeUndefined();
  });

  it('batches lookups into rate-limited scans', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 150, burst: 1 });
    const t0 = Date.now();
    await map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'tcp');
    const again = await Promise.all(Array.from({ length: 50 }, () => map.lookup({ addr: '127.0.0.1', port: 0xd433 }, 'tcp')));
    expect(again.every((p) => p?.pid === 88)).toBe(true);
    expect(map.scans).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('allows a short burst of scans, then paces them', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 300, burst: 3 });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) expect((await map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'tcp'))?.pid).toBe(4121);
    expect(Date.now() - t0).toBeLessThan(250);
    await map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'tcp');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(map.scans).toBe(4);
  });

  it('bounds the queue and answers everything on close', async () => {
    const map = new ProcessMap({ procRoot: root, minScanIntervalMs: 10_000, burst: 1, maxPending: 2 });
    await map.lookup({ addr: '127.0.0.1', port: 0xd431 }, 'tcp');
    const waiting = [1, 2].map((port) => map.lookup({ addr: '127.0.0.1', port }, 'tcp'));
    expect(await map.lookup({ addr: '127.0.0.1', port: 3 }, 'tcp')).toBeUndefined();
    map.close();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
  });
});

describe.runIf(linux)('ProcessMap on this machine', () => {
  it('maps a real TCP connection of this process to this pid', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', r));
    try {
      const map = new ProcessMap({ minScanIntervalMs: 0 });
      const info = await map.lookup({ addr: client.localAddress!, port: client.localPort! }, 'tcp');
      expect(info?.pid).toBe(process.pid);
      expect(info?.label).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`));
    } finally {
      client.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('maps a real UDP socket (IPv4 and IPv6) of this process, and nothing once it is closed', async () => {
    const map = new ProcessMap({ minScanIntervalMs: 0 });
    for (const [type, addr] of [
      ['udp4', '127.0.0.1'],
      ['udp6', '::1'],
    ] as const) {
      const sock = createSocket(type);
      try {
        await new Promise<void>((r, j) => {
          sock.once('error', j);
          sock.bind(0, addr, r);
        });
      } catch {
        continue; // no IPv6 on this machine
      }
      const local = { addr, port: sock.address().port };
      expect((await map.lookup(local, 'udp'))?.pid).toBe(process.pid);
      await new Promise<void>((r) => sock.close(r));
      expect(await map.lookup(local, 'udp')).toBeUndefined();
    }
  });
});
