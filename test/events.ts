/** Analyzer events built in code, shared by the tests of the stages after the analyzers. */
import type { HttpRequestEvent, TlsClientHelloEvent } from '../src/protocols/events.js';

/** A Go-like TLS 1.3 ClientHello; fields a test cares about can be overridden. */
export function clientHelloEvent(flowId: number, packet: number, sni: string | undefined, over: Partial<TlsClientHelloEvent> = {}): TlsClientHelloEvent {
  return {
    type: 'tls-client-hello',
    ts: packet,
    packet,
    flowId,
    recordVersion: 0x0301,
    legacyVersion: 0x0303,
    sslv2: false,
    ...(sni !== undefined ? { sni } : {}),
    alpn: ['h2'],
    supportedVersions: [0x0304],
    ciphers: [],
    extensions: [],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    ech: false,
    esni: false,
    grease: false,
    sessionIdLength: 32,
    ja3: '',
    ja3Hash: '',
    ja4: '',
    ja4r: '',
    ...over,
  };
}

/** An HTTP/1.1 request (a CONNECT carries its target as connectTarget). */
export function httpRequestEvent(flowId: number, packet: number, method: string, target: string, host?: string): HttpRequestEvent {
  return {
    type: 'http-request',
    ts: packet,
    packet,
    flowId,
    method,
    target,
    version: 'HTTP/1.1',
    ...(host !== undefined ? { host } : {}),
    bodyBytes: 0,
    headers: host ? [['Host', host]] : [],
    ...(method === 'CONNECT' ? { connectTarget: target } : {}),
  };
}
