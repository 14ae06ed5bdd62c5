/**
 * RFC 8448 §3 "Simple 1-RTT Handshake": the logged traffic secrets give the RFC's keys
 * and IVs, and the session decrypts the trace's protected records to the RFC's
 * plaintexts, switching each direction to application keys after its Finished.
 */
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel, tls13TrafficKeys } from '../../../../src/protocols/tls/decrypt/key-schedule.js';
import { createTlsDecryptSession, type TlsDecryptParams } from '../../../../src/protocols/tls/decrypt/session.js';
import type { TlsSecrets } from '../../../../src/secrets/types.js';
import { cipherSuite } from '../../../../src/protocols/tls/decrypt/suites.js';
import {
  CLIENT_RANDOM,
  SERVER_RANDOM,
  C_HS,
  S_HS,
  C_AP,
  S_AP,
  S_HS_RECORD,
  ENCRYPTED_EXTENSIONS,
  CERTIFICATE,
  CERTIFICATE_VERIFY,
  SERVER_FINISHED,
  C_FINISHED_RECORD,
  CLIENT_FINISHED,
  S_NST_RECORD,
  NEW_SESSION_TICKET,
  C_APP_RECORD,
  S_APP_RECORD,
  APP_DATA,
  C_ALERT_RECORD,
  S_ALERT_RECORD,
} from './rfc8448-trace.js';

const suite = cipherSuite(0x1301)!;

/** Splits a complete record into the pieces decrypt() takes. */
function parts(record: Buffer): [number, number, Buffer] {
  expect(record.readUInt16BE(3)).toBe(record.length - 5);
  return [record[0]!, record.readUInt16BE(1), record.subarray(5)];
}

const ALL_SECRETS: TlsSecrets = {
  clientHandshakeTrafficSecret: C_HS,
  serverHandshakeTrafficSecret: S_HS,
  clientTrafficSecret0: C_AP,
  serverTrafficSecret0: S_AP,
};

/** A session for the trace's connection (by default with all four secrets). */
function session(extra: Partial<TlsDecryptParams> = {}) {
  return createTlsDecryptSession({
    version: 0x0304,
    cipher: 0x1301,
    clientRandom: CLIENT_RANDOM,
    serverRandom: SERVER_RANDOM,
    encryptThenMac: false,
    secrets: ALL_SECRETS,
    ...extra,
  });
}

describe('RFC 8448 §3 key schedule', () => {
  it('derives the handshake and application write keys and IVs', () => {
    const hex = (k: { key: Buffer; iv: Buffer }) => [k.key.toString('hex'), k.iv.toString('hex')];
    expect(hex(tls13TrafficKeys(suite, S_HS))).toEqual(['3fce516009c21727d0f2e4e86ee403bc', '5d313eb2671276ee13000b30']);
    expect(hex(tls13TrafficKeys(suite, C_HS))).toEqual(['dbfaa693d1762c5b666af5d950258d01', '5bd3c71b836e0b76bb73265f']);
    expect(hex(tls13TrafficKeys(suite, S_AP))).toEqual(['9f02283b6c9c07efc26bb9f2ac92e356', 'cf782b88dd83549aadf1e984']);
    expect(hex(tls13TrafficKeys(suite, C_AP))).toEqual(['17422dda596ed5d9acd890e3c63f5051', '5b78923dee08579033e523d9']);
  });

  it('expands the finished keys (HKDF-Expand-Label with a 32-byte output)', () => {
    expect(hkdfExpandLabel('sha256', S_HS, 'finished', new Uint8Array(0), 32).toString('hex')).toBe(
      '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8',
    );
    expect(hkdfExpandLabel('sha256', C_HS, 'finished', new Uint8Array(0), 32).toString('hex')).toBe(
      'b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4',
    );
  });
});

