/**
 * Internet checksums (RFC 1071) of IPv4 headers and TCP/UDP segments, as the receiving
 * Linux stack verifies them (ip_rcv_core, tcp_v4_rcv/udp4_csum_init and their IPv6 twins).
 *
 * Capture-side offload: a packet captured on its way *out* of the capturing host (and
 * every packet on `lo`) carries CHECKSUM_PARTIAL — the checksum field holds only the
 * folded pseudo-header sum and the NIC (or nobody, on `lo`) finishes it later. Such a
 * field is reported as PARTIAL, never as BAD: the flow layer accepts it and, only when a
 * conflicting copy of the same bytes exists, says the receiver's choice is unknown.
 * Verification reads every payload byte (~1 ns/byte), so callers ask lazily and only
 * where a verdict needs it (docs/reassembly.md).
 */

export const CHECKSUM_OK = 0;
/** The field holds the pseudo-header sum only (transmit offload, `lo`). */
export const CHECKSUM_PARTIAL = 1;
export const CHECKSUM_BAD = 2;
/** Not verifiable: the segment was cut by the snaplen, or this is not TCP/UDP. */
export const CHECKSUM_UNKNOWN = 3;
export type ChecksumVerdict = typeof CHECKSUM_OK | typeof CHECKSUM_PARTIAL | typeof CHECKSUM_BAD | typeof CHECKSUM_UNKNOWN;

/** One's-complement sum of d[start, end) as 16-bit big-endian words, added to acc (not folded). */
export function sum16(d: Uint8Array, start: number, end: number, acc: number): number {
  let s = acc;
  let i = start;
  // Fold every 2^15 words so the running sum stays a small integer (never a double).
  let words = 0;
  for (const last = end - 1; i < last; i += 2) {
    s += (d[i]! << 8) | d[i + 1]!;
    if (++words === 0x8000) {
      s = (s & 0xffff) + Math.floor(s / 0x10000);
      words = 0;
    }
  }
  if (i < end) s += d[i]! << 8;
  return s;
}

/** Fold a sum to 16 bits (one's complement carry-around). */
export function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** IPv4 header checksum over d[off, off + hlen): true when it verifies. */
export function ipv4HeaderOk(d: Uint8Array, off: number, hlen: number): boolean {
  return fold(sum16(d, off, off + hlen, 0)) === 0xffff;
}

/**
 * Verdict for the TCP/UDP checksum of the segment d[start, end), given the pseudo-header
 * sum (addresses, protocol, length) and where the checksum field is.
 */
export function transportVerdict(d: Uint8Array, start: number, end: number, pseudo: number, field: number): ChecksumVerdict {
  if (fold(sum16(d, start, end, pseudo)) === 0xffff) return CHECKSUM_OK;
  const stored = (d[field]! << 8) | d[field + 1]!;
  const p = fold(pseudo);
  // Linux stores the folded pseudo-header sum; some drivers store its complement.
  return stored === p || stored === (~p & 0xffff) ? CHECKSUM_PARTIAL : CHECKSUM_BAD;
}

/** Pseudo-header sum (RFC 9293 §3.1, RFC 8200 §8.1) of addresses at d[srcOff..] and d[dstOff..]. */
export function pseudoHeaderSum(d: Uint8Array, srcOff: number, dstOff: number, addrLen: number, protocol: number, length: number): number {
  return sum16(d, srcOff, srcOff + addrLen, sum16(d, dstOff, dstOff + addrLen, protocol + (length & 0xffff) + Math.floor(length / 0x10000)));
}
