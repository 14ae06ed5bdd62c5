/** Analyzer events built in code, shared by the tests of the stages after the analyzers. */
import { msg, type Message } from '../src/findings/message.js';
import { FindingStore } from '../src/findings/store.js';
import type { Evidence, Finding, FindingId, Severity } from '../src/findings/types.js';
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

/** What a test says about a finding: its texts as detector wording (backticks mark code spans). */
export interface FindingSpec {
  id: FindingId;
  severity: Severity;
  title: string;
  detail: string;
  host?: string;
  evidence: Evidence[];
  fix: string;
}

const wording = (s: string): Message => msg(Object.assign([s], { raw: [s] }) as unknown as TemplateStringsArray);

/** A published finding (version 1) as the findings store would hand it out. */
export function findingOf(spec: FindingSpec): Finding {
  let out: Finding | undefined;
  const store = new FindingStore((f) => (out = f));
  const { evidence, title, detail, fix, ...rest } = spec;
  store.publish(`${spec.id}\u0000${spec.host ?? ''}\u0000${spec.severity}\u0000${title}`, { ...rest, title: wording(title), detail: wording(detail), fix: wording(fix) }, evidence);
  return out as unknown as Finding;
}
