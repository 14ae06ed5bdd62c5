/**
 * tcpdump as a child process: the live byte source. gotap does not open capture devices
 * itself (that needs libpcap bindings and root in our own process); tcpdump already does
 * it well, drops privileges, and streams pcap on stdout with `-U -w -`. This module starts
 * it, waits until it is listening, parses its stderr for the exit statistics (kernel drops)
 * and turns each way it can fail into one clear line with a distinct exit code.
 *
 * tcpdump runs in its own process group, so a Ctrl-C at the terminal reaches gotap only:
 * gotap decides when to stop it (SIGINT, so it flushes and prints its statistics).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { EXIT } from '../cli/exit-codes.js';

/** DNS (+mDNS), HTTP, HTTPS and their alternates, and the usual HTTP proxy port. */
export const DEFAULT_PORTS: readonly number[] = [53, 5353, 80, 8080, 443, 8443, 3128];

/** The default BPF filter: the default ports plus `extraPorts` (configured mirrors), each once. */
export function defaultFilter(extraPorts: Iterable<number> = []): string {
  const ports = new Set(DEFAULT_PORTS);
  for (const p of extraPorts) if (Number.isInteger(p) && p > 0 && p <= 65535) ports.add(p);
  return [...ports].map((p) => `port ${p}`).join(' or ');
}

/** A failure of the live capture, with the exit code gotap ends with and a one-line message. */
export class LiveCaptureError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

export interface TcpdumpStats {
  /** "N packets captured" (written to the output). */
  captured?: number;
  /** "N packets received by filter". */
  received?: number;
  /** "N packets dropped by kernel" (plus "dropped by interface" when tcpdump reports it). */
  dropped?: number;
}

/**
 * Parses tcpdump's latest statistics from its stderr: the report it prints at exit (one
 * count a line) or on SIGUSR1 ("tcpdump: 5 packets captured, 5 packets received by
 * filter, 0 packets dropped by kernel"), whichever came last.
 */
export function parseStats(stderr: string): TcpdumpStats {
  const last = (re: RegExp): number | undefined => {
    let value: number | undefined;
    for (const m of stderr.matchAll(re)) value = Number(m[1]);
    return value;
  };
  const kernel = last(/(\d+) packets? dropped by kernel/g);
  const iface = last(/(\d+) packets? dropped by interface/g);
  return {
    captured: last(/(\d+) packets? captured/g),
    received: last(/(\d+) packets? received by filter/g),
    dropped: kernel === undefined && iface === undefined ? undefined : (kernel ?? 0) + (iface ?? 0),
  };
}

/** Interfaces of this host (/sys/class/net), for the "no such interface" message. */
export function listInterfaces(sysClassNet = '/sys/class/net'): string[] {
  try {
    return readdirSync(sysClassNet).sort();
  } catch {
    return [];
  }
}

/** The meaningful lines of tcpdump's stderr, joined (its "listening on" and statistics removed). */
function errorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(tcpdump: )?listening on /.test(l) && !/^(tcpdump: )?\d+ packets? /.test(l));
  return lines.join(' ') || '(no message)';
}

/**
 * Maps a tcpdump that exited before (or instead of) listening to one line and an exit code.
 * `spawnError` is set when tcpdump could not be started at all.
 */
export function classifyFailure(stderr: string, iface: string, spawnError?: NodeJS.ErrnoException, interfaces = listInterfaces()): LiveCaptureError {
  if (spawnError) {
    if (spawnError.code === 'ENOENT') return new LiveCaptureError(EXIT.noTcpdump, 'tcpdump is not installed: apt-get install tcpdump');
    if (spawnError.code === 'EACCES') {
      return new LiveCaptureError(EXIT.noPermission, 'tcpdump cannot be executed (permission denied): check its file mode or run as root');
    }
    return new LiveCaptureError(EXIT.tcpdumpDied, `tcpdump could not be started: ${spawnError.message}`);
  }
  if (/permission to (perform this )?capture|Operation not permitted|Permission denied/i.test(stderr)) {
    return new LiveCaptureError(
      EXIT.noPermission,
      'no permission to capture: run as root or grant CAP_NET_RAW (setcap cap_net_raw,cap_net_admin=eip $(which tcpdump))',
    );
  }
  if (/No such device exists|SIOCGIFHWADDR|that device doesn't exist|no such device/i.test(stderr)) {
    const known = interfaces.length > 0 ? `; available: ${interfaces.join(', ')} (or any)` : '';
    return new LiveCaptureError(EXIT.noInterface, `no such interface: ${iface}${known}`);
  }
  if (/syntax error|illegal |expression rejects|unknown (host|port|protocol)|can't parse filter|not a valid/i.test(stderr)) {
    return new LiveCaptureError(EXIT.usage, `invalid capture filter: ${errorText(stderr)}`);
  }
  return new LiveCaptureError(EXIT.tcpdumpDied, `tcpdump exited: ${errorText(stderr)}`);
}

export interface TcpdumpOptions {
  /** Capture interface (default 'any'). */
  iface?: string;
  /** BPF filter (default defaultFilter()). An empty string captures everything. */
  filter?: string;
  /** The tcpdump executable (default 'tcpdump', found on PATH). */
  command?: string;
  /** Kernel buffer in KiB (-B, default 32768). */
  bufferKiB?: number;
  /** How long to wait for "listening on" (default 10 s). */
  startTimeoutMs?: number;
}

