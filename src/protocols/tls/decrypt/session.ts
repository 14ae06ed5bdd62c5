/**
 * One TLS connection's decryption state: the analyzer creates it from the final
 * ServerHello (never a HelloRetryRequest, which changes no keys) and hands it every
 * protected record of either direction, in stream order; it answers with the plaintext
 * or why there is none. Protected records are, per direction: TLS 1.3 — every
 * application_data (23) record after the ServerHello (the middlebox-compatibility
 * ChangeCipherSpec and plaintext alerts are not, RFC 8446 §5, §D.4); TLS ≤ 1.2 — every
 * record after that direction's ChangeCipherSpec (RFC 5246 §7.1).
 *
 * Key changes happen inside the session, from the plaintext it produces, so the caller
 * cannot apply one twice or miss one:
 * - TLS 1.3: each direction starts with its handshake traffic secret and moves to
 *   [sender]_application_traffic_secret_0 after the record that completes its Finished
 *   (RFC 8446 §4.4.4, §7.1); a KeyUpdate completed in a record moves that direction to
 *   the next generation after it (§4.6.3, §7.2). Handshake messages must not span a key
 *   change (§5.1), so switching at the record boundary is exact. Sequence numbers restart
 *   at 0 with every key (§5.3).
 * - TLS ≤ 1.2: one key block from the master secret and both randoms (RFC 5246 §6.3);
 *   sequence numbers run from the ChangeCipherSpec on. A protected ChangeCipherSpec means
 *   renegotiation to keys of a new handshake, which the session does not follow.
 *
 * Early data (RFC 8446 §4.2.10): when the ClientHello offered early_data, the client's
 * first protected records may be 0-RTT data under the early traffic secret (which key
 * logs may lack) or data the server rejected. As a server does, records that fail under
 * the client handshake key before any client record has decrypted are skipped (counted,
 * not failures), up to MAX_EARLY_DATA_SKIP bytes; the first one that authenticates ends
 * the phase.
 *
 * Records that do not authenticate count as failures and mark their direction failed;
 * later records are still tried (a single corrupted record need not hide the rest).
 * When the secrets a record needs are not known yet the answer is 'no-keys' and no state
 * changes: the caller holds the record and offers it again after addSecrets().
 */
import type { TlsSecrets } from '../../../secrets/types.js';
import { HASH_LENGTH, tls12KeyBlock, tls13NextTrafficSecret, tls13TrafficKeys, type TrafficKeys, type Tls12DirectionKeys } from './key-schedule.js';
import { openCbc, openTls12Aead, openTls13, splitInnerPlaintext } from './record.js';
import { cipherSuite, cipherSuiteName, TLS10, TLS13, type CipherSuite } from './suites.js';

/** 0 = client → server, 1 = server → client (as src/flow's Direction). */
export type DecryptDirection = 0 | 1;

export interface TlsDecryptParams {
  /** Negotiated version: ServerHello supported_versions, else legacy_version. */
  version: number;
  /** ServerHello cipher_suite. */
  cipher: number;
  /** ClientHello.random and ServerHello.random (32 bytes each). */
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** ServerHello carried encrypt_then_mac (type 22, RFC 7366 §2); applies to CBC suites only. */
  encryptThenMac: boolean;
  /** ClientHello carried early_data (type 42): enables the early-data skipping rule. */
  clientOfferedEarlyData?: boolean;
  /** Secrets already known (e.g. SecretsLookup.get at ServerHello time). */
  secrets?: TlsSecrets;
}

export type DecryptFailureReason =
  /** The suite or version is not decrypted; `unsupported` says which. */
  | 'unsupported'
  /** The secrets for this record are not known yet: hold it and retry after addSecrets(). */
  | 'no-keys'
  /** A logged secret has the wrong length for the suite (a key log for another connection?). */
  | 'bad-secret'
  /** Tag, MAC or padding wrong, or the fragment too short to carry them. */
  | 'auth-failed'
  /** Authenticated, but a TLS 1.3 inner plaintext without a content type (§5.4). */
  | 'malformed-plaintext'
  /** A TLS 1.3 client record skipped under the early-data rule (not a failure). */
  | 'early-data-skipped'
  /** TLS 1.3 records other than application_data are not protected (plaintext alerts, CCS). */
  | 'not-protected'
  /** TLS ≤ 1.2 renegotiated: the new handshake's keys are not followed. */
  | 'renegotiated';

