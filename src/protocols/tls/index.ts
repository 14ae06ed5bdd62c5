/**
 * TLS analyzer public surface. Everything here is hand-written: no maintained JS
 * library parses TLS handshakes from captured bytes and computes JA3/JA4 (TLS stacks
 * never expose a peer's raw hello; read-tls-client-hello needs a live socket and a
 * single-record hello, so it serves as the independent check in the tests).
 *
 * - createTlsAnalyzer(ctx): StreamAnalyzer for one TCP flow / CONNECT tunnel.
 * - looksLikeTls(firstBytes): content detection for the dispatcher.
 * - parseClientHello(body) / parseSslv2ClientHello(recordBody) / parseServerHello(body):
 *   pure parsers of a handshake body (after the 4-byte handshake header).
 * - ja3(hello), ja3s(serverHello), ja4(hello): fingerprints of parsed hellos.
 * - parseCertificateList(body), parseCertificateStatus(body): TLS ≤ 1.2 messages.
 */
export { createTlsAnalyzer, MAX_HANDSHAKE_MESSAGE } from './analyzer.js';
export { alertDescriptionName, alertLevelName } from './alerts.js';
export { MAX_CERTIFICATES, parseCertificateList, parseCertificateStatus, type CertificateStatus } from './certificates.js';
export { parseClientHello, parseSslv2ClientHello, type ClientHello, type Parsed } from './client-hello.js';
export { looksLikeTls, MAX_RECORD_LENGTH } from './detect.js';
export { ja3, ja3s, ja4, type Ja3, type Ja4 } from './fingerprints.js';
export { isGrease } from './grease.js';
export { parseServerHello, type ServerHello } from './server-hello.js';
