/**
 * One parsed certificate: Node's `X509Certificate` for the cryptography (signature
 * checks, issuer and host matching, the CA flag) plus the exact DER fields it lacks.
 * Certificates come from packets, so parsing never throws: bytes that are not a
 * certificate give undefined and the caller reports them as unparseable.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { formatName, nameValue, readDerFields, type DerFields } from './der-fields.js';

/** Largest certificate accepted (real ones are a few KiB; the TLS analyzer bounds messages too). */
export const MAX_CERT_BYTES = 64 * 1024;

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'other';

export interface ParsedCert {
  x509: X509Certificate;
  fields: DerFields;
  der: Uint8Array;
  subject: string;
  issuer: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint256: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex. */
  spkiSha256: string;
  keyType: KeyType;
  keyBits?: number;
  /** basicConstraints CA:TRUE. */
  ca: boolean;
  /** Subject and issuer are the same name and the certificate verifies with its own key. */
  selfSigned: boolean;
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256 };

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function keyInfo(x509: X509Certificate): { spkiSha256: string; keyType: KeyType; keyBits?: number } {
  const key = x509.publicKey;
  const spki = key.export({ type: 'spki', format: 'der' });
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const known: KeyType[] = ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448', 'dsa'];
  const keyType = known.find((k) => k === type) ?? 'other';
  let keyBits: number | undefined = details?.modulusLength;
  if (keyBits === undefined && details?.namedCurve) keyBits = CURVE_BITS[details.namedCurve];
  if (keyType === 'ed25519') keyBits = 256;
  if (keyType === 'ed448') keyBits = 456;
  return { spkiSha256: sha256(spki), keyType, keyBits };
}

export function parseCertificate(der: Uint8Array): ParsedCert | undefined {
  if (der.length === 0 || der.length > MAX_CERT_BYTES) return undefined;
  const fields = readDerFields(der);
  if (!fields) return undefined;
  try {
    const x509 = new X509Certificate(der);
    const subject = formatName(fields.subject);
    const issuer = formatName(fields.issuer);
    // Compared by name and signature only: checkIssued would also demand keyCertSign, which
    // a self-signed leaf lacks.
    let selfSigned = false;
    if (subject === issuer) {
      try {
        selfSigned = x509.verify(x509.publicKey);
      } catch {
        selfSigned = false;
      }
    }
    return { x509, fields, der, subject, issuer, fingerprint256: sha256(der), ...keyInfo(x509), ca: x509.ca, selfSigned };
  } catch {
    return undefined;
  }
}

/** Does `issuer` sign `cert`? Name/key-identifier match first (cheap), then the signature. */
export function issuedBy(cert: ParsedCert, issuer: ParsedCert): boolean {
  if (!cert.x509.checkIssued(issuer.x509)) return false;
  try {
    return cert.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

export function issuerOrg(cert: ParsedCert): string | undefined {
  return nameValue(cert.fields.issuer, 'O');
}

export function issuerCn(cert: ParsedCert): string | undefined {
  return nameValue(cert.fields.issuer, 'CN');
}

/** Certificates in a PEM text (anything outside BEGIN/END CERTIFICATE blocks is ignored). */
export function pemBlocks(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')));
  }
  return out;
}
