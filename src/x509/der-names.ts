/**
 * The subject name and subject key identifier of a certificate, read by walking the DER
 * (X.690 §8.1 TLVs) without building a tree. The trust store indexes Node's ~145 root
 * certificates by subject at start; node-forge's `asn1.fromDer` (der-fields.ts) costs
 * ~0.4 ms per certificate and X509Certificate as much again, which made every `report`
 * spend ~160 ms before its first packet. Only the certificates whose name matches an
 * issuer are parsed fully, later. Names decode exactly as der-fields.ts decodes them (same
 * attribute names, same string decoding), so both give the same `formatName`.
 */
import forge from 'node-forge';
import { attributeName, decodeDirectoryString, type NameAttribute } from './der-fields.js';

interface Tlv {
  tag: number;
  /** Content start and end (exclusive). */
  start: number;
  end: number;
}

/** One TLV at `pos`, inside `limit`; undefined for multi-byte tags, indefinite or overlong lengths. */
function tlv(b: Uint8Array, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = b[pos] as number;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let len = b[pos + 1] as number;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

/** The TLVs directly inside a constructed one (none inside a primitive one). */
function childrenOf(b: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  if (!(parent.tag & 0x20)) return out;
  for (let pos = parent.start; pos < parent.end; ) {
    const t = tlv(b, pos, parent.end);
    if (!t) return undefined;
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** The content bytes, without a copy. */
function content(b: Uint8Array, t: Tlv): Buffer {
  return Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start);
}

const oidNames = new Map<string, string>();

/** Attribute name of an OID given as its DER content bytes (few distinct ones: cached). */
function attributeOf(b: Uint8Array, t: Tlv): string {
  const bytes = content(b, t).toString('binary');
  let name = oidNames.get(bytes);
  if (name === undefined) {
    name = attributeName(forge.asn1.derToOid(bytes));
    if (oidNames.size < 256) oidNames.set(bytes, name);
  }
  return name;
}

/** subjectKeyIdentifier, 2.5.29.14, as DER content bytes. */
const SKI_OID = Buffer.from([0x55, 0x1d, 0x0e]);

function readName(b: Uint8Array, name: Tlv): NameAttribute[] | undefined {
  const out: NameAttribute[] = [];
  for (const rdn of childrenOf(b, name) ?? []) {
    for (const atv of childrenOf(b, rdn) ?? []) {
      const [oid, value] = childrenOf(b, atv) ?? [];
      if (!oid || !value || oid.tag !== 0x06) continue;
      // A constructed string (not DER) decodes to nothing, as forge leaves it without bytes.
      const raw = value.tag & 0x20 ? Buffer.alloc(0) : content(b, value);
      out.push({ type: attributeOf(b, oid), value: decodeDirectoryString(value.tag & 0x1f, raw) });
    }
  }
  return out;
}

function readSubjectKeyId(b: Uint8Array, extensionsTag: Tlv): string | undefined {
  const [list] = childrenOf(b, extensionsTag) ?? [];
  for (const ext of (list && childrenOf(b, list)) ?? []) {
    const parts = childrenOf(b, ext) ?? [];
    const [oid] = parts;
    const value = parts[parts.length - 1];
    if (!oid || !value || oid.tag !== 0x06 || !content(b, oid).equals(SKI_OID)) continue;
    const inner = tlv(b, value.start, value.end);
    return inner && !(inner.tag & 0x20) ? Buffer.from(b.subarray(inner.start, inner.end)).toString('hex') : undefined;
  }
  return undefined;
}

/** Subject attributes (in order) and subjectKeyIdentifier (hex) of a certificate, or undefined for bytes that are not one. */
export function readSubjectQuickly(der: Uint8Array): { subject: NameAttribute[]; subjectKeyId?: string } | undefined {
  const cert = tlv(der, 0, der.length);
  const tbs = cert && cert.tag === 0x30 ? childrenOf(der, cert)?.[0] : undefined;
  let parts = tbs && tbs.tag === 0x30 ? childrenOf(der, tbs) : undefined;
  if (!parts) return undefined;
  // [0] version, then serialNumber, signature, issuer, validity, subject.
  if (parts[0]?.tag === 0xa0) parts = parts.slice(1);
  const subjectTlv = parts[4];
  if (!subjectTlv || subjectTlv.tag !== 0x30) return undefined;
  const subject = readName(der, subjectTlv);
  if (!subject) return undefined;
  const extensions = parts.find((p) => p.tag === 0xa3);
  const subjectKeyId = extensions ? readSubjectKeyId(der, extensions) : undefined;
  return subjectKeyId === undefined ? { subject } : { subject, subjectKeyId };
}