export type DecryptResult =
  | {
      ok: true;
      /** The real content type (TLS 1.3: from the inner plaintext). */
      contentType: number;
      plaintext: Uint8Array;
      /** This record made its direction change keys (TLS 1.3 Finished / KeyUpdate). */
      keyChange?: 'application' | 'key-update';
    }
  | { ok: false; reason: DecryptFailureReason };

export interface DirectionStats {
  decrypted: number;
  /** Records that failed (auth-failed, malformed-plaintext, bad-secret). */
  failed: number;
  earlyDataSkipped: number;
  keyUpdates: number;
}

export interface TlsDecryptSession {
  readonly suite: CipherSuite | undefined;
  /** Why nothing will be decrypted ("unsupported suite TLS_RSA_WITH_RC4_128_SHA"), or undefined. */
  readonly unsupported: string | undefined;
  /** Merges newly known secrets (idempotent). A secret already turned into keys stays in use. */
  addSecrets(secrets: TlsSecrets): void;
  decrypt(dir: DecryptDirection, contentType: number, recordVersion: number, fragment: Uint8Array): DecryptResult;
  /** Some record of this direction failed authentication. */
  failed(dir: DecryptDirection): boolean;
  stats(dir: DecryptDirection): Readonly<DirectionStats>;
}

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const HS_FINISHED = 20;
const HS_KEY_UPDATE = 24;

/** Early data a server accepts is bounded by its max_early_data_size; skip at most this much. */
export const MAX_EARLY_DATA_SKIP = 1 << 20;

/** Counts TLS 1.3 handshake messages through record boundaries without buffering them. */
class HandshakeFraming {
  private header = 0;
  private headerBytes = 0;
  private remaining = 0;

  /** Feeds a record's handshake plaintext; returns the types of the messages it completed. */
  feed(b: Uint8Array): number[] {
    const done: number[] = [];
    let p = 0;
    while (p < b.length) {
      if (this.headerBytes < 4) {
        this.header = this.header * 256 + b[p++]!;
        if (++this.headerBytes < 4) continue;
        this.remaining = this.header & 0xffffff;
        if (this.remaining > 0) continue;
      } else {
        const n = Math.min(this.remaining, b.length - p);
        p += n;
        this.remaining -= n;
        if (this.remaining > 0) continue;
      }
      done.push(Math.floor(this.header / 0x1000000));
      this.header = 0;
      this.headerBytes = 0;
    }
    return done;
  }
}

interface Tls13Direction {
  epoch: 'handshake' | 'application';
  secret: Uint8Array | undefined;
  keys: TrafficKeys | undefined;
  seq: number;
  framing: HandshakeFraming;
  earlyPhase: boolean;
  earlySkippedBytes: number;
}

interface Tls12Direction {
  keys: Tls12DirectionKeys | undefined;
  seq: number;
  /** TLS 1.0 CBC: the implicit IV of the next record. */
  chainIv: Uint8Array | undefined;
  renegotiated: boolean;
}

const newStats = (): DirectionStats => ({ decrypted: 0, failed: 0, earlyDataSkipped: 0, keyUpdates: 0 });

class Session implements TlsDecryptSession {
  readonly suite: CipherSuite | undefined;
  readonly unsupported: string | undefined;
  private readonly secrets: TlsSecrets = {};
  private readonly failedDirs: [boolean, boolean] = [false, false];
  private readonly counters: [DirectionStats, DirectionStats] = [newStats(), newStats()];
  private readonly d13: [Tls13Direction, Tls13Direction];
  private readonly d12: [Tls12Direction, Tls12Direction] = [
    { keys: undefined, seq: 0, chainIv: undefined, renegotiated: false },
    { keys: undefined, seq: 0, chainIv: undefined, renegotiated: false },
  ];

