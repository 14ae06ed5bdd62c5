/**
 * ClientHello parsing (TLS 1.0–1.3 handshake body, and the SSLv2-compatible record
 * format some old clients still send). Hand-written: no maintained JS library parses
 * a ClientHello from captured bytes (read-tls-client-hello wants a live socket and a
 * single-record hello; TLS stacks never expose the peer's raw hello), and only the
 * fields attribution and fingerprints need are decoded.
 *
 * Framing errors (a length running past its container) reject the hello; a
 * malformed *inside* of a known extension only leaves that extension's fields empty,
 * the way Wireshark and the JA3/JA4 tools still fingerprint such hellos.
 */
import { isGrease, withoutGrease } from './grease.js';
import { latin1, Reader } from './reader.js';
import { malformed, type Parsed as ParsedAs, type TlsAnomaly } from '../anomaly.js';

export const EXT_SERVER_NAME = 0x0000;
export const EXT_SUPPORTED_GROUPS = 0x000a;
export const EXT_EC_POINT_FORMATS = 0x000b;
export const EXT_SIGNATURE_ALGORITHMS = 0x000d;
export const EXT_ALPN = 0x0010;
export const EXT_SUPPORTED_VERSIONS = 0x002b;
export const EXT_KEY_SHARE = 0x0033;
export const EXT_ECH = 0xfe0d;
export const EXT_ESNI = 0xffce;

export interface ClientHello {
  legacyVersion: number;
  /** Came in the SSLv2-compatible record format. */
  sslv2: boolean;
  sessionIdLength: number;
  /** Cipher suites in order, GREASE removed. SSLv2 format: the specs that are TLS suites (0x00XXXX). */
  ciphers: number[];
  /** Extension types in order, GREASE removed. */
  extensions: number[];
  sni?: string;
  alpn: string[];
  supportedVersions: number[];
  groups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  keyShareGroups: number[];
  ech: boolean;
  esni: boolean;
  /** GREASE values were present in any list. */
  grease: boolean;
}

export type Parsed<T> = ParsedAs<T, TlsAnomaly>;

function u16List(r: Reader): number[] {
  const out: number[] = [];
  while (r.remaining >= 2) out.push(r.u16());
  return out;
}

function emptyHello(legacyVersion: number, sslv2: boolean): ClientHello {
  return {
    legacyVersion,
    sslv2,
    sessionIdLength: 0,
    ciphers: [],
    extensions: [],
    alpn: [],
    supportedVersions: [],
    groups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShareGroups: [],
    ech: false,
    esni: false,
    grease: false,
  };
}

/** Decodes one extension's data into `h`; a malformed inside leaves the fields as they were. */
function readExtension(h: ClientHello, type: number, data: Reader): void {
  switch (type) {
    case EXT_SERVER_NAME: {
      const list = data.vec16();
      while (list.remaining > 0 && !list.failed) {
        const nameType = list.u8();
        const name = list.vec16();
        if (!list.failed && nameType === 0 && h.sni === undefined) h.sni = latin1(name.bytes(name.remaining));
      }
      break;
    }
    case EXT_ALPN: {
      const list = data.vec16();
      const protocols: string[] = [];
      while (list.remaining > 0) {
        const p = list.vec8();
        if (list.failed) break;
        protocols.push(latin1(p.bytes(p.remaining)));
      }
      h.alpn = protocols;
      break;
    }
    case EXT_SUPPORTED_VERSIONS:
      h.supportedVersions = u16List(data.vec8());
      break;
    case EXT_SUPPORTED_GROUPS:
      h.groups = u16List(data.vec16());
      break;
    case EXT_EC_POINT_FORMATS: {
      const f = data.vec8();
      h.ecPointFormats = Array.from(f.bytes(f.remaining));
      break;
    }
    case EXT_SIGNATURE_ALGORITHMS:
      h.signatureAlgorithms = u16List(data.vec16());
      break;
    case EXT_KEY_SHARE: {
      const list = data.vec16();
      const groups: number[] = [];
      while (list.remaining > 0) {
        const g = list.u16();
        list.vec16();
        if (list.failed) break;
        groups.push(g);
      }
      h.keyShareGroups = groups;
      break;
    }
    case EXT_ECH:
      h.ech = true;
      break;
    case EXT_ESNI:
      h.esni = true;
      break;
  }
}

