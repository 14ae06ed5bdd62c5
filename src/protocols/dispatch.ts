/**
 * Picks the analyzer for each flow by content, as Wireshark's heuristic dissectors and
 * Zeek's dynamic protocol detection do: Go traffic runs on any port (mirrors on :8081,
 * corporate proxies on :3128, TLS inside a CONNECT tunnel), so ports are only a hint,
 * used for DNS alone. The first bytes of each direction are held (copied, bounded) until
 * one analyzer claims them, then replayed to it; a flow nobody claims costs nothing more.
 */
import type { Direction, Flow, FlowHandler, FlowObserver, StreamChunk } from '../flow/types.js';
import type { AnalyzerContext, StreamAnalyzer } from './analyzer.js';
import type { EventSink } from './events.js';
import type { Counter } from '../util/counter.js';
import { createDnsTcpAnalyzer, createDnsUdpAnalyzer, isDnsPort, looksLikeDnsMessage, looksLikeDnsOverTcp } from './dns/index.js';
import { createHttpAnalyzer, looksLikeHttpRequest, looksLikeHttpResponse } from './http/index.js';
import { createTlsAnalyzer, looksLikeTls } from './tls/index.js';

/** Bytes held per flow while no analyzer has claimed it; beyond this it stays unknown. */
const MAX_SNIFF_BYTES = 4096;
/** UDP flows off the DNS ports: how many datagrams may prove they are DNS. */
const UDP_SNIFF_DATAGRAMS = 3;
/** The heads of every flow not sniffing (any more): one shared empty array, not two per flow. */
const EMPTY = new Uint8Array(0);

type Pending = { dir: Direction; kind: 'data'; chunk: StreamChunk } | { dir: Direction; kind: 'gap'; size: number; frame: number; ts: number };

type Verdict = 'tls' | 'http' | 'dns' | 'unknown' | undefined;

/** A StreamAnalyzer that decides what the stream is, then becomes that analyzer. */
class SniffingAnalyzer implements StreamAnalyzer {
  private inner: StreamAnalyzer | undefined;
  private gaveUp = false;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private readonly heads: [Uint8Array, Uint8Array] = [EMPTY, EMPTY];

  constructor(
    private readonly ctx: AnalyzerContext,
    /** Called with the recognised protocol, to label the flow. */
    private readonly recognised: (app: string) => void,
    /** DNS over TCP is only considered on a DNS port. */
    private readonly dnsPort: boolean,
    private readonly problems: Counter,
  ) {}

  data(dir: Direction, chunk: StreamChunk): void {
    if (this.inner) return this.inner.data(dir, chunk);
    if (this.gaveUp) return;
    const copy = chunk.data.slice();
    this.pending.push({ dir, kind: 'data', chunk: { data: copy, offset: chunk.offset, frame: chunk.frame, ts: chunk.ts } });
    this.pendingBytes += copy.length;
    const head = this.heads[dir];
    if (head.length < MAX_SNIFF_BYTES) {
      const grown = new Uint8Array(Math.min(MAX_SNIFF_BYTES, head.length + copy.length));
      grown.set(head);
      grown.set(copy.subarray(0, grown.length - head.length), head.length);
      this.heads[dir] = grown;
    }
    this.decide();
  }

  gap(dir: Direction, size: number, frame: number, ts: number): void {
    if (this.inner) return this.inner.gap(dir, size, frame, ts);
    if (this.gaveUp) return;
    this.pending.push({ dir, kind: 'gap', size, frame, ts });
  }

  end(ts: number, frame: number): void {
    this.inner?.end(ts, frame);
  }

  private decide(): void {
    const verdict = this.verdict();
    if (verdict === undefined) {
      if (this.pendingBytes >= MAX_SNIFF_BYTES) this.giveUp();
      return;
    }
    if (verdict === 'unknown') return this.giveUp();
    this.inner = this.create(verdict);
    this.recognised(verdict);
    const pending = this.pending;
    this.releaseSniffed();
    for (const p of pending) {
      if (p.kind === 'data') this.inner.data(p.dir, p.chunk);
      else this.inner.gap(p.dir, p.size, p.frame, p.ts);
    }
  }

  /** undefined: not enough bytes yet. */
  private verdict(): Verdict {
    const [client, server] = this.heads;
    let needMore = false;
    const vote = (answer: boolean | undefined): boolean => {
      if (answer === undefined) needMore = true;
      return answer === true;
    };
    if (client.length > 0) {
      if (this.dnsPort && vote(looksLikeDnsOverTcp(client))) return 'dns';
      if (vote(looksLikeTls(client))) return 'tls';
      if (vote(looksLikeHttpRequest(client))) return 'http';
    }
    if (server.length > 0) {
      if (vote(looksLikeTls(server))) return 'tls';
      if (vote(looksLikeHttpResponse(server))) return 'http';
    }
    if (client.length === 0 && server.length === 0) return undefined;
    return needMore ? undefined : 'unknown';
  }

  private create(verdict: 'tls' | 'http' | 'dns'): StreamAnalyzer {
    switch (verdict) {
      case 'tls':
        return createTlsAnalyzer(this.ctx);
      case 'dns':
        return createDnsTcpAnalyzer(this.ctx, { counter: this.problems });
      case 'http':
        return createHttpAnalyzer(this.ctx, {
          openTunnel: () => new SniffingAnalyzer(this.ctx, (inner) => this.recognised(`http>${inner}`), false, this.problems),
        });
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

function tcpHandler(ctx: AnalyzerContext, problems: Counter): FlowHandler {
  const { flow } = ctx;
  const sniffer = new SniffingAnalyzer(
    ctx,
    (app) => {
      flow.app = app;
    },
    isDnsPort(flow.server.port) || isDnsPort(flow.client.port),
    problems,
  );
  return {
    data: (dir, chunk) => sniffer.data(dir, chunk),
    gap: (dir, _offset, size, frame, ts) => sniffer.gap(dir, size, frame, ts),
    end: (f) => sniffer.end(f.lastTs, f.lastFrame),
  };
}

function udpHandler(ctx: AnalyzerContext, problems: Counter): FlowHandler {
  const { flow } = ctx;
  let dns: ReturnType<typeof createDnsUdpAnalyzer> | undefined;
  let tries = isDnsPort(flow.server.port) || isDnsPort(flow.client.port) ? Infinity : UDP_SNIFF_DATAGRAMS;
  return {
    datagram(dir, payload, frame, ts) {
      if (!dns) {
        if (tries <= 0) return;
        tries--;
        if (tries !== Infinity && !looksLikeDnsMessage(payload)) return;
        dns = createDnsUdpAnalyzer(ctx, { counter: problems });
        flow.app = 'dns';
      }
      dns.datagram(dir, payload, frame, ts);
    },
    end: (f) => dns?.end(f.lastTs, f.lastFrame),
  };
}

/** The flow observer that feeds every TCP/UDP flow to the analyzer its content calls for. */
export class ProtocolDispatcher implements FlowObserver {
  constructor(
    private readonly emit: EventSink,
    /** Malformed protocol messages, counted by kind ("dns: truncated"). */
    private readonly problems: Counter,
  ) {}

  flowStarted(flow: Flow): FlowHandler {
    const ctx: AnalyzerContext = { flow, emit: this.emit };
    return flow.protocol === 'tcp' ? tcpHandler(ctx, this.problems) : udpHandler(ctx, this.problems);
  }
}
