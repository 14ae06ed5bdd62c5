/**
 * One readable line per analyzer event, for the text view. Every packet-derived string
 * goes through sanitizeShort: this text ends up on terminals.
 */
import type { DnsRecord, GotapEvent } from '../protocols/events.js';
import { sanitizeShort } from '../util/sanitize.js';
import { tlsVersionName } from '../protocols/tls/version-names.js';

const s = (v: string | undefined, max = 120): string => (v === undefined ? '-' : sanitizeShort(v, max));

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

function dnsRecordText(r: DnsRecord): string {
  return `${s(r.name, 80)} ${r.type} ${s(r.data, 80)} ttl=${r.ttl}`;
}

function questionsText(qs: { name: string; type: string }[]): string {
  return qs.length === 0 ? '(no question)' : qs.map((q) => `${s(q.name, 80)} ${q.type}`).join(', ');
}

export function describeEvent(ev: GotapEvent): string {
  switch (ev.type) {
    case 'dns-query':
      return `DNS query id=${ev.id} ${questionsText(ev.questions)} → ${ev.server.addr}:${ev.server.port} (${ev.transport})`;
    case 'dns-response': {
      const answers = ev.answers.length === 0 ? 'no answers' : ev.answers.slice(0, 6).map(dnsRecordText).join('; ');
      const more = ev.answers.length > 6 ? ` (+${ev.answers.length - 6} more)` : '';
      const rtt = ev.rtt === undefined ? '' : ` rtt=${(ev.rtt * 1000).toFixed(1)}ms`;
      return `DNS response id=${ev.id} ${questionsText(ev.questions)} ${ev.rcode}${ev.flags.tc ? ' TC' : ''}: ${answers}${more}${rtt}`;
    }
    case 'dns-unanswered':
      return `DNS query id=${ev.id} ${questionsText(ev.questions)} was never answered`;
    case 'dns-conflict':
      return `DNS CONFLICT id=${ev.id} ${questionsText(ev.questions)}: ${ev.responses.length} different responses (frames ${ev.responses
        .map((r) => `${r.packet}: ${r.rcode} ${r.addresses.map((a) => s(a, 45)).join(',') || '-'}`)
        .join(' | ')})`;
    case 'http-request': {
      const connect = ev.connectTarget !== undefined ? ` tunnel to ${s(ev.connectTarget)}` : '';
      return `HTTP ${s(ev.method, 20)} ${s(ev.target)} ${ev.version} host=${s(ev.host, 80)}${connect} ua=${s(ev.userAgent, 60)}`;
    }
    case 'http-response': {
      const location = ev.location !== undefined ? ` location=${s(ev.location)}` : '';
      return `HTTP ${ev.status} ${s(ev.reason, 40)} (${s(ev.method, 20)} ${s(ev.target, 80)}) ${ev.bodyBytes} body bytes${location}`;
    }
    case 'http-error':
      return `HTTP parse stopped (${ev.dir === 0 ? 'client' : 'server'}): ${s(ev.reason)}`;
    case 'tls-client-hello':
      return `TLS ClientHello sni=${s(ev.sni, 80)} alpn=${ev.alpn.map((a) => s(a, 20)).join(',') || '-'} versions=${
        (ev.supportedVersions.length > 0 ? ev.supportedVersions : [ev.legacyVersion]).map(tlsVersionName).join(',')
      } ja4=${ev.ja4} ja3=${ev.ja3Hash}${ev.ech ? ' ECH' : ''}${ev.sslv2 ? ' (SSLv2 format)' : ''}`;
    case 'tls-server-hello':
      return `TLS ${ev.helloRetryRequest ? 'HelloRetryRequest' : 'ServerHello'} version=${tlsVersionName(ev.version)} cipher=${hex4(
        ev.cipher,
      )} alpn=${s(ev.alpn, 20)} ja3s=${ev.ja3sHash}`;
    case 'tls-certificates':
      return `TLS Certificate (${ev.dir === 1 ? 'server' : 'client'}): ${ev.certs.length} certificate(s), ${ev.certs.reduce((n, c) => n + c.length, 0)} bytes`;
    case 'tls-encrypted-extensions':
      return `TLS EncryptedExtensions alpn=${s(ev.alpn, 20)}`;
    case 'tls-certificate-status':
      return `TLS CertificateStatus (OCSP stapled, ${ev.bytes} bytes)`;
    case 'tls-encrypted-handshake':
      return `TLS 1.3 encrypted handshake ≈ ${ev.approxBytes} bytes (certificate not visible)`;
    case 'tls-alert':
      return ev.encrypted
        ? `TLS alert (encrypted) from ${ev.dir === 0 ? 'client' : 'server'}`
        : `TLS alert from ${ev.dir === 0 ? 'client' : 'server'}: ${ev.levelName ?? ev.level} ${ev.descriptionName ?? ev.description}`;
    case 'tls-error':
      return `TLS parse stopped (${ev.dir === 0 ? 'client' : 'server'}): ${s(ev.reason)}`;
    case 'go-request': {
      const what = [ev.module !== undefined ? s(ev.module, 100) : undefined, ev.version !== undefined ? s(ev.version, 60) : undefined]
        .filter((x) => x !== undefined)
        .join('@');
      const via = ev.sumdb !== undefined ? ` via sumdb ${s(ev.sumdb, 60)}` : '';
      return `Go ${ev.kind}${what ? ` ${what}` : ''}${via} (${s(ev.host, 80)})`;
    }
    case 'stream-ambiguity': {
      const keeps = ev.receiverChoice === 'unknown' ? 'receiver choice unknown' : `a Linux receiver keeps frame ${ev.versions[ev.receiverChoice]?.frames.join(',')}`;
      const versions = ev.versions.map((v) => `frame ${v.frames.join(',')} "${s(v.ascii, 32)}"${v.drop ? ` (${v.drop})` : ''}`).join(' vs ');
      return `STREAM AMBIGUITY (${ev.dir === 0 ? 'client' : 'server'}, ${ev.kind}) ${ev.length} bytes at offset ${ev.offset}: ${versions}; ${keeps}`;
    }
  }
}
