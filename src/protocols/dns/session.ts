/**
 * Per-flow DNS state shared by the UDP and TCP analyzers: parses each message,
 * emits query/response events, matches responses to queries by (id, endpoints,
 * question) using the QR bit rather than the flow direction, and keeps what is
 * needed to report unanswered queries and conflicting answers.
 *
 * Conflicts: every response to one transaction is remembered (bounded) for a short
 * capture-time window after the first answer. A response whose content (rcode plus
 * the answer set, TTLs and order ignored) differs from all earlier ones emits one
 * dns-conflict event listing every response seen so far, so a second distinct answer
 * emits one event and a third distinct answer emits another (with all three).
 * Identical retransmissions never do. mDNS flows are exempt: responders legitimately
 * re-announce varying record sets with id 0. Queries whose answers arrive on other
 * flows (sent to multicast/broadcast addresses, or mDNS queries from port 5353) are
 * not tracked, so they are never reported unanswered.
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { Direction, Endpoint } from '../../flow/types.js';
import type { DnsConflictEvent, DnsQuestion, DnsRecord } from '../events.js';
import { isMulticastOrBroadcast } from './address.js';
import { resolveChain } from './chain.js';
import { parseDnsMessage, type DnsMessage } from './message.js';

/** Malformed input and table caps are counted through the context (`ctx.anomaly`, "dns: truncated" …). */
export interface DnsAnalyzerOptions {
  /** Queries awaiting an answer per flow; beyond it the oldest is reported unanswered. Default 4096. */
  maxPending?: number;
  /** Answered transactions remembered per flow for conflict detection. Default 1024. */
  maxAnswered?: number;
  /** Capture seconds an answered transaction is remembered after its first response. Default 10. */
  answeredWindowSec?: number;
}

/** Responses listed per transaction in a conflict event. */
const MAX_RESPONSES_PER_TX = 16;

interface PendingQuery {
  key: string;
  id: number;
  client: Endpoint;
  server: Endpoint;
  questions: DnsQuestion[];
  frame: number;
  ts: number;
}

type ResponseSummary = DnsConflictEvent['responses'][number];

/** A response as remembered; its summary strings are only made for a dns-conflict event. */
interface StoredResponse {
  packet: number;
  ts: number;
  rcode: string;
  addresses: string[];
  records: DnsRecord[];
}

interface AnsweredTx {
  query: PendingQuery | undefined;
  firstTs: number;
  responses: StoredResponse[];
  /** Distinct response contents seen; made when a second response arrives (most transactions get one). */
  contents: Set<string> | undefined;
}

export class DnsSession {
  private readonly pending = new Map<string, PendingQuery>();
  private readonly answered = new Map<string, AnsweredTx>();
  private readonly maxPending: number;
  private readonly maxAnswered: number;
  private readonly windowSec: number;
  private readonly mdns: boolean;

  constructor(
    private readonly ctx: AnalyzerContext,
    private readonly transport: 'udp' | 'tcp',
    options: DnsAnalyzerOptions = {},
  ) {
    this.maxPending = Math.max(1, options.maxPending ?? 4096);
    this.maxAnswered = Math.max(1, options.maxAnswered ?? 1024);
    this.windowSec = options.answeredWindowSec ?? 10;
    this.mdns = ctx.flow.client.port === 5353 || ctx.flow.server.port === 5353;
  }

  /** One complete DNS message sent in direction `dir`. */
  message(dir: Direction, bytes: Uint8Array, frame: number, ts: number): void {
    const parsed = parseDnsMessage(bytes, { mdns: this.mdns });
    if (!parsed.ok) {
      this.ctx.anomaly(`dns: ${parsed.problem}`);
      return;
    }
    for (const w of parsed.msg.warnings) this.ctx.anomaly(`dns: ${w}`);
    const { client, server } = this.ctx.flow;
    const src = dir === 0 ? client : server;
    const dst = dir === 0 ? server : client;
    if (parsed.msg.flags.qr) this.response(parsed.msg, src, dst, frame, ts);
    else this.query(parsed.msg, src, dst, frame, ts);
  }

  /** Reports every query still waiting for an answer. */
  end(): void {
    for (const p of this.pending.values()) this.emitUnanswered(p);
    this.pending.clear();
    this.answered.clear();
  }

