/** Builders of analyzer events for detector unit tests (only the fields detectors read vary). */
import type { Flow } from '../../../src/flow/types.js';
import type {
  DnsConflictEvent,
  DnsResponseEvent,
  DnsUnansweredEvent,
  HttpRequestEvent,
  HttpResponseEvent,
  TlsAlertEvent,
  TlsClientHelloEvent,
  TlsServerHelloEvent,
} from '../../../src/protocols/events.js';
import { goRequestOf } from '../../../src/protocols/go-requests.js';
import { clientHelloEvent, httpRequestEvent } from '../../events.js';

const FLAGS = { qr: true, opcode: 'QUERY', aa: false, tc: false, rd: true, ra: true, ad: false, cd: false };
const CLIENT = { addr: '10.0.0.2', port: 40000 };

export function dnsResponse(
  packet: number,
  name: string,
  addresses: string[],
  opts: { rcode?: string; resolver?: string; type?: string; flowId?: number } = {},
): DnsResponseEvent {
  const type = opts.type ?? (addresses[0]?.includes(':') ? 'AAAA' : 'A');
  return {
    type: 'dns-response',
    ts: packet,
    packet,
    flowId: opts.flowId ?? 1000 + packet,
    transport: 'udp',
    client: CLIENT,
    server: { addr: opts.resolver ?? '10.0.0.53', port: 53 },
    id: packet,
    flags: FLAGS,
    rcode: opts.rcode ?? 'NOERROR',
    questions: [{ name, type, class: 'IN' }],
    answers: addresses.map((a) => ({ name, type, class: 'IN', ttl: 300, data: a })),
    authorities: [],
    additionals: [],
    cnameChain: [],
    addresses,
  };
}

export function dnsUnanswered(packet: number, name: string): DnsUnansweredEvent {
  return { type: 'dns-unanswered', ts: packet, packet, flowId: 2000 + packet, transport: 'udp', client: CLIENT, server: { addr: '10.0.0.53', port: 53 }, id: packet, questions: [{ name, type: 'A', class: 'IN' }] };
}

export function dnsConflict(packet: number, name: string, responses: [number, string[]][]): DnsConflictEvent {
  return {
    type: 'dns-conflict',
    ts: packet,
    packet,
    flowId: 3000,
    client: CLIENT,
    server: { addr: '10.0.0.53', port: 53 },
    id: 77,
    questions: [{ name, type: 'A', class: 'IN' }],
    responses: responses.map(([p, addresses]) => ({ packet: p, ts: p, rcode: 'NOERROR', addresses, answers: addresses.map((a) => `${name} A ${a}`), ttl: addresses.map(() => 300) })),
  };
}

export function httpRequest(packet: number, flowId: number, method: string, target: string, host?: string): HttpRequestEvent {
  return httpRequestEvent(flowId, packet, method, target, host);
}

export function httpResponse(packet: number, flowId: number, status: number, request: HttpRequestEvent, location?: string): HttpResponseEvent {
  return {
    type: 'http-response',
    ts: packet,
    packet,
    flowId,
    version: 'HTTP/1.1',
    status,
    reason: '',
    bodyBytes: 0,
    requestPacket: request.packet,
    method: request.method,
    target: request.target,
    headers: [],
    ...(location !== undefined ? { location } : {}),
  };
}

/** The go-request the pipeline derives from an http-request (undefined when it is not Go protocol). */
export const goRequestFor = goRequestOf;

export function tlsHello(packet: number, flowId: number, sni?: string): TlsClientHelloEvent {
  return clientHelloEvent(flowId, packet, sni);
}

export function tlsServerHello(packet: number, flowId: number): TlsServerHelloEvent {
  return { type: 'tls-server-hello', ts: packet, packet, flowId, helloRetryRequest: false, recordVersion: 0x0303, legacyVersion: 0x0303, version: 0x0304, cipher: 0x1301, extensions: [], ja3s: '', ja3sHash: '' };
}

export function clientFatalAlert(packet: number, flowId: number): TlsAlertEvent {
  return { type: 'tls-alert', ts: packet, packet, flowId, dir: 0, encrypted: false, level: 2, description: 42, levelName: 'fatal', descriptionName: 'bad_certificate' };
}

export function flow(id: number, server: string, port: number, firstFrame: number): Flow {
  const stats = () => ({ packets: 1, wireBytes: 60, payloadBytes: 0, streamBytes: 0, gaps: 0, gapBytes: 0, retransmissions: 0, conflictingOverlapBytes: 0, outOfOrder: 0, capDrops: 0 });
  return {
    id,
    protocol: 'tcp',
    ipVersion: server.includes(':') ? 6 : 4,
    client: CLIENT,
    server: { addr: server, port },
    roleBy: 'syn',
    firstTs: firstFrame,
    lastTs: firstFrame + 1,
    firstFrame,
    lastFrame: firstFrame + 1,
    synSeen: true,
    synAckSeen: true,
    finSeen: [true, true],
    rstSeen: false,
    stats: [stats(), stats()],
  };
}
