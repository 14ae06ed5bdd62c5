/**
 * The TLS 1.3 handshake bodies that only become visible once decrypted and whose format
 * differs from TLS 1.2's: Certificate (RFC 8446 §4.4.2: a request context and per-entry
 * extensions, the OCSP staple moved into the leaf's status_request extension, §4.4.2.1)
 * and EncryptedExtensions (§4.3.1, where ALPN now lives). Bounded the same way as the
 * TLS 1.2 certificate parser; DER certificates are copied out.
 */
import type { Parsed } from '../client-hello.js';
import { EXT_ALPN } from '../client-hello.js';
import { MAX_CERTIFICATES, parseCertificateStatus, type CertificateStatus } from '../certificates.js';
import { latin1, Reader } from '../reader.js';

const EXT_STATUS_REQUEST = 5;

export interface Tls13Certificate {
  /** DER certificates in the order sent (leaf first). */
  certs: Uint8Array[];
  /** The leaf entry's status_request extension (an OCSP staple), when present. */
  status?: CertificateStatus;
}

/** RFC 8446 §4.4.2 Certificate body (after the 4-byte handshake header). */
export function parseTls13Certificate(body: Uint8Array): Parsed<Tls13Certificate> {
  const r = new Reader(body);
  r.vec8(); // certificate_request_context: empty for a server's certificate
  const list = r.vec24();
  if (r.failed || r.remaining !== 0) return { ok: false, anomaly: 'tls: malformed Certificate', reason: 'malformed TLS 1.3 Certificate message' };
  const out: Tls13Certificate = { certs: [] };
  while (list.remaining > 0 && out.certs.length < MAX_CERTIFICATES) {
    const der = list.vec24();
    const exts = list.vec16();
    if (list.failed) return { ok: false, anomaly: 'tls: malformed Certificate', reason: 'truncated entry in TLS 1.3 Certificate message' };
    const leaf = out.certs.length === 0;
    out.certs.push(der.bytes(der.remaining).slice());
    while (leaf && exts.remaining > 0) {
      const type = exts.u16();
      const data = exts.vec16();
      if (exts.failed) return { ok: false, anomaly: 'tls: malformed Certificate', reason: 'truncated certificate entry extension' };
      if (type !== EXT_STATUS_REQUEST) continue;
      const status = parseCertificateStatus(data.bytes(data.remaining));
      if (!status.ok) return status;
      out.status = status.value;
    }
  }
  return { ok: true, value: out };
}

export interface EncryptedExtensions {
  /** Extension types in order. */
  extensions: number[];
  alpn?: string;
}

/** RFC 8446 §4.3.1 EncryptedExtensions body: the extensions and the selected ALPN protocol. */
export function parseEncryptedExtensions(body: Uint8Array): Parsed<EncryptedExtensions> {
  const r = new Reader(body);
  const exts = r.vec16();
  if (r.failed || r.remaining !== 0) return { ok: false, anomaly: 'tls: malformed EncryptedExtensions', reason: 'malformed EncryptedExtensions' };
  const out: EncryptedExtensions = { extensions: [] };
  while (exts.remaining > 0) {
    const type = exts.u16();
    const data = exts.vec16();
    if (exts.failed) return { ok: false, anomaly: 'tls: malformed EncryptedExtensions', reason: 'truncated EncryptedExtensions extension' };
    out.extensions.push(type);
    if (type === EXT_ALPN) {
      const p = data.vec16().vec8();
      if (!p.failed) out.alpn = latin1(p.bytes(p.remaining));
    }
  }
  return { ok: true, value: out };
}
