/**
 * Record deprotection, one record at a time, for a passive observer that holds the keys.
 * Every function returns undefined when the record does not authenticate (tag, MAC or
 * padding wrong, or too short to hold them): a failed record never yields plaintext.
 * Padding-oracle and timing concerns do not apply (nothing is sent back), so checks are
 * plain comparisons.
 *
 * - TLS 1.3 (RFC 8446 §5.2–5.4): AEAD over the whole fragment, additional data = the
 *   5-byte record header, nonce = IV XOR padded sequence number; the inner plaintext
 *   ends with the real content type followed by optional zero padding.
 * - TLS 1.2 AES-GCM (RFC 5288 §3, RFC 5246 §6.2.3.3): nonce = 4-byte salt from the key
 *   block + 8-byte explicit nonce at the start of the fragment; additional data =
 *   seq_num + type + version + plaintext length.
 * - TLS 1.2 ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte IV XOR padded sequence
 *   number, no explicit nonce; same additional data.
 * - CBC MAC-then-encrypt (RFC 5246 §6.2.3.2; RFC 4346 for 1.1; RFC 2246 §6.2.3.2 for 1.0,
 *   whose IV is the previous record's last ciphertext block) and encrypt-then-MAC
 *   (RFC 7366 §3: the MAC covers the IV and ciphertext and is checked before decrypting).
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import type { CipherSuite } from './suites.js';
import { MAC_LENGTH, TLS11 } from './suites.js';

const TAG_LENGTH = 16;
const BLOCK = 16;

/** The 8-byte big-endian sequence number (sequence numbers stay far below 2^53). */
export function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 0);
  b.writeUInt32BE(seq >>> 0, 4);
  return b;
}

/** RFC 8446 §5.3 (and RFC 7905 §2): the sequence number, left-padded to the IV length, XOR the IV. */
export function xorNonce(iv: Uint8Array, seq: number): Buffer {
  const nonce = Buffer.from(iv);
  const s = seqBytes(seq);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i]! ^= s[i]!;
  return nonce;
}

function header(type: number, version: number, length: number): Buffer {
  return Buffer.of(type, version >> 8, version & 0xff, length >> 8, length & 0xff);
}

/** AEAD open; undefined when the tag does not verify. */
function aeadOpen(suite: CipherSuite, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < TAG_LENGTH) return undefined;
  const ct = sealed.subarray(0, sealed.length - TAG_LENGTH);
  const d = createDecipheriv(suite.cipher as 'aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  const out = d.update(ct);
  try {
    d.final();
  } catch {
    return undefined;
  }
  return out;
}

/** RFC 8446 §5.2: the TLSInnerPlaintext (content + type + zeros) of a protected record. */
export function openTls13(
  suite: CipherSuite,
  key: Uint8Array,
  iv: Uint8Array,
  seq: number,
  type: number,
  version: number,
  fragment: Uint8Array,
): Buffer | undefined {
  return aeadOpen(suite, key, xorNonce(iv, seq), header(type, version, fragment.length), fragment);
}

/** RFC 8446 §5.4: strips the zero padding; undefined when no non-zero content type is left. */
export function splitInnerPlaintext(inner: Buffer): { contentType: number; plaintext: Buffer } | undefined {
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--;
  if (end === 0) return undefined;
  return { contentType: inner[end - 1]!, plaintext: inner.subarray(0, end - 1) };
}

/** RFC 5246 §6.2.3.3: additional data / MAC prefix seq_num + type + version + length. */
function macHeader(seq: number, type: number, version: number, length: number): Buffer {
  return Buffer.concat([seqBytes(seq), header(type, version, length)]);
}