describe('RFC 8448 §3 records', () => {
  it('decrypts the whole trace in order, switching keys after each Finished', () => {
    const s = session();
    const server = s.decrypt(1, ...parts(S_HS_RECORD));
    expect(server).toEqual({
      ok: true,
      contentType: 22,
      plaintext: Buffer.concat([ENCRYPTED_EXTENSIONS, CERTIFICATE, CERTIFICATE_VERIFY, SERVER_FINISHED]),
      keyChange: 'application',
    });
    expect(s.decrypt(0, ...parts(C_FINISHED_RECORD))).toEqual({ ok: true, contentType: 22, plaintext: CLIENT_FINISHED, keyChange: 'application' });
    expect(s.decrypt(1, ...parts(S_NST_RECORD))).toEqual({ ok: true, contentType: 22, plaintext: NEW_SESSION_TICKET });
    expect(s.decrypt(0, ...parts(C_APP_RECORD))).toEqual({ ok: true, contentType: 23, plaintext: APP_DATA });
    expect(s.decrypt(1, ...parts(S_APP_RECORD))).toEqual({ ok: true, contentType: 23, plaintext: APP_DATA });
    expect(s.decrypt(0, ...parts(C_ALERT_RECORD))).toEqual({ ok: true, contentType: 21, plaintext: Buffer.of(1, 0) });
    expect(s.decrypt(1, ...parts(S_ALERT_RECORD))).toEqual({ ok: true, contentType: 21, plaintext: Buffer.of(1, 0) });
    expect([s.failed(0), s.failed(1)]).toEqual([false, false]);
    expect(s.stats(1)).toEqual({ decrypted: 4, failed: 0, earlyDataSkipped: 0, keyUpdates: 0 });
  });

  it('holds without state change until the secrets arrive, then decrypts', () => {
    const s = session({ secrets: {} });
    expect(s.decrypt(1, ...parts(S_HS_RECORD))).toEqual({ ok: false, reason: 'no-keys' });
    s.addSecrets({ serverHandshakeTrafficSecret: S_HS });
    expect(s.decrypt(1, ...parts(S_HS_RECORD)).ok).toBe(true);
    // The application secret is not known yet: the next record waits again.
    expect(s.decrypt(1, ...parts(S_NST_RECORD))).toEqual({ ok: false, reason: 'no-keys' });
    s.addSecrets({ serverTrafficSecret0: S_AP });
    expect(s.decrypt(1, ...parts(S_NST_RECORD)).ok).toBe(true);
  });

  it('fails a record out of order (wrong sequence number) and a flipped bit, never giving plaintext', () => {
    const s = session();
    expect(s.decrypt(1, ...parts(S_APP_RECORD))).toEqual({ ok: false, reason: 'auth-failed' });
    expect(s.failed(1)).toBe(true);
    const t = session();
    const bad = Buffer.from(C_FINISHED_RECORD);
    bad[20]! ^= 1;
    expect(t.decrypt(0, ...parts(bad))).toEqual({ ok: false, reason: 'auth-failed' });
    expect(t.stats(0).failed).toBe(1);
  });

  it('treats ChangeCipherSpec and plaintext alerts as not protected', () => {
    const s = session();
    expect(s.decrypt(0, 20, 0x0303, Buffer.of(1))).toEqual({ ok: false, reason: 'not-protected' });
    expect(s.decrypt(1, 21, 0x0303, Buffer.of(2, 40))).toEqual({ ok: false, reason: 'not-protected' });
    expect(s.decrypt(1, ...parts(S_HS_RECORD)).ok).toBe(true);
  });

  it('skips client records that fail before the handshake key applies when early data was offered', () => {
    const s = session({ clientOfferedEarlyData: true, secrets: { clientHandshakeTrafficSecret: C_HS, clientTrafficSecret0: C_AP } });
    // A 0-RTT record under the early key (here: the server's record, which also fails).
    expect(s.decrypt(0, ...parts(S_HS_RECORD))).toEqual({ ok: false, reason: 'early-data-skipped' });
    expect(s.decrypt(0, ...parts(C_FINISHED_RECORD)).ok).toBe(true);
    expect(s.decrypt(0, ...parts(C_APP_RECORD))).toEqual({ ok: true, contentType: 23, plaintext: APP_DATA });
    expect(s.stats(0)).toMatchObject({ earlyDataSkipped: 1, failed: 0 });
    expect(s.failed(0)).toBe(false);
  });

  it('does not skip without the early_data offer', () => {
    const s = session();
    expect(s.decrypt(0, ...parts(S_HS_RECORD))).toEqual({ ok: false, reason: 'auth-failed' });
  });

  it('rejects a secret of the wrong length for the suite', () => {
    const s = session({ secrets: { serverHandshakeTrafficSecret: Buffer.concat([S_HS, Buffer.alloc(16)]) } });
    expect(s.decrypt(1, ...parts(S_HS_RECORD))).toEqual({ ok: false, reason: 'bad-secret' });
  });
});
