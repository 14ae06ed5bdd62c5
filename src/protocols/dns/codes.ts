/**
 * Mnemonics for DNS numbers (types, classes, opcodes, rcodes, EDNS options), so
 * events carry the names a user sees in dig or Wireshark. Unknown values use the
 * RFC 3597 forms (TYPEnnn, CLASSnnn) so nothing is ever dropped or guessed.
 */

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 17: 'RP',
  18: 'AFSDB', 24: 'SIG', 25: 'KEY', 28: 'AAAA', 29: 'LOC', 33: 'SRV', 35: 'NAPTR', 36: 'KX',
  37: 'CERT', 39: 'DNAME', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY',
  46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA',
  53: 'SMIMEA', 55: 'HIP', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG',
  251: 'IXFR', 252: 'AXFR', 255: 'ANY', 256: 'URI', 257: 'CAA', 32769: 'DLV',
};

const CLASSES: Record<number, string> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

const OPCODES: Record<number, string> = { 0: 'QUERY', 1: 'IQUERY', 2: 'STATUS', 4: 'NOTIFY', 5: 'UPDATE', 6: 'DSO' };

/** RFC 6895 rcodes; values above 15 need the EDNS extended-rcode bits. */
const RCODES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 11: 'DSOTYPENI',
  16: 'BADVERS', 17: 'BADKEY', 18: 'BADTIME', 19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG',
  22: 'BADTRUNC', 23: 'BADCOOKIE',
};

const EDNS_OPTIONS: Record<number, string> = {
  1: 'LLQ', 2: 'UL', 3: 'NSID', 5: 'DAU', 6: 'DHU', 7: 'N3U', 8: 'ECS', 9: 'EXPIRE', 10: 'COOKIE',
  11: 'TCP-KEEPALIVE', 12: 'PADDING', 13: 'CHAIN', 14: 'KEY-TAG', 15: 'EDE', 16: 'CLIENT-TAG',
  17: 'SERVER-TAG', 18: 'REPORT-CHANNEL', 19: 'ZONEVERSION', 20292: 'UMBRELLA-IDENT', 26946: 'DEVICEID',
};

export const TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, RP: 17, AAAA: 28, SRV: 33, NAPTR: 35,
  DNAME: 39, OPT: 41, RRSIG: 46, NSEC: 47, SVCB: 64, HTTPS: 65, CAA: 257,
} as const;

export function typeName(code: number): string {
  return TYPES[code] ?? `TYPE${code}`;
}

/** Types assigned by IANA (for the strict content check: random bytes rarely hit one). */
export function isKnownType(code: number): boolean {
  return TYPES[code] !== undefined;
}

export function className(code: number): string {
  return CLASSES[code] ?? `CLASS${code}`;
}

export function isKnownClass(code: number): boolean {
  return CLASSES[code] !== undefined;
}

export function opcodeName(code: number): string {
  return OPCODES[code] ?? `OPCODE${code}`;
}

export function rcodeName(code: number): string {
  return RCODES[code] ?? `RCODE${code}`;
}

export function ednsOptionName(code: number): string {
  return EDNS_OPTIONS[code] ?? `OPTION${code}`;
}
