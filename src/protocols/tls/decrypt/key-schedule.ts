/**
 * Key derivation from key-log secrets: TLS 1.3 traffic keys (RFC 8446 §7) and the
 * TLS ≤ 1.2 key block (RFC 5246 §6.3, RFC 2246 §5–6.3). A passive decryptor starts from
 * the logged secrets, so only the last steps of each schedule are needed: HKDF-Expand
 * (never Extract) and the PRF's key expansion. The extended master secret (RFC 7627)
 * changes only how the master secret is computed; the key log already holds the result,
 * so nothing here depends on whether EMS was negotiated.
 *
 * Written on createHmac rather than crypto.hkdfSync: Node's HKDF always runs Extract
 * first, and TLS 1.3 needs Expand alone with its own label encoding (§7.1).
 */
import { createHmac } from 'node:crypto';
import type { CipherSuite, SuiteHash } from './suites.js';
import { MAC_LENGTH, TLS11, TLS12 } from './suites.js';

export const HASH_LENGTH: Record<SuiteHash, number> = { sha256: 32, sha384: 48 };

/** RFC 5869 §2.3 HKDF-Expand: T(i) = HMAC(PRK, T(i-1) | info | i). */
export function hkdfExpand(hash: SuiteHash, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  let t: Buffer = Buffer.alloc(0);
  for (let filled = 0, i = 1; filled < length; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Buffer.of(i)).digest();
    filled += t.copy(out, filled);
  }
  return out;
}

/**
 * RFC 8446 §7.1 HKDF-Expand-Label: info is the HkdfLabel structure
 * `uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>`.
 */
export function hkdfExpandLabel(hash: SuiteHash, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.concat([Buffer.of(length >> 8, length & 0xff, full.length), full, Buffer.of(context.length), context]);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  key: Buffer;
  iv: Buffer;
}

const EMPTY = new Uint8Array(0);

/** RFC 8446 §7.3: [sender]_write_key and [sender]_write_iv from a traffic secret. */
export function tls13TrafficKeys(suite: CipherSuite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(suite.hash, secret, 'key', EMPTY, suite.keyLength),
    iv: hkdfExpandLabel(suite.hash, secret, 'iv', EMPTY, suite.ivLength),
  };
}

/** RFC 8446 §7.2: application_traffic_secret_N+1 after a KeyUpdate. */
export function tls13NextTrafficSecret(suite: CipherSuite, secret: Uint8Array): Buffer {
  return hkdfExpandLabel(suite.hash, secret, 'traffic upd', EMPTY, HASH_LENGTH[suite.hash]);
}

/** RFC 5246 §5 P_hash(secret, seed): HMAC chained on A(i) = HMAC(secret, A(i-1)). */
function pHash(hash: 'md5' | 'sha1' | SuiteHash, secret: Uint8Array, seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  let a: Buffer = createHmac(hash, secret).update(seed).digest();
  for (let filled = 0; filled < length; ) {
    filled += createHmac(hash, secret).update(a).update(seed).digest().copy(out, filled);
    a = createHmac(hash, secret).update(a).digest();
  }
  return out;
}

/**
 * The TLS PRF. TLS 1.2 (RFC 5246 §5): P_<hash>(secret, label + seed), SHA-256 unless the
 * suite says SHA-384. TLS 1.0/1.1 (RFC 2246 §5): P_MD5 over the first half of the secret
 * XOR P_SHA-1 over the second half (halves share a byte when the length is odd).
 */
export function tlsPrf(version: number, hash: SuiteHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  if (version >= TLS12) return pHash(hash, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

export interface Tls12DirectionKeys {
  macKey: Buffer;
  key: Buffer;
  /** GCM: 4-byte salt; ChaCha20: 12-byte IV; CBC in TLS 1.0: the first record's IV; else empty. */
  iv: Buffer;
}

/**
 * RFC 5246 §6.3 key block = PRF(master_secret, "key expansion", server_random +
 * client_random), cut into client/server MAC keys, write keys and IVs in that order.
 * IVs are generated for AEAD implicit nonces (RFC 5288 §3, RFC 7905 §2) and for TLS 1.0
 * CBC (RFC 2246 §6.3); TLS 1.1+ CBC carries an explicit IV in each record instead.
 */
export function tls12KeyBlock(
  version: number,
  suite: CipherSuite,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): [client: Tls12DirectionKeys, server: Tls12DirectionKeys] {
  const macLength = suite.kind === 'cbc' ? MAC_LENGTH[suite.mac ?? 'sha1'] : 0;
  const ivLength = suite.kind === 'aead' || version < TLS11 ? suite.ivLength : 0;
  const total = 2 * (macLength + suite.keyLength + ivLength);
  const block = tlsPrf(version, suite.hash, masterSecret, 'key expansion', Buffer.concat([serverRandom, clientRandom]), total);
  let p = 0;
  const take = (n: number): Buffer => block.subarray(p, (p += n));
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(suite.keyLength);
  const serverKey = take(suite.keyLength);
  const clientIv = take(ivLength);
  const serverIv = take(ivLength);
  return [
    { macKey: clientMac, key: clientKey, iv: clientIv },
    { macKey: serverMac, key: serverKey, iv: serverIv },
  ];
}