/** Removes GREASE from every list and records whether any was there. */
function dropGrease(h: ClientHello, rawExtensions: number[]): ClientHello {
  const lists = [h.ciphers, rawExtensions, h.supportedVersions, h.groups, h.signatureAlgorithms, h.keyShareGroups];
  h.grease = lists.some((l) => l.some(isGrease));
  h.ciphers = withoutGrease(h.ciphers);
  h.extensions = withoutGrease(rawExtensions);
  h.supportedVersions = withoutGrease(h.supportedVersions);
  h.groups = withoutGrease(h.groups);
  h.signatureAlgorithms = withoutGrease(h.signatureAlgorithms);
  h.keyShareGroups = withoutGrease(h.keyShareGroups);
  return h;
}

/** Parses a ClientHello handshake body (the bytes after the 4-byte handshake header). */
export function parseClientHello(body: Uint8Array): Parsed<ClientHello> {
  const r = new Reader(body);
  const h = emptyHello(r.u16(), false);
  r.skip(32);
  const sessionId = r.vec8();
  h.sessionIdLength = sessionId.remaining;
  const ciphers = r.vec16();
  if (ciphers.remaining % 2 !== 0) return malformed('tls: malformed ClientHello', 'odd cipher suites length');
  h.ciphers = u16List(ciphers);
  r.vec8();
  if (r.failed) return malformed('tls: malformed ClientHello', 'truncated ClientHello');
  const rawExtensions: number[] = [];
  // Extensions are optional (absent in some SSLv3/TLS 1.0 hellos).
  if (r.remaining > 0) {
    const exts = r.vec16();
    if (r.failed) return malformed('tls: malformed ClientHello', 'truncated ClientHello extensions');
    while (exts.remaining > 0) {
      const type = exts.u16();
      const data = exts.vec16();
      if (exts.failed) return malformed('tls: malformed ClientHello', 'truncated ClientHello extension');
      rawExtensions.push(type);
      if (!isGrease(type)) readExtension(h, type, data);
    }
  }
  return { ok: true, value: dropGrease(h, rawExtensions) };
}

/**
 * Parses an SSLv2-format ClientHello record body (after the 2-byte record header):
 * msg_type 1, version, then cipher specs (3 bytes each), session id and challenge.
 * Specs 0x00XXXX are TLS cipher suites and are kept as XXXX (what JA3 can express);
 * SSLv2-only specs do not fit the 2-byte suite space and are left out.
 */
export function parseSslv2ClientHello(body: Uint8Array): Parsed<ClientHello> {
  const r = new Reader(body);
  if (r.u8() !== 1) return malformed('tls: malformed SSLv2 ClientHello', 'SSLv2 record is not a ClientHello');
  const h = emptyHello(r.u16(), true);
  const specsLength = r.u16();
  h.sessionIdLength = r.u16();
  const challengeLength = r.u16();
  if (r.failed || specsLength % 3 !== 0) return malformed('tls: malformed SSLv2 ClientHello', 'malformed SSLv2 ClientHello');
  const specs = r.sub(specsLength);
  r.skip(h.sessionIdLength + challengeLength);
  if (r.failed) return malformed('tls: malformed SSLv2 ClientHello', 'truncated SSLv2 ClientHello');
  while (specs.remaining >= 3) {
    const kind = specs.u8();
    const suite = specs.u16();
    if (kind === 0) h.ciphers.push(suite);
  }
  return { ok: true, value: dropGrease(h, []) };
}
