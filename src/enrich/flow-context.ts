/**
 * The per-flow context owned by the pipeline, like Zeek's connection record: what the
 * enrichment step learned about one flow (attribution, handshake facts, the chain fact,
 * paired HTTP transactions) and what detectors need to remember about it (typed slots).
 * It is created at flow start and dropped at flow end, so every per-flow fact anywhere
 * after the analyzers is bounded by the flow table's `maxFlows` — no detector keeps a
 * private per-flow map with its own cap.
 */
import type { FlowAttribution } from '../attribution/types.js';
import type { Flow } from '../flow/types.js';
import type { GoRequestEvent, HttpRequestEvent, HttpResponseEvent } from '../protocols/events.js';
import type { ChainFact } from './chain-fact.js';

/** A typed key for a detector's per-flow state (declare one per detector module). */
export class FlowSlot<T> {
  declare private readonly type: T;
  constructor(readonly name: string) {}
}

export interface HelloFact {
  packet: number;
  ts: number;
}

export interface HandshakeFacts {
  clientHello?: HelloFact & { sni?: string; offered13: boolean; legacyVersion: number };
  /** The latest ServerHello or HelloRetryRequest. */
  serverHello?: HelloFact & { version: number; helloRetryRequest: boolean };
  /** The negotiated version: the latest ServerHello that is not a HelloRetryRequest. */
  version?: number;
  /** The server's Certificate message (TLS ≤ 1.2, or decrypted). */
  certificate?: HelloFact & { count: number };
}

/** One HTTP request and, once it arrived, its response. */
export interface HttpTransaction {
  request: HttpRequestEvent;
  go?: GoRequestEvent;
  response?: HttpResponseEvent;
}

/** Requests of one flow waiting for their response (pipelining, HTTP/2 streams). */
const MAX_OPEN_TRANSACTIONS = 64;

export class FlowContext {
  readonly handshake: HandshakeFacts = {};
  /** A TLS hello was seen: HTTP on this flow after it is inside TLS (a tunnel, or decrypted). */
  tls = false;
  /** The server's certificate chain, assessed once (the latest one when a flow sends several). */
  chain?: ChainFact;
  /** The transaction the current http-response (or go-request) belongs to; valid during that event. */
  transaction?: HttpTransaction;
  private readonly open = new Map<number, HttpTransaction>();
  private slots?: Map<FlowSlot<unknown>, unknown>;

  constructor(
    readonly flowId: number,
    private readonly attributionOf: (flowId: number) => FlowAttribution,
    /** The flow record, when the flow table announced the flow (absent for bare event feeds). */
    readonly flow?: Flow,
  ) {}

  /** The flow's attribution now (computed once per change by the attributor). */
  get attribution(): FlowAttribution {
    return this.attributionOf(this.flowId);
  }

  get<T>(slot: FlowSlot<T>): T | undefined {
    return this.slots?.get(slot) as T | undefined;
  }

  set<T>(slot: FlowSlot<T>, value: T): void {
    (this.slots ??= new Map()).set(slot, value);
  }

  delete<T>(slot: FlowSlot<T>): void {
    this.slots?.delete(slot);
  }

  /** @internal enrichment: a request was sent. */
  requestSent(ev: HttpRequestEvent): void {
    if (this.open.size >= MAX_OPEN_TRANSACTIONS) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    this.transaction = { request: ev };
    this.open.set(ev.packet, this.transaction);
  }

  /** @internal enrichment: the go-request derived from a request. */
  goRequest(ev: GoRequestEvent): void {
    const t = this.open.get(ev.requestPacket);
    if (t) t.go = ev;
    this.transaction = t;
  }

  /** @internal enrichment: a response arrived; pairs it with its request. */
  responseReceived(ev: HttpResponseEvent): void {
    const t = ev.requestPacket === undefined ? undefined : this.open.get(ev.requestPacket);
    if (t) {
      this.open.delete(ev.requestPacket as number);
      t.response = ev;
    }
    this.transaction = t;
  }
}
