/**
 * The analyzer registry: which protocols gotap recognises, how each is probed, and the
 * order in which they are tried, stated here and nowhere else (as Suricata's app-layer
 * registration does: name, transport, probe, sniffing depth, gap acceptance).
 *
 * Probing (dispatch.ts): the first bytes of each direction ("heads", each cut to the
 * registration's `sniffDepth`) go to every registration of the flow's transport, in this
 * order. The first probe that answers true wins — unless an earlier one answered
 * undefined (it needs more bytes and has precedence), then the dispatcher waits. When
 * every probe answers false the flow stays unknown. At the end of the flow, or when the
 * held bytes reach their cap, undefined counts as false.
 *
 * A new protocol analyzer is one file (exporting its probe and its `create…Analyzer`)
 * plus one entry below.
 */
import type { Flow } from '../flow/types.js';
import type { AnalyzerContext, DatagramAnalyzer, StreamAnalyzer } from './analyzer.js';
import { createDnsTcpAnalyzer, createDnsUdpAnalyzer, isDnsPort, looksLikeDnsMessage, looksLikeDnsOverTcp } from './dns/index.js';
import { createHttpAnalyzer, looksLikeHttpRequest, looksLikeHttpResponse } from './http/index.js';
import { createHttp2Analyzer, looksLikeHttp2Preface } from './http2/index.js';
import { createTlsAnalyzer, looksLikeTls } from './tls/index.js';

/** true: this protocol; false: not it; undefined: too few bytes to tell. An empty head has not been seen yet. */
export type Probe = (clientHead: Uint8Array, serverHead: Uint8Array, flow: Flow) => boolean | undefined;

interface Common {
  name: string;
  probe: Probe;
}

export interface StreamRegistration extends Common {
  transport: 'tcp';
  /** Bytes of each direction the probe looks at; once a direction holds that many, "undefined" means no. */
  sniffDepth: number;
  /**
   * Whether the analyzer can use bytes after a gap. When false, the dispatcher tells it
   * about the first gap of a direction and then feeds that direction nothing more.
   */
  acceptsGaps: boolean;
  create(ctx: AnalyzerContext): StreamAnalyzer;
}

export interface DatagramRegistration extends Common {
  transport: 'udp';
  /** Datagrams the probe may see before the flow is given up on (the probe gets one at a time, as its direction's head). */
  sniffDepth: number;
  create(ctx: AnalyzerContext): DatagramAnalyzer;
}

export type Registration = StreamRegistration | DatagramRegistration;

/** Combines one check per direction: true if either head says so, undefined if either cannot tell yet. */
export function eitherHead(
  client: ((head: Uint8Array) => boolean | undefined) | undefined,
  server: ((head: Uint8Array) => boolean | undefined) | undefined,
): Probe {
  return (c, s) => {
    const a = client && c.length > 0 ? client(c) : false;
    if (a === true) return true;
    const b = server && s.length > 0 ? server(s) : false;
    if (b === true) return true;
    return a === undefined || b === undefined ? undefined : false;
  };
}

const onDnsPort = (flow: Flow): boolean => isDnsPort(flow.server.port) || isDnsPort(flow.client.port);
const dnsOverTcp = eitherHead(looksLikeDnsOverTcp, undefined);
const dnsDatagram = eitherHead(looksLikeDnsMessage, looksLikeDnsMessage);

/** Every analyzer, in probing order per transport. */
export const REGISTRY: readonly Registration[] = [
  // DNS over TCP is only believed on a DNS port: a 2-byte length plus a plausible header is too weak a signature elsewhere.
  { name: 'dns', transport: 'tcp', probe: (c, s, flow) => onDnsPort(flow) && dnsOverTcp(c, s, flow), sniffDepth: 2 + 512, acceptsGaps: false, create: (ctx) => createDnsTcpAnalyzer(ctx) },
  // Before HTTP/1: the HTTP/2 preface parses as an HTTP/1 request line ("PRI * HTTP/2.0").
  { name: 'http2', transport: 'tcp', probe: eitherHead(looksLikeHttp2Preface, undefined), sniffDepth: 24, acceptsGaps: false, create: createHttp2Analyzer },
  { name: 'tls', transport: 'tcp', probe: eitherHead(looksLikeTls, looksLikeTls), sniffDepth: 5, acceptsGaps: false, create: createTlsAnalyzer },
  { name: 'http', transport: 'tcp', probe: eitherHead(looksLikeHttpRequest, looksLikeHttpResponse), sniffDepth: 64, acceptsGaps: true, create: createHttpAnalyzer },
  // UDP: every datagram on a DNS port is DNS (malformed ones are counted by the analyzer); elsewhere three datagrams may prove it.
  { name: 'dns', transport: 'udp', probe: (c, s, flow) => onDnsPort(flow) || dnsDatagram(c, s, flow), sniffDepth: 3, create: (ctx) => createDnsUdpAnalyzer(ctx) },
];
