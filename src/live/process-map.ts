/**
 * Which local process owns a flow (Linux, live mode): the kernel lists every socket with its
 * local address and inode in /proc/net/{tcp,tcp6,udp,udp6}, and each process's open sockets
 * appear as `socket:[inode]` links under /proc/<pid>/fd. No library does this for Node, and
 * `ss -p` would cost a process per lookup, so it is read here directly.
 *
 * Best effort and never in the packet path: lookups are queued and answered by a scan that
 * batches everything asked since the last one; scans are rate-limited by a token bucket
 * (a short burst, then one per `minScanIntervalMs`).
 * A scan reads the socket tables once, then walks /proc only until every wanted inode is
 * found, owners of recent hits first and then the newest pids (new sockets mostly belong to
 * new processes). A socket that is already gone (a finished DNS query) answers undefined.
 * Memory is bounded: the queue and the inode→owner cache have fixed caps.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { ipv4String, ipv6String } from '../decode/addresses.js';
import type { Endpoint } from '../flow/types.js';

export type SocketProtocol = 'tcp' | 'udp';

export interface ProcessInfo {
  pid: number;
  /** /proc/<pid>/comm ("go", "gopls", "git-remote-http"). */
  name: string;
  /** For the go command: the subcommand words ("go mod download"). */
  command?: string;
  /** What views show: "go mod download (pid 4121)". */
  label: string;
}

export interface ProcNetSocket {
  local: Endpoint;
  remote: Endpoint;
  /** TCP state (0x01 ESTABLISHED, 0x02 SYN_SENT, 0x0A LISTEN …); UDP uses 0x07/0x01. */
  state: number;
  /** 0 for sockets without an owner any more (TIME_WAIT). */
  inode: number;
}

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Decodes a /proc/net address: IPv4 is one 32-bit word, IPv6 four, each printed with %08X
 * from the host's memory, so on a little-endian machine the bytes of every word come out
 * reversed ("0100007F" is 127.0.0.1). IPv4-mapped IPv6 addresses become plain IPv4, as the
 * flow table names them.
 */
export function decodeProcAddress(hex: string, littleEndian = HOST_LITTLE_ENDIAN): string | undefined {
  if ((hex.length !== 8 && hex.length !== 32) || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    for (let b = 0; b < 4; b++) {
      const value = parseInt(hex.slice(w * 8 + b * 2, w * 8 + b * 2 + 2), 16);
      bytes[w * 4 + (littleEndian ? 3 - b : b)] = value;
    }
  }
  if (bytes.length === 4) return ipv4String(bytes, 0);
  const text = ipv6String(bytes, 0);
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}

function decodeEndpoint(field: string, littleEndian: boolean): Endpoint | undefined {
  const colon = field.indexOf(':');
  if (colon < 0) return undefined;
  const addr = decodeProcAddress(field.slice(0, colon), littleEndian);
  const port = parseInt(field.slice(colon + 1), 16);
  if (addr === undefined || !/^[0-9A-Fa-f]{4}$/.test(field.slice(colon + 1))) return undefined;
  return { addr, port };
}

/** Parses the text of /proc/net/{tcp,tcp6,udp,udp6}; malformed lines are skipped. */
export function parseProcNet(text: string, littleEndian = HOST_LITTLE_ENDIAN): ProcNetSocket[] {
  const out: ProcNetSocket[] = [];
  for (const line of text.split('\n')) {
    // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ..."
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    const local = decodeEndpoint(f[1]!, littleEndian);
    const remote = decodeEndpoint(f[2]!, littleEndian);
    const state = parseInt(f[3]!, 16);
    const inode = Number(f[9]);
    if (!local || !remote || !Number.isFinite(state) || !Number.isSafeInteger(inode)) continue;
    out.push({ local, remote, state, inode });
  }
  return out;
}

/** Go subcommands that take a subcommand of their own ("go mod download"). */
const NESTED = new Set(['mod', 'work', 'tool', 'telemetry']);

/** "go mod download", "go build" from a go command line; undefined for other programs. */
export function goCommand(argv: string[]): string | undefined {
  if (argv[0]?.split('/').pop() !== 'go') return undefined;
  const words = argv.slice(1).filter((a) => a && !a.startsWith('-'));
  const sub = words[0];
  if (sub === undefined) return 'go';
  return NESTED.has(sub) && words[1] !== undefined ? `go ${sub} ${words[1]}` : `go ${sub}`;
}

