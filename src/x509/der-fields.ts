/**
 * The certificate fields `crypto.X509Certificate` does not give exactly: the subject and
 * issuer names as the bytes say (Node escapes control characters such as ESC as "\1B",
 * so a hostile subject would not stay byte-exact in JSON), the validity as dates, and the
 * subject/authority key identifiers. Read with node-forge's `asn1.fromDer`, which parses
 * any certificate (forge's `pki` cannot read ECDSA ones). Returns undefined instead of
 * throwing on bytes that are not a certificate.
 */
import forge from 'node-forge';

export interface NameAttribute {
  /** Short name ("CN", "O", ...) or the dotted OID for attributes without one. */
  type: string;
  value: string;
}

export interface DerFields {
  subject: NameAttribute[];
  issuer: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** Subject key identifier, hex. */
  subjectKeyId?: string;
  /** Authority key identifier (keyIdentifier), hex. */
  authorityKeyId?: string;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Short name of an attribute type ("CN"), else its dotted OID. */
export function attributeName(oid: string): string {
  return SHORT_NAMES[oid] ?? oid;
}

const T = forge.asn1.Type;
const OID_SKI = '2.5.29.14';
const OID_AKI = '2.5.29.35';

type Asn1 = forge.asn1.Asn1;

function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

function bytesOf(node: Asn1 | undefined): string | undefined {
  return node && typeof node.value === 'string' ? node.value : undefined;
}

function hex(binary: string): string {
  return Buffer.from(binary, 'binary').toString('hex');
}

/**
 * Decodes a directory string by its ASN.1 universal tag number; invalid UTF-8 becomes
 * U+FFFD, as any decoder would show it. Shared with the roots index (der-names.ts).
 */
export function decodeDirectoryString(type: number, raw: Buffer): string {
  switch (type) {
    case T.UTF8:
      return raw.toString('utf8');
    case T.BMPSTRING: {
      // UCS-2 big-endian: swap to the little-endian order Node decodes.
      const le = Buffer.alloc(raw.length - (raw.length % 2));
      for (let i = 0; i + 1 < raw.length; i += 2) {
        le[i] = raw[i + 1] as number;
        le[i + 1] = raw[i] as number;
      }
      return le.toString('utf16le');
    }
    case 28: {
      // UniversalString: UCS-4 big-endian.
      let out = '';
      for (let i = 0; i + 3 < raw.length; i += 4) {
        const cp = raw.readUInt32BE(i);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return out;
    }
    default:
      // PrintableString, IA5String, TeletexString, VisibleString: byte = character.
      return raw.toString('latin1');
  }
}

function readName(node: Asn1 | undefined): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(node)) {
    for (const atv of children(rdn)) {
      const [oidNode, valueNode] = children(atv);
      const oidBytes = bytesOf(oidNode);
      if (oidBytes === undefined || !valueNode) continue;
      const oid = forge.asn1.derToOid(oidBytes);
      out.push({ type: attributeName(oid), value: decodeDirectoryString(valueNode.type as number, Buffer.from(bytesOf(valueNode) ?? '', 'binary')) });
    }
  }
  return out;
}

function readTime(node: Asn1 | undefined): Date | undefined {
  const text = bytesOf(node);
  if (!node || text === undefined) return undefined;
  const d = node.type === T.UTCTIME ? forge.asn1.utcTimeToDate(text) : forge.asn1.generalizedTimeToDate(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function readExtensions(node: Asn1 | undefined, fields: DerFields): void {
  // [3] EXPLICIT Extensions ::= SEQUENCE OF Extension { extnID, critical?, extnValue OCTET STRING }
  for (const ext of children(children(node)[0])) {
    const parts = children(ext);
    const oidBytes = bytesOf(parts[0]);
    const value = bytesOf(parts[parts.length - 1]);
    if (oidBytes === undefined || value === undefined) continue;
    const oid = forge.asn1.derToOid(oidBytes);
    if (oid !== OID_SKI && oid !== OID_AKI) continue;
    const inner = forge.asn1.fromDer(value, { strict: true, parseAllBytes: false, decodeBitStrings: false } as unknown as boolean);
    if (oid === OID_SKI) {
      const id = bytesOf(inner);
      if (id !== undefined) fields.subjectKeyId = hex(id);
    } else {
      // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }
      const keyId = children(inner).find((c) => c.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && c.type === 0);
      const id = bytesOf(keyId);
      if (id !== undefined) fields.authorityKeyId = hex(id);
    }
  }
}

export function readDerFields(der: Uint8Array): DerFields | undefined {
  try {
    const root = forge.asn1.fromDer(Buffer.from(der).toString('binary'), {
      strict: true,
      parseAllBytes: false,
      decodeBitStrings: false,
    } as unknown as boolean);
    const tbs = children(root)[0];
    let parts = children(tbs);
    // Skip the optional [0] version.
    if (parts[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && parts[0].type === 0) parts = parts.slice(1);
    const [, , issuer, validity, subject] = parts;
    const [nb, na] = children(validity);
    const notBefore = readTime(nb);
    const notAfter = readTime(na);
    if (!issuer || !subject || !notBefore || !notAfter) return undefined;
    const fields: DerFields = { subject: readName(subject), issuer: readName(issuer), notBefore, notAfter };
    readExtensions(
      parts.find((p) => p.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && p.type === 3),
      fields,
    );
    return fields;
  } catch {
    return undefined;
  }
}

/** "C=US, O=Zscaler Inc., CN=Zscaler Root CA" — in certificate order, values exact (sanitised by views). */
export function formatName(attrs: NameAttribute[]): string {
  return attrs.map((a) => `${a.type}=${a.value}`).join(', ');
}

/** The first value of an attribute ("CN", "O"). */
export function nameValue(attrs: NameAttribute[], type: string): string | undefined {
  return attrs.find((a) => a.type === type)?.value;
}

/**
 * The key names are compared by: a coarser equality than RFC 5280 §7.1 / OpenSSL's
 * canonical form (case-folded, whitespace runs collapsed, spaces around values dropped),
 * so two names OpenSSL calls equal always get the same key. It only selects candidate
 * issuers; `checkIssued` and the signature decide.
 */
export function nameKey(formatted: string): string {
  return formatted.toLowerCase().replace(/\s+/g, ' ').replace(/ ?([=,]) ?/g, '$1').trim();
}
