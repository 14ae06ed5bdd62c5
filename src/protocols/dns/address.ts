/**
 * Text forms of IP addresses found in DNS data (A/AAAA rdata, SVCB hints): dotted
 * quad and RFC 5952 compressed IPv6, both computed from raw bytes so they never
 * depend on what a decoder library chose to print.
 */

export function formatIPv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952: lowercase hex, leading zeros dropped, the longest run (≥ 2) of zero groups as "::". */
export function formatIPv6(b: Uint8Array, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** IPv4 224.0.0.0/4 and 255.255.255.255, IPv6 ff00::/8: destinations whose answers come back on other flows. */
export function isMulticastOrBroadcast(addr: string): boolean {
  if (addr.includes(':')) return addr.toLowerCase().startsWith('ff');
  const first = Number.parseInt(addr, 10);
  return (first >= 224 && first <= 239) || addr === '255.255.255.255';
}