export function processLabel(p: { pid: number; name: string; command?: string }): string {
  return `${p.command ?? p.name} (pid ${p.pid})`;
}

export interface ProcessMapOptions {
  /** Root of procfs (tests point it elsewhere). */
  procRoot?: string;
  /** Sustained rate: one scan per this many ms (default 200: five a second). */
  minScanIntervalMs?: number;
  /**
   * Scans allowed back to back before the rate applies (default 4). A short command (a
   * `go mod download` of small modules lasts ~100 ms) opens its connections within
   * milliseconds and is gone before a strictly paced second scan would run.
   */
  burst?: number;
  /** Lookups waiting for a scan; beyond it new ones answer undefined at once (default 4096). */
  maxPending?: number;
  /** Remembered inode → owner entries (default 8192). */
  maxCachedOwners?: number;
}

interface Pending {
  local: Endpoint;
  protocol: SocketProtocol;
  waiters: ((p: ProcessInfo | undefined) => void)[];
}

interface Owner {
  pid: number;
  fd: string;
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;
/** Owners of recent hits checked before the full walk. */
const RECENT_PIDS = 16;

export class ProcessMap {
  private readonly procRoot: string;
  private readonly minScanIntervalMs: number;
  private readonly burst: number;
  /** Token bucket: scans that may start now, refilled at one per minScanIntervalMs. */
  private tokens: number;
  private refilledAt = Date.now();
  private readonly maxPending: number;
  private readonly maxCachedOwners: number;
  private pending = new Map<string, Pending>();
  /** inode → the pid and fd that held it last time (verified before use); insertion order = age. */
  private readonly owners = new Map<number, Owner>();
  private readonly recentPids: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private closed = false;
  /** Scans run so far (for tests and diagnostics). */
  scans = 0;

  constructor(opts: ProcessMapOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.minScanIntervalMs = opts.minScanIntervalMs ?? 200;
    this.burst = Math.max(1, opts.burst ?? 4);
    this.tokens = this.burst;
    this.maxPending = opts.maxPending ?? 4096;
    this.maxCachedOwners = opts.maxCachedOwners ?? 8192;
  }

