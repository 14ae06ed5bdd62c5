/**
 * One vocabulary for malformed input across the protocol analyzers, so every protocol
 * counts what it skipped the same way (in `capture.problems`, through the analyzer
 * context) instead of TLS and HTTP only emitting error events and DNS only counting.
 *
 * - `AnomalyKind` is the closed list of counter keys: a kind is a category, never
 *   packet data or a number, so a hostile capture cannot grow the counter's key set.
 *   The human detail (with lengths, versions …) stays in the `reason` of the
 *   tls-error/http-error event.
 * - `Parsed<T>` is what a parser of one complete message returns.
 * - `ParseStep<T>` is what an incremental parser returns per call, in the spirit of
 *   Suricata's AppLayerResult: done (with the bytes consumed), incomplete (consumed so
 *   far and how many more bytes it needs at least), or an error.
 */
import type { Http2Problem } from './http2/analyzer.js';

/** Errors of the bounded DNS wire walk (dns/wire.ts, dns/message.ts). */
export type DnsWireErrorKind =
  | 'truncated'
  | 'truncated header'
  | 'compression pointer where none is allowed'
  | 'forward or looping compression pointer'
  | 'too many compression pointers'
  | 'label longer than 63 octets or extended label type'
  | 'name longer than 255 octets'
  | 'record counts exceed message size'
  | 'record data past end of message'
  | 'misplaced or repeated OPT record'
  | 'EDNS option past end of OPT record'
  | 'record data length does not match its name'
  | 'A record data is not 4 octets'
  | 'AAAA record data is not 16 octets'
  | 'SOA record data length mismatch';

/** Why a DNS message was rejected or is odd (the key after "dns: "). */
export type DnsProblem =
  | DnsWireErrorKind
  | 'rejected by dns-packet'
  | 'dns-packet disagrees on record boundaries'
  | 'trailing bytes after message'
  | 'malformed SVCB/HTTPS rdata'
  | 'repeated query (same id and question)'
  | 'pending query table full'
  | 'responses per transaction beyond cap'
  | 'tcp message cut by a gap'
  | 'tcp gap (direction stopped)'
  | 'tcp stream ended inside a message';

export type TlsAnomaly =
  | 'tls: gap in the stream'
  | 'tls: not a TLS record'
  | 'tls: record too long'
  | 'tls: SSLv2 record too short'
  | 'tls: handshake reassembly buffer full'
  | 'tls: handshake message too long'
  | 'tls: malformed ClientHello'
  | 'tls: malformed SSLv2 ClientHello'
  | 'tls: malformed ServerHello'
  | 'tls: malformed Certificate'
  | 'tls: malformed CertificateStatus'
  | 'tls: malformed EncryptedExtensions';

export type HttpAnomaly =
  | 'http: not an HTTP message'
  | 'http: data after a message is not HTTP'
  | 'http: malformed request line'
  | 'http: malformed status line'
  | 'http: header section too large'
  | 'http: too many header fields'
  | 'http: folded line before any header field'
  | 'http: malformed header field line'
  | 'http: malformed Content-Length'
  | 'http: conflicting Content-Length values'
  | 'http: request Transfer-Encoding without final chunked'
  | 'http: malformed chunked body'
  | 'http: trailer section too large'
  | 'http: too much data before the CONNECT response'
  | 'http: gap outside a body of known length'
  | 'http: connection ended inside a header section';

export type Http2Anomaly = `http2: ${Http2Problem}`;

/** Limits of the analyzer framework itself (dispatcher, child analyzers). */
export type AnalyzerAnomaly = 'analyzer: child analyzers nested too deep';

export type AnomalyKind = `dns: ${DnsProblem}` | TlsAnomaly | HttpAnomaly | Http2Anomaly | AnalyzerAnomaly;

/** A rejected message: its counted kind and the exact detail for the error event. */
export interface Malformed<K extends AnomalyKind = AnomalyKind> {
  ok: false;
  anomaly: K;
  reason: string;
}

export type Parsed<T, K extends AnomalyKind = AnomalyKind> = { ok: true; value: T } | Malformed<K>;

export type ParseStep<T, K extends AnomalyKind = AnomalyKind> =
  | { status: 'done'; consumed: number; value: T }
  | { status: 'incomplete'; consumed: number; needed: number }
  | { status: 'error'; anomaly: K; reason: string };

export function malformed<K extends AnomalyKind>(anomaly: K, reason: string): Malformed<K> {
  return { ok: false, anomaly, reason };
}

/** Where analyzers report anomalies: the dispatcher counts them in `capture.problems`. */
export type AnomalySink = (kind: AnomalyKind) => void;
