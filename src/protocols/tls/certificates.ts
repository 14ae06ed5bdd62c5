/**
 * Certificate (TLS ≤ 1.2 format) and CertificateStatus handshake bodies. The DER
 * certificates are copied out (the handshake buffer is reused) and nothing else is
 * kept; X.509 decoding is a later stage's job.
 */
import type { Parsed } from './client-hello.js';
import { malformed } from '../anomaly.js';
import { Reader } from './reader.js';

/** More certificates than this in one message are not reported (real chains have 2–5). */
export const MAX_CERTIFICATES = 32;

/** certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>: the DER certificates in order (leaf first). */
export function parseCertificateList(body: Uint8Array): Parsed<Uint8Array[]> {
  const r = new Reader(body);
  const list = r.vec24();
  if (r.failed || r.remaining !== 0) return malformed('tls: malformed Certificate', 'malformed Certificate message');
  const certs: Uint8Array[] = [];
  while (list.remaining > 0 && certs.length < MAX_CERTIFICATES) {
    const der = list.vec24();
    if (list.failed) return malformed('tls: malformed Certificate', 'truncated certificate in Certificate message');
    certs.push(der.bytes(der.remaining).slice());
  }
  return { ok: true, value: certs };
}

export interface CertificateStatus {
  statusType: number;
  /** Length of the (DER OCSP) response carried. */
  bytes: number;
}

/** CertificateStatus (RFC 6066 §8): status_type and the length of the response that follows. */
export function parseCertificateStatus(body: Uint8Array): Parsed<CertificateStatus> {
  const r = new Reader(body);
  const statusType = r.u8();
  const response = r.vec24();
  if (r.failed) return malformed('tls: malformed CertificateStatus', 'truncated CertificateStatus');
  return { ok: true, value: { statusType, bytes: response.remaining } };
}
