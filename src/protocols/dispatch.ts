/**
 * Picks the analyzer for each flow by content, as Wireshark's heuristic dissectors and
 * Zeek's dynamic protocol detection do: Go traffic runs on any port (mirrors on :8081,
 * corporate proxies on :3128, TLS inside a CONNECT tunnel), so ports are only a hint that
 * a registration may use (DNS does). What is probed, and in which order, is the registry's
 * (registry.ts); this file only holds bytes until a probe decides, then replays them.
 *
 * The first bytes of each direction are held (copied, bounded) until one registration
 * claims them; a flow nobody claims costs nothing more. The same sniffing analyzer serves
 * the children analyzers open for the streams they carry (a CONNECT tunnel, decrypted
 * TLS), with the nesting depth bounded.
 */
import type { Direction, Flow, FlowHandler, FlowObserver, StreamChunk } from '../flow/types.js';
import type { SecretsLookup } from '../secrets/types.js';
import { SecretsStore } from '../secrets/store.js';
import type { Counter } from '../util/counter.js';
import type { AnomalySink } from './anomaly.js';
import type { AnalyzerContext, ChildOptions, DatagramAnalyzer, StreamAnalyzer } from './analyzer.js';
import type { EventSink } from './events.js';
import { REGISTRY, type DatagramRegistration, type Registration, type StreamRegistration } from './registry.js';

/** Bytes held per flow while no analyzer has claimed it; beyond this the probes must decide with what they have. */
export const MAX_SNIFF_BYTES = 4096;
/** Children inside children (a tunnel in a tunnel …) beyond this depth discard their bytes (counted). */
export const MAX_CHILD_DEPTH = 4;
/** The heads of every flow not sniffing (any more): one shared empty array, not two per flow. */
const EMPTY = new Uint8Array(0);

type Pending = { dir: Direction; kind: 'data'; chunk: StreamChunk } | { dir: Direction; kind: 'gap'; size: number; frame: number; ts: number };

/** What every analyzer of one flow shares. */
interface FlowServices {
  flow: Flow;
  stream: readonly StreamRegistration[];
  datagram: readonly DatagramRegistration[];
  anomaly: AnomalySink;
  secrets: SecretsLookup;
}

const DISCARD: StreamAnalyzer = { data() {}, gap() {}, end() {} };

/** An emit that marks every event as coming from decrypted bytes. */
function markDecrypted(emit: EventSink): EventSink {
  return (ev) => {
    ev.decrypted = true;
    emit(ev);
  };
}

/** The context handed to an analyzer created at `depth` (0: the flow's own). */
function contextFor(svc: FlowServices, emit: EventSink, recognised: (app: string) => void, depth: number): AnalyzerContext {
  return {
    flow: svc.flow,
    emit,
    anomaly: svc.anomaly,
    secrets: svc.secrets,
    openChild(label: string, opts: ChildOptions = {}): StreamAnalyzer {
      if (depth + 1 > MAX_CHILD_DEPTH) {
        svc.anomaly('analyzer: child analyzers nested too deep');
        return DISCARD;
      }
      const childEmit = opts.decrypted ? markDecrypted(emit) : emit;
      return new SniffingAnalyzer(svc, childEmit, (app) => recognised(`${label}>${app}`), depth + 1);
    },
  };
}

/** Forwards to the chosen analyzer; for one that cannot use bytes after a gap, mutes a direction after its first gap. */
class Chosen implements StreamAnalyzer {
  private readonly muted: [boolean, boolean] = [false, false];

  constructor(
    private readonly inner: StreamAnalyzer,
    private readonly acceptsGaps: boolean,
  ) {}

  data(dir: Direction, chunk: StreamChunk): void {
    if (!this.muted[dir]) this.inner.data(dir, chunk);
  }

  gap(dir: Direction, size: number, frame: number, ts: number): void {
    if (this.muted[dir]) return;
    if (!this.acceptsGaps) this.muted[dir] = true;
    this.inner.gap(dir, size, frame, ts);
  }

