/**
 * Analyzer events, flows and attributions built in code for the model and report tests:
 * each helper fills the fields a test does not care about with plain values.
 */
import type { FlowAttribution } from '../../src/attribution/types.js';
import type { DirectionStats, Flow } from '../../src/flow/types.js';
import type { DnsResponseEvent, GotapEvent, TlsClientHelloEvent, TlsServerHelloEvent } from '../../src/protocols/events.js';
import { FlowContext } from '../../src/enrich/flow-context.js';
import type { ModelBuilder } from '../../src/model/model-builder.js';
import type { CertificateSummary } from '../../src/model/types.js';
import { clientHelloEvent } from '../events.js';

export const T0 = 1_763_760_000;

export function attribution(flowId: number, host: string | undefined, over: Partial<FlowAttribution> = {}): FlowAttribution {
  return {
    flowId,
    host,
    nameSource: host === undefined ? 'none' : 'sni',
    ...(host === undefined ? {} : { namePacket: 1 }),
    address: '127.0.0.2',
    port: 443,
    role: host === 'proxy.golang.org' ? 'module-proxy' : 'other',
    label: host === 'proxy.golang.org' ? 'Go module proxy' : 'not Go',
    ...over,
  };
}

function stats(payloadBytes: number): DirectionStats {
  return {
    packets: 1,
    wireBytes: payloadBytes + 54,
    payloadBytes,
    streamBytes: payloadBytes,
    gaps: 0,
    gapBytes: 0,
    retransmissions: 0,
    conflictingOverlapBytes: 0,
    outOfOrder: 0,
    capDrops: 0,
  };
}

export function flow(id: number, over: Partial<Flow> & { up?: number; down?: number } = {}): Flow {
  const { up = 100, down = 1000, ...rest } = over;
  return {
    id,
    protocol: 'tcp',
    ipVersion: 4,
    client: { addr: '127.0.0.1', port: 40000 + id },
    server: { addr: '127.0.0.2', port: 443 },
    roleBy: 'syn',
    firstTs: T0 + id,
    lastTs: T0 + id + 1,
    firstFrame: id * 10,
    lastFrame: id * 10 + 9,
    synSeen: true,
    synAckSeen: true,
    finSeen: [true, true],
    rstSeen: false,
    stats: [stats(up), stats(down)],
    endReason: 'fin',
    ...rest,
  };
}

export function dnsResponse(flowId: number, packet: number, name: string, addresses: string[], over: Partial<DnsResponseEvent> = {}): DnsResponseEvent {
  return {
    type: 'dns-response',
    ts: T0 + packet / 1000,
    packet,
    flowId,
    transport: 'udp',
    client: { addr: '127.0.0.1', port: 50000 },
    server: { addr: '127.0.0.53', port: 53 },
    id: 1,
    flags: { qr: true, opcode: 'QUERY', aa: false, tc: false, rd: true, ra: true, ad: false, cd: false },
    rcode: 'NOERROR',
    questions: [{ name, type: 'A', class: 'IN' }],
    answers: addresses.map((data) => ({ name, type: 'A', class: 'IN', ttl: 300, data })),
    authorities: [],
    additionals: [],
    cnameChain: [],
    addresses,
    ...over,
  };
}

export function clientHello(flowId: number, packet: number, sni: string | undefined): TlsClientHelloEvent {
  return clientHelloEvent(flowId, packet, sni, {
    ts: T0 + packet / 1000,
    alpn: ['h2', 'http/1.1'],
    supportedVersions: [0x0304, 0x0303],
    ciphers: [0x1301],
    extensions: [0],
    groups: [29],
    ecPointFormats: [0],
    signatureAlgorithms: [0x0403],
    keyShareGroups: [29],
    ja3: '771,4865,0,29,0',
    ja3Hash: '0123456789abcdef0123456789abcdef',
    ja4: 't13d1910h2_9dc949149365_97f8aa674fd9',
    ja4r: 't13d1910h2_1301_0000',
  });
}

export function serverHello(flowId: number, packet: number, version: number, alpn?: string): TlsServerHelloEvent {
  return {
    type: 'tls-server-hello',
    ts: T0 + packet / 1000,
    packet,
    flowId,
    helloRetryRequest: false,
    recordVersion: 0x0303,
    legacyVersion: 0x0303,
    version,
    cipher: 0x1302,
    extensions: [43],
    ...(alpn !== undefined ? { alpn } : {}),
    ja3s: '771,4866,43',
    ja3sHash: 'fedcba9876543210fedcba9876543210',
  };
}

export function goRequest(flowId: number, packet: number, kind: Extract<GotapEvent, { type: 'go-request' }>['kind'], target: string): GotapEvent {
  return { type: 'go-request', ts: T0 + packet / 1000, packet, flowId, kind, method: 'GET', target, requestPacket: packet };
}

/** A flow context whose attribution is fixed, as the enrichment step hands it to the model. */
export function ctx(a: FlowAttribution): FlowContext {
  return new FlowContext(a.flowId, () => a);
}

/** Feeds the model a server Certificate whose chain fact has this summary (the model reads nothing else of it). */
export function certificate(b: ModelBuilder, a: FlowAttribution, summary: CertificateSummary): void {
  const c = ctx(a);
  const ts = T0 + summary.packet / 1000;
  c.chain = { summary, accepted: false, packet: summary.packet, ts, assessment: { verdict: summary.verdict, problems: [], chainLength: summary.chainLength, chain: [], path: [], signatureChecks: 0 } };
  b.event({ type: 'tls-certificates', ts, packet: summary.packet, flowId: a.flowId, dir: 1, certs: [] }, c);
}
