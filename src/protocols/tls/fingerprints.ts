/**
 * TLS fingerprints from parsed hellos:
 * - JA3 / JA3S (Salesforce, BSD-3): decimal fields joined by "," with "-" inside,
 *   GREASE removed, MD5 of the text. For an SSLv2-format hello JA3 sees the cipher
 *   specs that are TLS suites and no extensions (the reference ja3.py skips such
 *   hellos entirely; this is the natural reading of its fields).
 * - JA4 and JA4_r (FoxIO, the BSD-3 licensed JA4 client fingerprint only; JA4S/JA4X/
 *   JA4H etc. are under a different licence and deliberately absent), per
 *   FoxIO-LLC/ja4 technical_details/JA4.md.
 * The hello parsers already removed GREASE from every list.
 *
 * Cost: a scan or a busy client sends the same few hellos over and over, so the
 * digests are one-shot `crypto.hash` calls (no Hash object per hello) and the
 * JA4 cipher and extension parts (sorted hex lists and their SHA-256) are
 * cached per identical input list. The caches are bounded (emptied when full),
 * so hellos with ever-new lists cost a recomputation each, never memory.
 */
import { hash } from 'node:crypto';
import { EXT_ALPN, EXT_SERVER_NAME, type ClientHello } from './client-hello.js';
import type { ServerHello } from './server-hello.js';

export interface Ja3 {
  text: string;
  hash: string;
}

function md5(s: string): string {
  return hash('md5', s, 'hex');
}

const CACHE_LIMIT = 1024;

/** memo(key, make): make() once per key, at most CACHE_LIMIT keys (the map is emptied when full). */
function boundedMemo<V>(): (key: string, make: () => V) => V {
  const map = new Map<string, V>();
  return (key, make) => {
    let v = map.get(key);
    if (v === undefined) {
      if (map.size >= CACHE_LIMIT) map.clear();
      v = make();
      map.set(key, v);
    }
    return v;
  };
}

const ja3Digests = boundedMemo<string>();

/** JA3: SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats. */
export function ja3(h: ClientHello): Ja3 {
  const text = `${h.legacyVersion},${h.ciphers.join('-')},${h.extensions.join('-')},${h.groups.join('-')},${h.ecPointFormats.join('-')}`;
  return { text, hash: ja3Digests(text, () => md5(text)) };
}

/** JA3S: SSLVersion,Cipher,Extensions (the ServerHello's legacy_version). */
export function ja3s(h: ServerHello): Ja3 {
  const text = `${h.legacyVersion},${h.cipher},${h.extensions.join('-')}`;
  return { text, hash: ja3Digests(text, () => md5(text)) };
}

export interface Ja4 {
  /** e.g. t13d1516h2_8daaf6152771_e5627efa2ab1 */
  ja4: string;
  /** JA4_r: the same with the sorted lists in clear instead of hashed. */
  raw: string;
}

const JA4_VERSIONS = new Map<number, string>([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function hash12(s: string): string {
  return s === '' ? '000000000000' : hash('sha256', s, 'hex').slice(0, 12);
}

interface Ja4Part {
  /** The sorted list as JA4_r shows it. */
  clear: string;
  /** Its truncated hash as JA4 shows it. */
  hashed: string;
}

const ja4Ciphers = boundedMemo<Ja4Part>();
const ja4Extensions = boundedMemo<Ja4Part>();

/** First and last character of the first ALPN value; its hex form's ends when either byte is not alphanumeric. */
function ja4Alpn(alpn: string[]): string {
  const first = alpn[0];
  if (first === undefined || first.length === 0) return '00';
  const a = first.charCodeAt(0);
  const z = first.charCodeAt(first.length - 1);
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a, z);
  const hex = Buffer.from(first, 'latin1').toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

/** JA4 (TLS over TCP) and JA4_r of a ClientHello. */
export function ja4(h: ClientHello): Ja4 {
  const version = h.supportedVersions.length > 0 ? Math.max(...h.supportedVersions) : h.legacyVersion;
  const a =
    't' +
    (JA4_VERSIONS.get(version) ?? '00') +
    (h.extensions.includes(EXT_SERVER_NAME) ? 'd' : 'i') +
    count2(h.ciphers.length) +
    count2(h.extensions.length) +
    ja4Alpn(h.alpn);
  const b = ja4Ciphers(h.ciphers.join(), () => {
    const clear = h.ciphers.map(hex4).sort().join(',');
    return { clear, hashed: hash12(clear) };
  });
  const c = ja4Extensions(`${h.extensions.join()};${h.signatureAlgorithms.join()}`, () => {
    const exts = h.extensions
      .filter((e) => e !== EXT_SERVER_NAME && e !== EXT_ALPN)
      .map(hex4)
      .sort()
      .join(',');
    const sigs = h.signatureAlgorithms.map(hex4).join(',');
    const clear = sigs === '' ? exts : `${exts}_${sigs}`;
    return { clear, hashed: exts === '' ? '000000000000' : hash12(clear) };
  });
  return {
    ja4: `${a}_${b.hashed}_${c.hashed}`,
    raw: `${a}_${b.clear}_${c.clear}`,
  };
}