  private query(msg: DnsMessage, client: Endpoint, server: Endpoint, frame: number, ts: number): void {
    this.ctx.emit({
      type: 'dns-query',
      ts,
      packet: frame,
      flowId: this.ctx.flow.id,
      transport: this.transport,
      client,
      server,
      id: msg.id,
      flags: msg.flags,
      questions: msg.questions,
      ...(msg.edns ? { edns: msg.edns } : {}),
    });
    // Answers to multicast queries, and to mDNS queries sent from port 5353 (RFC 6762
    // §6: answered by multicast unless the querier uses another port), arrive on other flows.
    if (isMulticastOrBroadcast(server.addr) || (this.mdns && client.port === 5353)) return;
    const key = txKey(msg.id, client, server, msg.questions);
    if (this.pending.has(key)) {
      this.ctx.anomaly('dns: repeated query (same id and question)');
      return;
    }
    this.pending.set(key, { key, id: msg.id, client, server, questions: msg.questions, frame, ts });
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.values().next().value;
      if (oldest) {
        this.pending.delete(oldest.key);
        this.ctx.anomaly('dns: pending query table full');
        this.emitUnanswered(oldest);
      }
    }
  }

  private response(msg: DnsMessage, server: Endpoint, client: Endpoint, frame: number, ts: number): void {
    let key = txKey(msg.id, client, server, msg.questions);
    let query = this.pending.get(key);
    if (!query && msg.questions.length === 0) {
      // Some error responses (FORMERR, NOTIMP) carry no question: match on id and endpoints.
      query = this.findPendingById(msg.id, client, server);
      if (query) key = query.key;
    }
    if (query) this.pending.delete(key);
    // A response to a pending query starts a new transaction (ids get reused); any
    // other response is compared with the answers already given to the same query.
    const tx = this.mdns || query ? undefined : this.answered.get(key);
    query ??= tx?.query;

    const { cnameChain, addresses } = resolveChain(msg.questions[0]?.name, msg.answers);
    this.ctx.emit({
      type: 'dns-response',
      ts,
      packet: frame,
      flowId: this.ctx.flow.id,
      transport: this.transport,
      client,
      server,
      id: msg.id,
      flags: msg.flags,
      rcode: msg.rcode,
      questions: msg.questions,
      answers: msg.answers,
      authorities: msg.authorities,
      additionals: msg.additionals,
      ...(msg.edns ? { edns: msg.edns } : {}),
      ...(query ? { queryPacket: query.frame, rtt: ts - query.ts } : {}),
      cnameChain,
      addresses,
    });
    if (this.mdns) return;

    const stored: StoredResponse = { packet: frame, ts, rcode: msg.rcode, addresses, records: msg.answers };
    if (!tx) {
      this.answered.delete(key);
      this.answered.set(key, { query, firstTs: ts, responses: [stored], contents: undefined });
      this.pruneAnswered(ts);
      return;
    }
    if (tx.responses.length < MAX_RESPONSES_PER_TX) tx.responses.push(stored);
    else this.ctx.anomaly('dns: responses per transaction beyond cap');
    tx.contents ??= new Set([contentKey(tx.responses[0]!)]);
    const content = contentKey(stored);
    if (tx.contents.has(content)) return;
    tx.contents.add(content);
    this.ctx.emit({
      type: 'dns-conflict',
      ts,
      packet: frame,
      flowId: this.ctx.flow.id,
      client,
      server,
      id: msg.id,
      questions: msg.questions,
      responses: tx.responses.map(summarize),
    });
  }

  private findPendingById(id: number, client: Endpoint, server: Endpoint): PendingQuery | undefined {
    for (const p of this.pending.values()) {
      if (p.id === id && sameEndpoint(p.client, client) && sameEndpoint(p.server, server)) return p;
    }
    return undefined;
  }

  /** Drops answered transactions beyond the count cap or older than the window (oldest first). */
  private pruneAnswered(now: number): void {
    for (const [key, tx] of this.answered) {
      if (this.answered.size <= this.maxAnswered && tx.firstTs >= now - this.windowSec) break;
      this.answered.delete(key);
    }
  }

  private emitUnanswered(p: PendingQuery): void {
    this.ctx.emit({
      type: 'dns-unanswered',
      ts: p.ts,
      packet: p.frame,
      flowId: this.ctx.flow.id,
      transport: this.transport,
      client: p.client,
      server: p.server,
      id: p.id,
      questions: p.questions,
    });
  }
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.addr === b.addr && a.port === b.port;
}

function txKey(id: number, client: Endpoint, server: Endpoint, questions: DnsQuestion[]): string {
  const q = questions.map((x) => `${x.name.toLowerCase()}/${x.type}/${x.class}`).join(',');
  return `${id} ${client.addr}#${client.port} ${server.addr}#${server.port} ${q}`;
}

/** What makes two responses "the same answer": rcode and the answer set, ignoring TTLs, order and name case. */
function contentKey(r: StoredResponse): string {
  const answers = r.records.map((x) => `${x.name.toLowerCase()} ${x.type} ${x.class} ${x.data}`).sort();
  return [r.rcode, ...answers].join('\n');
}

function summarize(r: StoredResponse): ResponseSummary {
  return {
    packet: r.packet,
    ts: r.ts,
    rcode: r.rcode,
    addresses: r.addresses,
    answers: r.records.map((x) => `${x.name} ${x.type} ${x.data}`),
    ttl: r.records.map((x) => x.ttl),
  };
}
