/** Names of TLS protocol versions as users know them ("TLS 1.3"), for every stage that shows one. */

const NAMES: Record<number, string> = {
  0x0002: 'SSL 2.0',
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
};

export function tlsVersionName(v: number): string {
  return NAMES[v] ?? `0x${v.toString(16).padStart(4, '0')}`;
}
