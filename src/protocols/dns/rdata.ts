/**
 * Presentation form of record data decoded by dns-packet (TXT, CAA, DS, DNSKEY,
 * TLSA, SSHFP, HINFO), and the RFC 3597 generic form (`\# len hex`) for every other
 * type. Addresses and names are formatted by the message walker instead, from the
 * raw bytes, so they are exact.
 */
import type { Answer } from 'dns-packet';
import { hex } from './wire.js';

export function genericRdata(msg: Uint8Array, start: number, end: number): string {
  return end > start ? `\\# ${end - start} ${hex(msg, start, end)}` : '\\# 0';
}

/** A character-string in quotes, `"` and `\` escaped, non-printable bytes as \DDD. */
function quoted(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  let s = '"';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${c.toString().padStart(3, '0')}`;
  }
  return `${s}"`;
}

function bufHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

function bufBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
}

export function formatLibraryRdata(rec: Answer, msg: Uint8Array, start: number, end: number): string {
  switch (rec.type) {
    case 'TXT': {
      const parts = Array.isArray(rec.data) ? rec.data : [rec.data];
      return parts.map(quoted).join(' ');
    }
    case 'CAA':
      return `${rec.data.flags ?? 0} ${rec.data.tag} ${quoted(rec.data.value)}`;
    case 'DS':
      return `${rec.data.keyTag} ${rec.data.algorithm} ${rec.data.digestType} ${bufHex(rec.data.digest).toUpperCase()}`;
    case 'DNSKEY':
      return `${rec.data.flags} ${msg[start + 2] ?? 0} ${rec.data.algorithm} ${bufBase64(rec.data.key)}`;
    case 'TLSA':
      return `${rec.data.usage} ${rec.data.selector} ${rec.data.matchingType} ${bufHex(rec.data.certificate)}`;
    case 'SSHFP':
      return `${rec.data.algorithm} ${rec.data.hash} ${rec.data.fingerprint}`;
    case 'HINFO':
      return `${quoted(rec.data.cpu)} ${quoted(rec.data.os)}`;
    default:
      return genericRdata(msg, start, end);
  }
}