  end(ts: number, frame: number): void {
    this.inner.end(ts, frame);
  }
}

/** A StreamAnalyzer that decides what the stream is, then becomes that analyzer. */
export class SniffingAnalyzer implements StreamAnalyzer {
  private inner: StreamAnalyzer | undefined;
  private gaveUp = false;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private readonly heads: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];
  /** A gap arrived in this direction while sniffing: its head cannot grow contiguously any more. */
  private readonly frozen: [boolean, boolean] = [false, false];

  constructor(
    private readonly svc: FlowServices,
    private readonly emit: EventSink,
    /** Called with the recognised protocol, to label the flow. */
    private readonly recognised: (app: string) => void,
    private readonly depth: number,
  ) {}

  data(dir: Direction, chunk: StreamChunk): void {
    if (this.inner) return this.inner.data(dir, chunk);
    if (this.gaveUp) return;
    const copy = chunk.data.slice();
    this.pending.push({ dir, kind: 'data', chunk: { data: copy, offset: chunk.offset, frame: chunk.frame, ts: chunk.ts } });
    this.pendingBytes += copy.length;
    const head = this.heads[dir];
    if (!this.frozen[dir] && head.length < MAX_SNIFF_BYTES) {
      const grown = new Uint8Array(Math.min(MAX_SNIFF_BYTES, head.length + copy.length));
      grown.set(head);
      grown.set(copy.subarray(0, grown.length - head.length), head.length);
      this.heads[dir] = grown;
    }
    this.decide(this.pendingBytes >= MAX_SNIFF_BYTES);
  }

  gap(dir: Direction, size: number, frame: number, ts: number): void {
    if (this.inner) return this.inner.gap(dir, size, frame, ts);
    if (this.gaveUp) return;
    // A gap before any byte of this direction does not break its head: the stream starts after it.
    if (this.heads[dir].length > 0) this.frozen[dir] = true;
    this.pending.push({ dir, kind: 'gap', size, frame, ts });
  }

  end(ts: number, frame: number): void {
    if (!this.inner && !this.gaveUp && this.pending.length > 0) this.decide(true);
    this.inner?.end(ts, frame);
  }

  /** `final`: no more bytes will be waited for, so "cannot tell yet" counts as no. */
  private decide(final: boolean): void {
    const [client, server] = this.heads;
    if (client.length === 0 && server.length === 0) {
      if (final) this.giveUp();
      return;
    }
    const reg = probe(this.svc.stream, client, server, this.svc.flow, final, this.frozen);
    if (reg === undefined) {
      if (final) this.giveUp();
      return;
    }
    if (reg === 'unknown') return this.giveUp();
    const ctx = contextFor(this.svc, this.emit, this.recognised, this.depth);
    const inner = new Chosen(reg.create(ctx), reg.acceptsGaps);
    this.inner = inner;
    this.recognised(reg.name);
    const pending = this.pending;
    this.releaseSniffed();
    for (const p of pending) {
      if (p.kind === 'data') inner.data(p.dir, p.chunk);
      else inner.gap(p.dir, p.size, p.frame, p.ts);
    }
  }

  private giveUp(): void {
    this.gaveUp = true;
    this.releaseSniffed();
  }

  /** Once decided, the held bytes and heads (up to 2 × MAX_SNIFF_BYTES) go: a flow keeps no copies for its lifetime. */
  private releaseSniffed(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.heads[0] = EMPTY;
    this.heads[1] = EMPTY;
  }
}

/**
 * The registry's probing rule (registry.ts): the first true wins unless an earlier
 * registration cannot tell yet; undefined: wait for more bytes; 'unknown': nobody's.
 */
