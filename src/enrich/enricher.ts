/**
 * The enrichment step between the analyzers and the detectors: each fact is computed once
 * per event and kept in the flow's FlowContext — the attribution (the Attributor learns
 * from the event first: a ClientHello names its own flow), the TLS handshake facts, the
 * certificate chain assessment, and HTTP request/response pairing (the Go request
 * classification arrives as go-request events derived at the analyzer output).
 * Contexts live from flow start to flow end; events of a flow the table never announced
 * (bare event feeds in tests) get a context too, within a hard cap.
 */
import { Attributor } from '../attribution/attributor.js';
import type { HostCatalog } from '../attribution/catalog.js';
import type { FlowAttribution } from '../attribution/types.js';
import type { Flow } from '../flow/types.js';
import type { GotapEvent } from '../protocols/events.js';
import type { TrustStore } from '../x509/trust-store.js';
import { assessChainFact, type AcceptedInterceptionRule, type ChainFact } from './chain-fact.js';
import { FlowContext } from './flow-context.js';

const TLS13 = 0x0304;
/** Contexts kept for flows never announced by a flow table (the table itself bounds the rest). */
const MAX_UNANNOUNCED = 65_536;

export interface EnricherOptions {
  catalog: HostCatalog;
  trust: TrustStore;
  acceptedInterception?: readonly AcceptedInterceptionRule[];
}

/** The name to check the leaf against: the flow's host (SNI when there was one). */
export function serverNameOf(attribution: FlowAttribution): string | undefined {
  return attribution.nameSource === 'none' ? undefined : attribution.host;
}

/** Assesses a server's chain (the enricher binds the trust store and the user's rules). */
export type ChainAssessor = (certs: Uint8Array[], at: { ts: number; packet: number }, serverName: string | undefined) => ChainFact;

/** Updates a flow's facts from one of its events (the attribution is learned separately). */
export function learn(ctx: FlowContext, ev: GotapEvent, assess: ChainAssessor): void {
  switch (ev.type) {
    case 'tls-client-hello':
      ctx.tls = true;
      ctx.handshake.clientHello = {
        packet: ev.packet,
        ts: ev.ts,
        ...(ev.sni !== undefined ? { sni: ev.sni } : {}),
        offered13: ev.supportedVersions.includes(TLS13),
        legacyVersion: ev.legacyVersion,
      };
      break;
    case 'tls-server-hello':
      ctx.tls = true;
      ctx.handshake.serverHello = { packet: ev.packet, ts: ev.ts, version: ev.version, helloRetryRequest: ev.helloRetryRequest };
      if (!ev.helloRetryRequest) ctx.handshake.version = ev.version;
      break;
    case 'tls-certificates':
      if (ev.dir !== 1) break;
      ctx.handshake.certificate = { packet: ev.packet, ts: ev.ts, count: ev.certs.length };
      ctx.chain = assess(ev.certs, ev, serverNameOf(ctx.attribution));
      break;
    case 'http-request':
      ctx.requestSent(ev);
      break;
    case 'go-request':
      ctx.goRequest(ev);
      break;
    case 'http-response':
      ctx.responseReceived(ev);
      break;
    default:
      break;
  }
}

export class Enricher {
  readonly attributor: Attributor;
  private readonly contexts = new Map<number, FlowContext>();
  private unannounced = 0;

  constructor(private readonly opts: EnricherOptions) {
    this.attributor = new Attributor(opts.catalog);
  }

  private readonly attributionOf = (flowId: number): FlowAttribution => this.attributor.attributionOf(flowId);

  flowStarted(flow: Flow): FlowContext {
    this.attributor.flowStarted(flow);
    const existing = this.contexts.get(flow.id);
    if (existing?.flow) return existing;
    if (existing) this.unannounced--;
    const ctx = new FlowContext(flow.id, this.attributionOf, flow);
    this.contexts.set(flow.id, ctx);
    return ctx;
  }

  /** The context of an event's flow, after learning from the event. */
  event(ev: GotapEvent): FlowContext {
    this.attributor.event(ev);
    const ctx = this.context(ev.flowId);
    learn(ctx, ev, this.assess);
    return ctx;
  }

  private readonly assess: ChainAssessor = (certs, at, serverName) =>
    assessChainFact(this.opts.trust, certs, at, serverName, this.opts.acceptedInterception);

  /** The flow ended: its final context (the caller drops it after the detectors and model saw it). */
  flowEnded(flow: Flow): FlowContext {
    return this.contexts.get(flow.id) ?? this.flowStarted(flow);
  }

  /** Forgets the flow (after flowEnded's consumers ran). */
  drop(flowId: number): void {
    const ctx = this.contexts.get(flowId);
    if (ctx && !ctx.flow) this.unannounced--;
    this.contexts.delete(flowId);
    this.attributor.flowEnded(flowId);
  }

  /** Open contexts (bounded by the flow table's maxFlows plus the unannounced cap). */
  get size(): number {
    return this.contexts.size;
  }

  private context(flowId: number): FlowContext {
    let ctx = this.contexts.get(flowId);
    if (ctx) return ctx;
    if (this.unannounced >= MAX_UNANNOUNCED) {
      for (const [id, c] of this.contexts) {
        if (c.flow) continue;
        this.contexts.delete(id);
        this.unannounced--;
        break;
      }
    }
    ctx = new FlowContext(flowId, this.attributionOf);
    this.contexts.set(flowId, ctx);
    this.unannounced++;
    return ctx;
  }
}
