/**
 * What the TLS detectors share: the host a finding is about, and the handshake frames
 * they cite as evidence, built from the flow's handshake facts (src/enrich) so every
 * detector words the same frame the same way.
 */
import type { CatalogEntry, FlowAttribution } from '../../attribution/types.js';
import type { FlowContext } from '../../enrich/flow-context.js';
import { tlsVersionName } from '../../protocols/tls/version-names.js';
import type { Evidence } from '../types.js';

/** The host a finding is about: its name, else the server address. */
export function findingHost(attribution: FlowAttribution): string | undefined {
  return attribution.host ?? (attribution.address === '' ? undefined : attribution.address);
}

/** The flow's catalog entry: from the attribution, else by its host name. */
export function entryOf(attribution: FlowAttribution, catalog: { lookup(host: string): CatalogEntry | undefined }): CatalogEntry | undefined {
  return attribution.entry ?? (attribution.host === undefined ? undefined : catalog.lookup(attribution.host));
}

/** "ClientHello SNI proxy.golang.org" / "ClientHello (no SNI)". */
export function clientHelloEvidence(ctx: FlowContext): Evidence | undefined {
  const h = ctx.handshake.clientHello;
  if (!h) return undefined;
  return { packet: h.packet, ts: h.ts, flowId: ctx.flowId, what: `ClientHello${h.sni === undefined ? ' (no SNI)' : ` SNI ${h.sni}`}` };
}

/** "ServerHello chose TLS 1.2" for the latest ServerHello (or HelloRetryRequest). */
export function serverHelloEvidence(ctx: FlowContext): Evidence | undefined {
  const h = ctx.handshake.serverHello;
  if (!h) return undefined;
  return { packet: h.packet, ts: h.ts, flowId: ctx.flowId, what: `ServerHello chose ${tlsVersionName(h.version)}` };
}

/** The flow's ClientHello and ServerHello evidence, then `last` (the Certificate). */
export function handshakeEvidence(ctx: FlowContext, last: Evidence): Evidence[] {
  return [clientHelloEvidence(ctx), serverHelloEvidence(ctx), last].filter((e): e is Evidence => e !== undefined);
}