  /** The process owning the local socket `local`, or undefined when it is gone or unreadable. */
  lookup(local: Endpoint, protocol: SocketProtocol): Promise<ProcessInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const key = `${protocol} ${local.addr} ${local.port}`;
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= this.maxPending) return Promise.resolve(undefined);
      entry = { local, protocol, waiters: [] };
      this.pending.set(key, entry);
    }
    const e = entry;
    const answer = new Promise<ProcessInfo | undefined>((resolve) => e.waiters.push(resolve));
    this.schedule();
    return answer;
  }

  /** Answers every waiting lookup with undefined and stops scanning. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of this.pending.values()) for (const w of p.waiters) w(undefined);
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer || this.scanning || this.closed) return;
    const now = Date.now();
    this.tokens = this.minScanIntervalMs > 0 ? Math.min(this.burst, this.tokens + (now - this.refilledAt) / this.minScanIntervalMs) : this.burst;
    this.refilledAt = now;
    const wait = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.minScanIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tokens = Math.max(0, this.tokens - 1);
      this.scanning = this.scan().finally(() => {
        this.scanning = undefined;
        if (this.pending.size > 0) this.schedule();
      });
    }, wait);
    this.timer.unref?.();
  }

  private async scan(): Promise<void> {
    this.scans++;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const answers = new Map<Pending, ProcessInfo | undefined>();
    try {
      const inodes = await this.socketInodes(batch);
      const owners = await this.findOwners(new Set([...inodes.values()]));
      const infos = new Map<number, Promise<ProcessInfo | undefined>>();
      for (const req of batch) {
        const inode = inodes.get(req);
        const owner = inode === undefined ? undefined : owners.get(inode);
        if (!owner) continue;
        if (!infos.has(owner.pid)) infos.set(owner.pid, this.describe(owner.pid));
        answers.set(req, await infos.get(owner.pid));
      }
    } catch {
      // procfs unreadable (not Linux, hidepid): every lookup in this batch is unknown.
    }
    for (const req of batch) for (const w of req.waiters) w(answers.get(req));
  }

  /** Socket inode per request, from one read of each socket table needed. */
  private async socketInodes(batch: Pending[]): Promise<Map<Pending, number>> {
    const tables = new Map<SocketProtocol, Map<string, number>>();
    for (const protocol of new Set(batch.map((b) => b.protocol))) {
      const byEndpoint = new Map<string, number>();
      for (const file of [protocol, `${protocol}6`]) {
        const text = await readFile(`${this.procRoot}/net/${file}`, 'latin1').catch(() => '');
        for (const s of parseProcNet(text)) {
          if (s.inode === 0) continue;
          // An unconnected UDP socket bound to the wildcard address serves any local address on its
          // port. (A TCP socket on the wildcard address is a listener: never the client of a flow.)
          const wildcard = protocol === 'udp' && (s.local.addr === '0.0.0.0' || s.local.addr === '::');
          const key = wildcard ? `* ${s.local.port}` : `${s.local.addr} ${s.local.port}`;
          if (!byEndpoint.has(key)) byEndpoint.set(key, s.inode);
        }
      }
      tables.set(protocol, byEndpoint);
    }
    const result = new Map<Pending, number>();
    for (const req of batch) {
      const table = tables.get(req.protocol)!;
      const inode = table.get(`${req.local.addr} ${req.local.port}`) ?? table.get(`* ${req.local.port}`);
      if (inode !== undefined) result.set(req, inode);
    }
    return result;
  }

  /** Owner of each inode: cached owners (verified), then recent owners' fds, then all pids newest first. */
  private async findOwners(wanted: Set<number>): Promise<Map<number, Owner>> {
    const found = new Map<number, Owner>();
    for (const inode of wanted) {
      const cached = this.owners.get(inode);
      if (cached && (await this.linkOf(cached.pid, cached.fd)) === `socket:[${inode}]`) found.set(inode, cached);
    }
    const missing = (): boolean => found.size < wanted.size;
    const visited = new Set<number>();
    const visit = async (pid: number): Promise<void> => {
      if (visited.has(pid)) return;
      visited.add(pid);
      const fds = await readdir(`${this.procRoot}/${pid}/fd`).catch(() => [] as string[]);
      const links = await Promise.all(fds.map(async (fd) => [fd, await this.linkOf(pid, fd)] as const));
      for (const [fd, link] of links) {
        const m = link && SOCKET_LINK.exec(link);
        if (!m) continue;
        const inode = Number(m[1]);
        if (wanted.has(inode) && !found.has(inode)) found.set(inode, { pid, fd });
      }
    };
    for (const pid of [...this.recentPids]) {
      if (!missing()) break;
      await visit(pid);
    }
    if (missing()) {
      const pids = (await readdir(this.procRoot).catch(() => [] as string[]))
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => b - a);
      for (const pid of pids) {
        if (!missing()) break;
        await visit(pid);
      }
    }
    for (const [inode, owner] of found) this.remember(inode, owner);
    return found;
  }

  private remember(inode: number, owner: Owner): void {
    this.owners.delete(inode);
    this.owners.set(inode, owner);
    if (this.owners.size > this.maxCachedOwners) this.owners.delete(this.owners.keys().next().value!);
    const i = this.recentPids.indexOf(owner.pid);
    if (i >= 0) this.recentPids.splice(i, 1);
    this.recentPids.unshift(owner.pid);
    if (this.recentPids.length > RECENT_PIDS) this.recentPids.pop();
  }

  private linkOf(pid: number, fd: string): Promise<string | undefined> {
    return readlink(`${this.procRoot}/${pid}/fd/${fd}`).catch(() => undefined);
  }

  private async describe(pid: number): Promise<ProcessInfo | undefined> {
    const comm = await readFile(`${this.procRoot}/${pid}/comm`, 'utf8').catch(() => undefined);
    if (comm === undefined) return undefined;
    const name = comm.replace(/\n$/, '');
    let command: string | undefined;
    if (name === 'go') {
      const cmdline = await readFile(`${this.procRoot}/${pid}/cmdline`, 'utf8').catch(() => '');
      command = goCommand(cmdline.split('\0'));
    }
    return { pid, name, command, label: processLabel({ pid, name, command }) };
  }
}