/** TLS 1.2 AEAD record (RFC 5288 GCM or RFC 7905 ChaCha20-Poly1305). */
export function openTls12Aead(
  suite: CipherSuite,
  key: Uint8Array,
  iv: Uint8Array,
  seq: number,
  type: number,
  version: number,
  fragment: Uint8Array,
): Buffer | undefined {
  if (suite.cipher === 'chacha20-poly1305') {
    if (fragment.length < TAG_LENGTH) return undefined;
    return aeadOpen(suite, key, xorNonce(iv, seq), macHeader(seq, type, version, fragment.length - TAG_LENGTH), fragment);
  }
  if (fragment.length < 8 + TAG_LENGTH) return undefined;
  const nonce = Buffer.concat([iv, fragment.subarray(0, 8)]);
  const aad = macHeader(seq, type, version, fragment.length - 8 - TAG_LENGTH);
  return aeadOpen(suite, key, nonce, aad, fragment.subarray(8));
}

function hmac(suite: CipherSuite, macKey: Uint8Array, prefix: Buffer, ...parts: Uint8Array[]): Buffer {
  const h = createHmac(suite.mac ?? 'sha1', macKey).update(prefix);
  for (const p of parts) h.update(p);
  return h.digest();
}

function cbcDecrypt(suite: CipherSuite, key: Uint8Array, iv: Uint8Array, ct: Uint8Array): Buffer {
  const d = createDecipheriv(suite.cipher, key, iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(ct), d.final()]);
}

/** Length of content + MAC once the padding is checked (RFC 5246 §6.2.3.2), or -1. */
function unpad(p: Buffer, minimum: number): number {
  const padLength = p[p.length - 1]!;
  const end = p.length - 1 - padLength;
  if (end < minimum) return -1;
  for (let i = end; i < p.length - 1; i++) if (p[i] !== padLength) return -1;
  return end;
}

export interface CbcKeys {
  macKey: Uint8Array;
  key: Uint8Array;
}

export interface CbcResult {
  /** The content, or undefined when MAC or padding failed. */
  plaintext: Buffer | undefined;
  /** TLS 1.0 only: the IV of this direction's next record (last ciphertext block). */
  nextIv: Uint8Array | undefined;
}

/**
 * A CBC record. `chainIv` is TLS 1.0's implicit IV (the key-block IV, then the previous
 * record's last ciphertext block); TLS 1.1+ records begin with an explicit IV.
 */
export function openCbc(
  suite: CipherSuite,
  keys: CbcKeys,
  protocolVersion: number,
  seq: number,
  type: number,
  version: number,
  fragment: Uint8Array,
  encryptThenMac: boolean,
  chainIv: Uint8Array | undefined,
): CbcResult {
  const macLength = MAC_LENGTH[suite.mac ?? 'sha1'];
  const explicitIv = protocolVersion >= TLS11;
  const fail: CbcResult = { plaintext: undefined, nextIv: undefined };
  // RFC 7366 §3: IV + ciphertext + MAC, the MAC computed over the length of IV + ciphertext.
  const sealedLength = encryptThenMac ? fragment.length - macLength : fragment.length;
  const ivLength = explicitIv ? BLOCK : 0;
  const ctLength = sealedLength - ivLength;
  if (ctLength < BLOCK || ctLength % BLOCK !== 0) return fail;
  const sealed = fragment.subarray(0, sealedLength);
  const iv = explicitIv ? sealed.subarray(0, BLOCK) : chainIv;
  if (iv === undefined) return fail;
  const ct = sealed.subarray(ivLength);
  const nextIv = explicitIv ? undefined : Buffer.from(ct.subarray(ct.length - BLOCK));
  if (encryptThenMac) {
    const mac = hmac(suite, keys.macKey, macHeader(seq, type, version, sealedLength), sealed);
    if (!mac.equals(fragment.subarray(sealedLength))) return { plaintext: undefined, nextIv };
    const p = cbcDecrypt(suite, keys.key, iv, ct);
    const end = unpad(p, 0);
    return { plaintext: end < 0 ? undefined : p.subarray(0, end), nextIv };
  }
  const p = cbcDecrypt(suite, keys.key, iv, ct);
  const end = unpad(p, macLength);
  if (end < 0) return { plaintext: undefined, nextIv };
  const content = p.subarray(0, end - macLength);
  const mac = hmac(suite, keys.macKey, macHeader(seq, type, version, content.length), content);
  return { plaintext: mac.equals(p.subarray(end - macLength, end)) ? content : undefined, nextIv };
}
