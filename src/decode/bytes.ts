/**
 * Big-endian field readers over a byte array. Plain index reads (not DataView) so that
 * an out-of-range read can never throw; every caller checks bounds before reading.
 */

export function u16(d: Uint8Array, o: number): number {
  return (d[o]! << 8) | d[o + 1]!;
}

export function u32(d: Uint8Array, o: number): number {
  return d[o]! * 0x1000000 + ((d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!);
}

/** Four hex digits, for counter kinds such as "ethertype 0x0806 (ARP)". */
export function hex16(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}