/**
 * Arguments for tcpdump: pcap to stdout, flushed per packet, whole packets, no buffering
 * delay. --immediate-mode makes libpcap use fixed-size ring frames as large as the snapshot
 * length (256 KiB with -s 0 where offloads can build 64 KiB packets): a 4 MiB buffer then
 * holds about 16 packets: of a burst of 300 small packets on lo, tcpdump kept 32 with
 * -B 4096 and all 300 with -B 32768. Hence the default.
 */
export function tcpdumpArgs(iface: string, filter: string, bufferKiB = 32768): string[] {
  const args = ['-i', iface, '-U', '-w', '-', '-s', '0', '--immediate-mode', '-B', String(bufferKiB), '-n'];
  return filter.trim() ? [...args, filter] : args;
}

export interface TcpdumpExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running tcpdump. `stdout` is the pcap stream; read it from the start or tcpdump blocks. */
export class Tcpdump {
  private stderrText = '';
  private stopping = false;
  private unasked: TcpdumpExit | undefined;
  readonly exited: Promise<TcpdumpExit>;
  /** The "listening on …" line. */
  listeningOn = '';

  private constructor(
    private readonly child: ChildProcessByStdio<null, Readable, Readable>,
    readonly iface: string,
    readonly filter: string,
  ) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      // Bounded: tcpdump writes a few lines; a runaway stderr keeps only its tail.
      this.stderrText = (this.stderrText + d).slice(-16384);
    });
    // 'exit' plus the end of stderr (not 'close', which also waits for stdout to be read to its end).
    const stderrEnded = new Promise<void>((resolve) => child.stderr.once('close', resolve));
    const exit = new Promise<TcpdumpExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited = Promise.all([exit, stderrEnded]).then(([e]) => {
      if (!this.stopping) this.unasked = e;
      return e;
    });
  }

  /** Starts tcpdump and resolves once it is listening; rejects with a LiveCaptureError otherwise. */
  static async start(opts: TcpdumpOptions = {}): Promise<Tcpdump> {
    const iface = opts.iface ?? 'any';
    const filter = opts.filter ?? defaultFilter();
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(opts.command ?? 'tcpdump', tcpdumpArgs(iface, filter, opts.bufferKiB), {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (e) {
      throw classifyFailure('', iface, e as NodeJS.ErrnoException);
    }
    const spawned = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    });
    if (spawned) throw classifyFailure('', iface, spawned);
    const td = new Tcpdump(child, iface, filter);
    // If gotap itself exits (an exception, process.exit) tcpdump must not outlive it.
    const killOnExit = (): void => void td.child.kill('SIGKILL');
    process.once('exit', killOnExit);
    void td.exited.then(() => process.off('exit', killOnExit));
    await td.waitListening(opts.startTimeoutMs ?? 10_000);
    return td;
  }

  get stdout(): Readable {
    return this.child.stdout;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrText;
  }

  private async waitListening(timeoutMs: number): Promise<void> {
    const seen = (): RegExpExecArray | null => /listening on ([^\n]*)/.exec(this.stderrText);
    const result = await new Promise<'listening' | 'exited' | 'timeout'>((resolve) => {
      const check = (): void => {
        if (seen()) done('listening');
      };
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      const done = (r: 'listening' | 'exited' | 'timeout'): void => {
        clearTimeout(timer);
        this.child.stderr.off('data', check);
        resolve(r);
      };
      this.child.stderr.on('data', check);
      void this.exited.then(() => done(seen() ? 'listening' : 'exited'));
      check();
    });
    if (result === 'listening') {
      this.listeningOn = seen()?.[1]?.trim() ?? '';
      return;
    }
    if (result === 'timeout') {
      this.child.stdout.resume();
      await this.stop();
      throw new LiveCaptureError(EXIT.tcpdumpDied, `tcpdump did not start listening within ${timeoutMs} ms: ${errorText(this.stderrText)}`);
    }
    this.child.stdout.resume();
    throw classifyFailure(this.stderrText, this.iface);
  }

  /** The latest statistics tcpdump printed (at exit, or after requestStats()). */
  get stats(): TcpdumpStats {
    return parseStats(this.stderrText);
  }

  /** Asks tcpdump for its counters: on SIGUSR1 it prints them and keeps capturing. */
  requestStats(): void {
    if (!this.stopping && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGUSR1');
  }

  /** True once stop() was called: an exit after that is expected. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /**
   * SIGINT (tcpdump flushes its output and prints statistics), SIGKILL if it has not
   * exited after `graceMs`. Resolves with the statistics once it has exited.
   */
  async stop(graceMs = 5000): Promise<TcpdumpStats> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    } else {
      await this.exited;
    }
    return parseStats(this.stderrText);
  }

  /** Set once tcpdump has exited without being asked to: the error to report, with its stderr. */
  get died(): LiveCaptureError | undefined {
    const exit = this.unasked;
    if (!exit) return undefined;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    return new LiveCaptureError(EXIT.tcpdumpDied, `tcpdump ${how}: ${errorText(this.stderrText)}`);
  }
}
