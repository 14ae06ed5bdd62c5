/**
 * Certificates crafted in-process for path-search tests: Ed25519 keys (Node's crypto signs
 * in microseconds) and a TBSCertificate written with node-forge's ASN.1 builder (forge's
 * `pki` cannot hold an Ed25519 key). Fast enough to build hundreds of certificates with
 * arbitrary issuer graphs — duplicates, cycles, cross-signs, same-name CAs — which the
 * openssl-made PKI (test/detect/tls/pki.ts) cannot do cheaply.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export interface Key {
  priv: KeyObject;
  spki: Buffer;
  /** Subject key identifier used for this key. */
  keyId: Buffer;
}

let keyCounter = 0;

export function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = Buffer.alloc(20);
  keyId.writeUInt32BE(++keyCounter, 16);
  keyId.write('crafted', 0);
  return { priv: privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }), keyId };
}

export type Name = [type: 'CN' | 'O' | 'C', value: string][];

const NAME_OIDS = { CN: '2.5.4.3', O: '2.5.4.10', C: '2.5.4.6' } as const;

function name(n: Name): forge.asn1.Asn1 {
  return asn1.create(
    U,
    T.SEQUENCE,
    true,
    n.map(([type, value]) =>
      asn1.create(U, T.SET, true, [
        asn1.create(U, T.SEQUENCE, true, [
          asn1.create(U, T.OID, false, asn1.oidToDer(NAME_OIDS[type]).getBytes()),
          asn1.create(U, type === 'C' ? T.PRINTABLESTRING : T.UTF8, false, forge.util.encodeUtf8(value)),
        ]),
      ]),
    ),
  );
}

function extension(oid: string, critical: boolean, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.OID, false, asn1.oidToDer(oid).getBytes()),
    ...(critical ? [asn1.create(U, T.BOOLEAN, false, '\xff')] : []),
    asn1.create(U, T.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

export interface CertSpec {
  subject: Name;
  issuer: Name;
  /** Key certified. */
  key: Key;
  /** Key that signs (the issuer's). */
  signer: Key;
  ca: boolean;
  serial?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** DNS names (leaf). */
  dns?: string[];
  /** authorityKeyIdentifier; the signer's key id unless null (omitted). */
  authorityKeyId?: Buffer | null;
}

const ED25519 = asn1.create(U, T.SEQUENCE, true, [asn1.create(U, T.OID, false, asn1.oidToDer('1.3.101.112').getBytes())]);

export function craft(spec: CertSpec): Uint8Array {
  const exts = [
    extension('2.5.29.19', true, asn1.create(U, T.SEQUENCE, true, spec.ca ? [asn1.create(U, T.BOOLEAN, false, '\xff')] : [])),
    extension('2.5.29.14', false, asn1.create(U, T.OCTETSTRING, false, spec.key.keyId.toString('binary'))),
  ];
  const aki = spec.authorityKeyId === undefined ? spec.signer.keyId : spec.authorityKeyId;
  if (aki) {
    exts.push(extension('2.5.29.35', false, asn1.create(U, T.SEQUENCE, true, [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, aki.toString('binary'))])));
  }
  if (spec.dns) {
    exts.push(extension('2.5.29.17', false, asn1.create(U, T.SEQUENCE, true, spec.dns.map((d) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)))));
  }
  // DER INTEGER: minimal, positive (OpenSSL refuses leading zero bytes).
  const serial = spec.serial ?? 1 + Math.floor(Math.random() * 0x7ffffffe);
  const serialBytes = Buffer.from(serial.toString(16).padStart(8, '0'), 'hex');
  let first = 0;
  while (first < serialBytes.length - 1 && serialBytes[first] === 0 && (serialBytes[first + 1] as number) < 0x80) first++;
  const tbs = asn1.create(U, T.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(U, T.INTEGER, false, '\x02')]),
    asn1.create(U, T.INTEGER, false, serialBytes.subarray(first).toString('binary')),
    ED25519,
    name(spec.issuer),
    asn1.create(U, T.SEQUENCE, true, [
      asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(spec.notBefore ?? new Date('2020-01-01T00:00:00Z'))),
      asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(spec.notAfter ?? new Date('2040-01-01T00:00:00Z'))),
    ]),
    name(spec.subject),
    asn1.fromDer(spec.key.spki.toString('binary')),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [asn1.create(U, T.SEQUENCE, true, exts)]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign(null, tbsDer, spec.signer.priv);
  const cert = asn1.create(U, T.SEQUENCE, true, [tbs, ED25519, asn1.create(U, T.BITSTRING, false, `\x00${signature.toString('binary')}`)]);
  return new Uint8Array(Buffer.from(asn1.toDer(cert).getBytes(), 'binary'));
}

/** A CA: its name and key, and a certificate for it issued by `issuer` (self-signed when omitted). */
export interface Ca {
  name: Name;
  key: Key;
}

export function ca(cn: string, org = 'gotap crafted'): Ca {
  return { name: [['O', org], ['CN', cn]], key: newKey() };
}

export function caCert(subject: Ca, issuer: Ca = subject, opts: Partial<CertSpec> = {}): Uint8Array {
  return craft({ subject: subject.name, issuer: issuer.name, key: subject.key, signer: issuer.key, ca: true, ...opts });
}

export function leafCert(issuer: Ca, host = 'proxy.golang.org', opts: Partial<CertSpec> = {}): Uint8Array {
  return craft({ subject: [['CN', host]], issuer: issuer.name, key: newKey(), signer: issuer.key, ca: false, dns: [host], ...opts });
}
