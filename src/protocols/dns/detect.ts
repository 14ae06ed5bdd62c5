/**
 * Content checks that decide whether traffic is DNS when the port says nothing.
 *
 * Strict on purpose: random UDP payloads and other TCP protocols must not be
 * reported as DNS. A candidate needs a plausible header (known opcode, Z bit clear,
 * 1–4 questions), must decode completely with no trailing bytes, and its question
 * names must look like host names (letters, digits, '-', '_', a leading '*').
 */
import { isKnownClass, isKnownType } from './codes.js';
import { parseDnsMessage } from './message.js';
import { readName, u16, WireError } from './wire.js';

const DNS_PORTS = new Set([53, 5353, 5355]);

/** DNS (53), mDNS (5353), LLMNR (5355). */
export function isDnsPort(port: number): boolean {
  return DNS_PORTS.has(port);
}

const HEADER = 12;
const LABEL = /^(\*|[A-Za-z0-9_-]{1,63})$/;

function plausibleHeader(b: Uint8Array): boolean {
  const flags = u16(b, 2, HEADER);
  const opcode = (flags >> 11) & 0x0f;
  const qd = u16(b, 4, HEADER);
  const isQuery = (flags & 0x8000) === 0;
  if (opcode !== 0 && opcode !== 4 && opcode !== 5) return false;
  if ((flags & 0x0040) !== 0) return false;
  if (isQuery && (flags & 0x000f) !== 0) return false;
  return qd >= 1 && qd <= 4;
}

function saneName(name: string): boolean {
  if (name === '.' || name.length > 253) return false;
  return name.split('.').every((label, i) => LABEL.test(label) && (label !== '*' || i === 0));
}

function saneQuestion(name: string, type: number, klass: number): boolean {
  return saneName(name) && isKnownType(type) && isKnownClass(klass);
}

export function looksLikeDnsMessage(payload: Uint8Array): boolean {
  if (payload.length < HEADER + 5 || !plausibleHeader(payload)) return false;
  const parsed = parseDnsMessage(payload);
  if (!parsed.ok || parsed.msg.warnings.length > 0) return false;
  // Re-read the raw question codes: the parsed form names unknown values TYPEnnn/CLASSnnn.
  let off = HEADER;
  for (let i = 0; i < parsed.msg.questions.length; i++) {
    const n = readName(payload, off, payload.length);
    if (!saneQuestion(n.name, u16(payload, n.end, payload.length), u16(payload, n.end + 2, payload.length))) return false;
    off = n.end + 4;
  }
  return true;
}

/**
 * Checks the start of a TCP stream: 2-byte length, then a DNS message. Returns
 * undefined while the bytes seen cannot decide yet.
 */
export function looksLikeDnsOverTcp(first: Uint8Array): boolean | undefined {
  if (first.length < 2) return undefined;
  const len = u16(first, 0, 2);
  if (len < HEADER + 5) return false;
  if (first.length >= 2 + len) return looksLikeDnsMessage(first.subarray(2, 2 + len));
  if (first.length < 2 + HEADER) return undefined;
  const msg = first.subarray(2);
  if (!plausibleHeader(msg)) return false;
  // The message is incomplete: judge by its first question once that has arrived.
  try {
    const n = readName(msg, HEADER, msg.length);
    return saneQuestion(n.name, u16(msg, n.end, msg.length), u16(msg, n.end + 2, msg.length));
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    return e.kind === 'truncated' ? undefined : false;
  }
}
