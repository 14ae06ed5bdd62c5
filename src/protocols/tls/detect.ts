/** Content detection: does a direction's first bytes look like the start of TLS? */

/** Largest TLSCiphertext fragment (RFC 8446 §5.2: 2^14 + 256; RFC 5246 allows + 2048). */
export const MAX_RECORD_LENGTH = 16384 + 2048;

/**
 * true: a handshake record (type 0x16, version 3.0–3.4, length 1..MAX) or an SSLv2-
 * format ClientHello (2-byte header with the high bit set, msg type 1, version
 * 0x0300–0x0303); false: neither; undefined: too few bytes to tell.
 */
export function looksLikeTls(first: Uint8Array): boolean | undefined {
  const b0 = first[0];
  if (b0 === undefined) return undefined;
  if (b0 === 0x16) {
    if (first.length >= 2 && first[1] !== 3) return false;
    if (first.length >= 3 && first[2]! > 4) return false;
    if (first.length < 5) return undefined;
    const length = (first[3]! << 8) | first[4]!;
    return length >= 1 && length <= MAX_RECORD_LENGTH;
  }
  if (b0 & 0x80) {
    if (first.length >= 3 && first[2] !== 1) return false;
    if (first.length >= 4 && first[3] !== 3) return false;
    if (first.length < 5) return undefined;
    const length = ((b0 & 0x7f) << 8) | first[1]!;
    return first[4]! <= 3 && length >= 9;
  }
  return false;
}
