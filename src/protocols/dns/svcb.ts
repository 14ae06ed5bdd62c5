/**
 * SVCB/HTTPS (types 64/65) rdata: priority, target and SvcParams (RFC 9460).
 *
 * Hand-written because dns-packet returns these types as raw bytes. The browser
 * and Go's resolver read HTTPS records for ALPN, ports and address hints, so an
 * injected record can steer connections: the params are decoded, checked against
 * the RFC's rules (strictly increasing keys, exact value sizes) and rejected as a
 * whole when any rule fails. Never throws: malformed input returns undefined.
 */
import type { SvcParams } from '../events.js';
import { formatIPv4, formatIPv6 } from './address.js';
import { hex, readName, u16, WireError } from './wire.js';

export interface Svcb {
  priority: number;
  target: string;
  params: SvcParams;
  /** Presentation form: "1 . alpn=h3,h2 port=443 ipv4hint=192.0.2.1". */
  data: string;
}

const KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

function keyName(key: number): string {
  return KEY_NAMES[key] ?? `key${key}`;
}

/** Escapes an ALPN id for the presentation list (commas separate ids). */
function escapeValue(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === ',' || ch === '\\') out += `\\${ch}`;
    else if (c > 0x20 && c < 0x7f) out += ch;
    else out += `\\${c.toString().padStart(3, '0')}`;
  }
  return out;
}

/** Parses the rdata at msg[start, end); undefined when it breaks RFC 9460's wire rules. */
export function parseSvcb(msg: Uint8Array, start: number, end: number): Svcb | undefined {
  try {
    return parse(msg, start, end);
  } catch (e) {
    if (e instanceof WireError) return undefined;
    throw e;
  }
}

function parse(msg: Uint8Array, start: number, end: number): Svcb | undefined {
  const priority = u16(msg, start, end);
  // RFC 9460 §2.2: the target name is never compressed.
  const { name: target, end: paramsStart } = readName(msg, start + 2, end, false);
  const params: SvcParams = {};
  const shown: string[] = [];
  let prevKey = -1;
  let off = paramsStart;
  while (off < end) {
    const key = u16(msg, off, end);
    const len = u16(msg, off + 2, end);
    const v = off + 4;
    const vEnd = v + len;
    if (vEnd > end || key <= prevKey) return undefined;
    prevKey = key;
    const text = paramValue(msg, key, v, vEnd, params);
    if (text === undefined) return undefined;
    shown.push(text === '' ? keyName(key) : `${keyName(key)}=${text}`);
    off = vEnd;
  }
  const data = [String(priority), target, ...shown].join(' ');
  return { priority, target, params, data };
}

/** Stores one param in `params`; returns its presentation value, or undefined if malformed. */
function paramValue(msg: Uint8Array, key: number, v: number, vEnd: number, params: SvcParams): string | undefined {
  const len = vEnd - v;
  switch (key) {
    case 0: {
      if (len === 0 || len % 2 !== 0) return undefined;
      const keys: string[] = [];
      for (let i = v; i < vEnd; i += 2) keys.push(keyName(u16(msg, i, vEnd)));
      params.mandatory = keys;
      return keys.join(',');
    }
    case 1: {
      if (len === 0) return undefined;
      const ids: string[] = [];
      for (let i = v; i < vEnd; ) {
        const n = msg[i] ?? 0;
        if (n === 0 || i + 1 + n > vEnd) return undefined;
        ids.push(Buffer.from(msg.buffer, msg.byteOffset + i + 1, n).toString('latin1'));
        i += 1 + n;
      }
      params.alpn = ids;
      return ids.map(escapeValue).join(',');
    }
    case 2:
      if (len !== 0) return undefined;
      params.noDefaultAlpn = true;
      return '';
    case 3:
      if (len !== 2) return undefined;
      params.port = u16(msg, v, vEnd);
      return String(params.port);
    case 4: {
      if (len === 0 || len % 4 !== 0) return undefined;
      const addrs: string[] = [];
      for (let i = v; i < vEnd; i += 4) addrs.push(formatIPv4(msg, i));
      params.ipv4hint = addrs;
      return addrs.join(',');
    }
    case 5:
      // ECHConfigList: a 2-byte length covering the rest of the value (RFC 9460 §7.3, RFC 9849).
      if (len < 2 || u16(msg, v, vEnd) !== len - 2) return undefined;
      params.echBytes = len;
      return Buffer.from(msg.buffer, msg.byteOffset + v, len).toString('base64');
    case 6: {
      if (len === 0 || len % 16 !== 0) return undefined;
      const addrs: string[] = [];
      for (let i = v; i < vEnd; i += 16) addrs.push(formatIPv6(msg, i));
      params.ipv6hint = addrs;
      return addrs.join(',');
    }
    default: {
      const value = hex(msg, v, vEnd);
      (params.other ??= {})[keyName(key)] = value;
      return value;
    }
  }
}