export function probe<R extends Registration>(
  regs: readonly R[],
  client: Uint8Array,
  server: Uint8Array,
  flow: Flow,
  final: boolean,
  frozen: readonly [boolean, boolean] = [false, false],
): R | 'unknown' | undefined {
  let waiting = false;
  for (const reg of regs) {
    // A datagram registration's depth counts datagrams, and each is probed whole.
    const depth = reg.transport === 'tcp' ? reg.sniffDepth : Infinity;
    const c = client.length > depth ? client.subarray(0, depth) : client;
    const s = server.length > depth ? server.subarray(0, depth) : server;
    const answer = reg.probe(c, s, flow);
    if (answer === true) return waiting ? undefined : reg;
    if (answer === undefined && !final && !(saturated(c, depth, frozen[0]) && saturated(s, depth, frozen[1]))) waiting = true;
  }
  return waiting ? undefined : 'unknown';
}

/** A head that can tell the probe nothing more: empty-and-stopped, or as long as the probe looks. */
function saturated(head: Uint8Array, depth: number, frozen: boolean): boolean {
  return head.length >= depth || (frozen && head.length > 0);
}

function tcpHandler(svc: FlowServices, emit: EventSink): FlowHandler {
  const { flow } = svc;
  const sniffer = new SniffingAnalyzer(
    svc,
    emit,
    (app) => {
      flow.app = app;
    },
    0,
  );
  return {
    data: (dir, chunk) => sniffer.data(dir, chunk),
    gap: (dir, _offset, size, frame, ts) => sniffer.gap(dir, size, frame, ts),
    end: (f) => sniffer.end(f.lastTs, f.lastFrame),
  };
}

/** UDP: each datagram is probed on its own (as its direction's head) until one registration claims the flow. */
function udpHandler(svc: FlowServices, emit: EventSink): FlowHandler {
  const { flow } = svc;
  let inner: DatagramAnalyzer | undefined;
  let seen = 0;
  const maxDepth = Math.max(0, ...svc.datagram.map((r) => r.sniffDepth));
  return {
    datagram(dir, payload, frame, ts) {
      if (!inner) {
        if (seen >= maxDepth) return;
        const n = seen++;
        const eligible = svc.datagram.filter((r) => n < r.sniffDepth);
        const reg = probe(eligible, dir === 0 ? payload : EMPTY, dir === 1 ? payload : EMPTY, flow, true);
        if (reg === 'unknown' || reg === undefined) return;
        inner = reg.create(contextFor(svc, emit, () => undefined, 0));
        flow.app = reg.name;
      }
      inner.datagram(dir, payload, frame, ts);
    },
    end: (f) => inner?.end(f.lastTs, f.lastFrame),
  };
}

export interface DispatcherOptions {
  /** The key-log store analyzers look secrets up in (default: an empty one). */
  secrets?: SecretsLookup;
  /** The analyzers to choose from (default: the registry). */
  registry?: readonly Registration[];
}

/** The flow observer that feeds every TCP/UDP flow to the analyzer its content calls for. */
export class ProtocolDispatcher implements FlowObserver {
  private readonly stream: readonly StreamRegistration[];
  private readonly datagram: readonly DatagramRegistration[];
  private readonly secrets: SecretsLookup;
  private readonly anomaly: AnomalySink;

  constructor(
    private readonly emit: EventSink,
    /** Malformed protocol messages, counted by anomaly kind ("dns: truncated", "tls: record too long"). */
    problems: Counter,
    opts: DispatcherOptions = {},
  ) {
    const registry = opts.registry ?? REGISTRY;
    this.stream = registry.filter((r): r is StreamRegistration => r.transport === 'tcp');
    this.datagram = registry.filter((r): r is DatagramRegistration => r.transport === 'udp');
    this.secrets = opts.secrets ?? new SecretsStore();
    this.anomaly = (kind) => problems.add(kind);
  }

  flowStarted(flow: Flow): FlowHandler {
    const svc: FlowServices = { flow, stream: this.stream, datagram: this.datagram, anomaly: this.anomaly, secrets: this.secrets };
    return flow.protocol === 'tcp' ? tcpHandler(svc, this.emit) : udpHandler(svc, this.emit);
  }
}