  constructor(private readonly p: TlsDecryptParams) {
    const suite = cipherSuite(p.cipher);
    if (suite === undefined) {
      this.unsupported = `unsupported suite ${cipherSuiteName(p.cipher)}`;
    } else if (p.version < TLS10 || p.version > TLS13) {
      this.unsupported = `unsupported version 0x${p.version.toString(16).padStart(4, '0')}`;
    } else if (p.version < suite.minVersion || p.version > suite.maxVersion) {
      this.unsupported = `suite ${suite.name} is not defined for version 0x${p.version.toString(16).padStart(4, '0')}`;
    } else if (p.clientRandom.length !== 32 || p.serverRandom.length !== 32) {
      this.unsupported = 'hello random is not 32 bytes';
    }
    this.suite = this.unsupported === undefined ? suite : undefined;
    const dir = (earlyPhase: boolean): Tls13Direction => ({
      epoch: 'handshake',
      secret: undefined,
      keys: undefined,
      seq: 0,
      framing: new HandshakeFraming(),
      earlyPhase,
      earlySkippedBytes: 0,
    });
    this.d13 = [dir(p.clientOfferedEarlyData === true), dir(false)];
    if (p.secrets) this.addSecrets(p.secrets);
  }

  addSecrets(s: TlsSecrets): void {
    for (const k of Object.keys(s) as (keyof TlsSecrets)[]) {
      const v = s[k];
      if (v !== undefined) this.secrets[k] = v;
    }
  }

  failed(dir: DecryptDirection): boolean {
    return this.failedDirs[dir];
  }

  stats(dir: DecryptDirection): Readonly<DirectionStats> {
    return this.counters[dir];
  }

  decrypt(dir: DecryptDirection, contentType: number, recordVersion: number, fragment: Uint8Array): DecryptResult {
    const suite = this.suite;
    if (suite === undefined) return { ok: false, reason: 'unsupported' };
    return suite.kind === 'tls13'
      ? this.decrypt13(suite, dir, contentType, recordVersion, fragment)
      : this.decrypt12(suite, dir, contentType, recordVersion, fragment);
  }

  private fail(dir: DecryptDirection, reason: 'auth-failed' | 'malformed-plaintext' | 'bad-secret'): DecryptResult {
    this.failedDirs[dir] = true;
    this.counters[dir].failed += 1;
    return { ok: false, reason };
  }

  /** The secret a TLS 1.3 direction needs now, from the key log (or the KeyUpdate chain). */
  private secret13(dir: DecryptDirection, st: Tls13Direction): Uint8Array | undefined {
    if (st.secret !== undefined) return st.secret;
    const s = this.secrets;
    if (st.epoch === 'handshake') return dir === 0 ? s.clientHandshakeTrafficSecret : s.serverHandshakeTrafficSecret;
    return dir === 0 ? s.clientTrafficSecret0 : s.serverTrafficSecret0;
  }

