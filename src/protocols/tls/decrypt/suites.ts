/**
 * The cipher suites gotap decrypts, and why the others are refused. Only suites whose
 * record protection node:crypto offers and that real Go/curl/browser traffic uses are
 * listed; anything else (RC4, 3DES, Camellia, ARIA, CCM, NULL, export, PSK, GOST …) is
 * answered "unsupported suite" with its name when we know it — never a guess at keys.
 *
 * Sources: RFC 8446 §B.4 (TLS 1.3), RFC 5246 App. C and RFC 4492/5289 (AES-CBC with
 * SHA-1/SHA-256/SHA-384), RFC 5288/5289 (AES-GCM, fixed IV 4 + explicit nonce 8),
 * RFC 7905 (ChaCha20-Poly1305, 12-byte IV, no explicit nonce).
 */

export type RecordCipher = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-cbc' | 'aes-256-cbc';
export type SuiteHash = 'sha256' | 'sha384';
export type MacHash = 'sha1' | 'sha256' | 'sha384';

export interface CipherSuite {
  id: number;
  name: string;
  /** 'tls13': RFC 8446 AEAD; 'aead': TLS 1.2 AEAD; 'cbc': block cipher with HMAC. */
  kind: 'tls13' | 'aead' | 'cbc';
  cipher: RecordCipher;
  keyLength: number;
  /**
   * TLS 1.3 and ChaCha20: the 12-byte per-direction IV. GCM in TLS 1.2: the 4-byte salt
   * (RFC 5288 §3). CBC: the block size (a key-block IV only in TLS 1.0, RFC 2246 §6.3).
   */
  ivLength: number;
  /** HKDF hash (TLS 1.3) or the TLS 1.2 PRF hash (RFC 5246 §5, RFC 5288 §3). */
  hash: SuiteHash;
  /** CBC only: the record MAC. */
  mac?: MacHash;
  /** Lowest TLS version the suite is defined for (GCM, ChaCha and SHA-2 MACs need 1.2). */
  minVersion: number;
  /** Highest version (TLS 1.2 suites cannot be used in TLS 1.3, and vice versa). */
  maxVersion: number;
}

export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

export const MAC_LENGTH: Record<MacHash, number> = { sha1: 20, sha256: 32, sha384: 48 };

const SUITES = new Map<number, CipherSuite>();

function tls13(id: number, name: string, cipher: RecordCipher, keyLength: number, hash: SuiteHash): void {
  SUITES.set(id, { id, name, kind: 'tls13', cipher, keyLength, ivLength: 12, hash, minVersion: TLS13, maxVersion: TLS13 });
}

function gcm(id: number, name: string, keyLength: 16 | 32): void {
  const cipher = keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const hash = keyLength === 16 ? 'sha256' : 'sha384';
  SUITES.set(id, { id, name, kind: 'aead', cipher, keyLength, ivLength: 4, hash, minVersion: TLS12, maxVersion: TLS12 });
}

function chacha(id: number, name: string): void {
  SUITES.set(id, {
    id,
    name,
    kind: 'aead',
    cipher: 'chacha20-poly1305',
    keyLength: 32,
    ivLength: 12,
    hash: 'sha256',
    minVersion: TLS12,
    maxVersion: TLS12,
  });
}

function cbc(id: number, name: string, keyLength: 16 | 32, mac: MacHash): void {
  SUITES.set(id, {
    id,
    name,
    kind: 'cbc',
    cipher: keyLength === 16 ? 'aes-128-cbc' : 'aes-256-cbc',
    keyLength,
    ivLength: 16,
    // RFC 5289 §3.2: the SHA-384 suites use the SHA-384 PRF; all others the SHA-256 one.
    hash: mac === 'sha384' ? 'sha384' : 'sha256',
    mac,
    // SHA-256/384 MACs were introduced with TLS 1.2 (RFC 5246 App. A.5, RFC 5289).
    minVersion: mac === 'sha1' ? TLS10 : TLS12,
    maxVersion: TLS12,
  });
}

tls13(0x1301, 'TLS_AES_128_GCM_SHA256', 'aes-128-gcm', 16, 'sha256');
tls13(0x1302, 'TLS_AES_256_GCM_SHA384', 'aes-256-gcm', 32, 'sha384');
tls13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 32, 'sha256');

gcm(0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 16);
gcm(0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 32);
gcm(0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 16);
gcm(0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 32);
gcm(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 16);
gcm(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 32);
gcm(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 16);
gcm(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 32);

chacha(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
chacha(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256');
chacha(0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256');

cbc(0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1');
cbc(0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1');
cbc(0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1');
cbc(0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1');
cbc(0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 16, 'sha1');
cbc(0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 32, 'sha1');
cbc(0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 16, 'sha1');
cbc(0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 32, 'sha1');
cbc(0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256');
cbc(0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 32, 'sha256');
cbc(0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256');
cbc(0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 32, 'sha256');
cbc(0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 16, 'sha256');
cbc(0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 16, 'sha256');
cbc(0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 32, 'sha384');
cbc(0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 32, 'sha384');

/** Names of suites still met in captures that are deliberately not decrypted. */
const UNSUPPORTED_NAMES = new Map<number, string>([
  [0x0000, 'TLS_NULL_WITH_NULL_NULL'],
  [0x0004, 'TLS_RSA_WITH_RC4_128_MD5'],
  [0x0005, 'TLS_RSA_WITH_RC4_128_SHA'],
  [0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA'],
  [0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA'],
  [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA'],
  [0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA'],
  [0x0041, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA'],
  [0x0084, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA'],
  [0x00ba, 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0x00c0, 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256'],
  [0xc072, 'TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc076, 'TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256'],
  [0xc09c, 'TLS_RSA_WITH_AES_128_CCM'],
  [0xc09d, 'TLS_RSA_WITH_AES_256_CCM'],
  [0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM'],
  [0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM'],
  [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'],
  [0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
]);

/** The suite's parameters, or undefined when gotap does not decrypt it. */
export function cipherSuite(id: number): CipherSuite | undefined {
  return SUITES.get(id);
}

/** Every suite gotap decrypts (for tests and documentation). */
export function supportedSuites(): CipherSuite[] {
  return [...SUITES.values()];
}

/** A suite's IANA name when known, else its hex code point. */
export function cipherSuiteName(id: number): string {
  return SUITES.get(id)?.name ?? UNSUPPORTED_NAMES.get(id) ?? '0x' + id.toString(16).padStart(4, '0');
}