  private decrypt13(suite: CipherSuite, dir: DecryptDirection, type: number, version: number, fragment: Uint8Array): DecryptResult {
    // RFC 8446 §5: only application_data records are protected; ChangeCipherSpec (§D.4)
    // and alerts sent before keys are in place travel in clear.
    if (type !== APPLICATION_DATA) return { ok: false, reason: 'not-protected' };
    const st = this.d13[dir];
    if (st.keys === undefined) {
      const secret = this.secret13(dir, st);
      if (secret === undefined) return { ok: false, reason: 'no-keys' };
      if (secret.length !== HASH_LENGTH[suite.hash]) return this.fail(dir, 'bad-secret');
      st.secret = secret;
      st.keys = tls13TrafficKeys(suite, secret);
    }
    const inner = openTls13(suite, st.keys.key, st.keys.iv, st.seq, type, version, fragment);
    if (inner === undefined) {
      if (st.earlyPhase && st.earlySkippedBytes + fragment.length <= MAX_EARLY_DATA_SKIP) {
        st.earlySkippedBytes += fragment.length;
        this.counters[dir].earlyDataSkipped += 1;
        return { ok: false, reason: 'early-data-skipped' };
      }
      st.seq += 1;
      return this.fail(dir, 'auth-failed');
    }
    st.earlyPhase = false;
    st.seq += 1;
    const split = splitInnerPlaintext(inner);
    if (split === undefined) return this.fail(dir, 'malformed-plaintext');
    this.counters[dir].decrypted += 1;
    const result: DecryptResult = { ok: true, contentType: split.contentType, plaintext: split.plaintext };
    if (split.contentType === HANDSHAKE) {
      const completed = st.framing.feed(split.plaintext);
      if (st.epoch === 'handshake' && completed.includes(HS_FINISHED)) {
        st.epoch = 'application';
        this.rekey(st, undefined);
        result.keyChange = 'application';
      } else if (st.epoch === 'application' && completed.includes(HS_KEY_UPDATE) && st.secret !== undefined) {
        this.rekey(st, tls13NextTrafficSecret(suite, st.secret));
        this.counters[dir].keyUpdates += 1;
        result.keyChange = 'key-update';
      }
    }
    return result;
  }

  private rekey(st: Tls13Direction, secret: Uint8Array | undefined): void {
    st.secret = secret;
    st.keys = undefined;
    st.seq = 0;
  }

  private decrypt12(suite: CipherSuite, dir: DecryptDirection, type: number, version: number, fragment: Uint8Array): DecryptResult {
    const st = this.d12[dir];
    if (st.renegotiated) return { ok: false, reason: 'renegotiated' };
    if (st.keys === undefined) {
      const ms = this.secrets.masterSecret;
      if (ms === undefined) return { ok: false, reason: 'no-keys' };
      // RFC 5246 §8.1: the master secret is always 48 bytes.
      if (ms.length !== 48) return this.fail(dir, 'bad-secret');
      const both = tls12KeyBlock(this.p.version, suite, ms, this.p.clientRandom, this.p.serverRandom);
      st.keys = both[dir];
      st.chainIv = st.keys.iv;
    }
    const seq = st.seq++;
    let plaintext: Uint8Array | undefined;
    if (suite.kind === 'aead') {
      plaintext = openTls12Aead(suite, st.keys.key, st.keys.iv, seq, type, version, fragment);
    } else {
      const etm = this.p.encryptThenMac;
      const r = openCbc(suite, st.keys, this.p.version, seq, type, version, fragment, etm, st.chainIv);
      if (r.nextIv !== undefined) st.chainIv = r.nextIv;
      plaintext = r.plaintext;
    }
    if (plaintext === undefined) return this.fail(dir, 'auth-failed');
    this.counters[dir].decrypted += 1;
    if (type === CHANGE_CIPHER_SPEC) st.renegotiated = true;
    return { ok: true, contentType: type, plaintext };
  }
}

/** A decryption session for one connection (see the module comment for the protocol). */
export function createTlsDecryptSession(params: TlsDecryptParams): TlsDecryptSession {
  return new Session(params);
}

/** Content types as decrypt() reports them. */
export const CONTENT_TYPE = { CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA } as const;

/** Extension code points the caller reads from the hellos to fill TlsDecryptParams. */
export const EXT_ENCRYPT_THEN_MAC = 22;
export const EXT_EARLY_DATA = 42;

/**
 * ClientHello.random / ServerHello.random from a hello's handshake body (after the 4-byte
 * handshake header): legacy_version(2) then random(32) (RFC 8446 §4.1.2–4.1.3). A copy,
 * so the caller may keep it past the chunk; undefined when the body is too short.
 */
export function helloRandom(body: Uint8Array): Uint8Array | undefined {
  return body.length >= 34 ? Uint8Array.from(body.subarray(2, 34)) : undefined;
}
