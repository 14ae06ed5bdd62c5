#!/usr/bin/env node
// Record decryption throughput of the TLS decryption session, per suite: MB/s of record
// fragments (ciphertext) turned into authenticated plaintext. Records are made with
// node:crypto here (maximal 16 KiB plaintexts, as a bulk download carries), so the
// number is the session's cost alone: AEAD/CBC, MAC, nonce and bookkeeping, no capture
// reading. Uses the built code (npm run build first).
//
// Usage: node bench/decrypt-throughput.mjs [MB per suite, default 64]
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { createTlsDecryptSession, supportedSuites } = await import(join(REPO, 'dist/protocols/tls/decrypt/index.js'));
const { tls12KeyBlock, tls13TrafficKeys } = await import(join(REPO, 'dist/protocols/tls/decrypt/key-schedule.js'));

const megabytes = Number(process.argv[2] ?? 64);
const PLAINTEXT = 16 * 1024;
const COUNT = Math.max(1, Math.round((megabytes * 1e6) / PLAINTEXT));

const seq64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const xorSeq = (iv, n) => {
  const out = Buffer.from(iv);
  const s = seq64(n);
  for (let i = 0; i < 8; i++) out[out.length - 8 + i] ^= s[i];
  return out;
};
const seal = (cipher, key, nonce, aad, pt) => {
  const c = createCipheriv(cipher, key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
};

/** COUNT server→client application-data records for one suite at its highest version. */
function makeRecords(suite, secrets, randoms) {
  const pt = randomBytes(PLAINTEXT);
  const out = [];
  if (suite.kind === 'tls13') {
    const { key, iv } = tls13TrafficKeys(suite, secrets.serverTrafficSecret0);
    const inner = Buffer.concat([pt, Buffer.of(23)]);
    const len = inner.length + 16;
    for (let i = 0; i < COUNT; i++) out.push(seal(suite.cipher, key, xorSeq(iv, i), Buffer.of(23, 3, 3, len >> 8, len & 0xff), inner));
    return out;
  }
  const k = tls12KeyBlock(0x0303, suite, secrets.masterSecret, randoms.client, randoms.server)[1];
  for (let i = 0; i < COUNT; i++) {
    const aad = Buffer.concat([seq64(i), Buffer.of(23, 3, 3, PLAINTEXT >> 8, PLAINTEXT & 0xff)]);
    if (suite.cipher === 'chacha20-poly1305') out.push(seal(suite.cipher, k.key, xorSeq(k.iv, i), aad, pt));
    else if (suite.kind === 'aead') {
      const explicit = randomBytes(8);
      out.push(Buffer.concat([explicit, seal(suite.cipher, k.key, Buffer.concat([k.iv, explicit]), aad, pt)]));
    } else {
      const mac = createHmac(suite.mac, k.macKey).update(aad).update(pt).digest();
      const body = Buffer.concat([pt, mac]);
      const padLength = (16 - ((body.length + 1) % 16)) % 16;
      const iv = randomBytes(16);
      const c = createCipheriv(suite.cipher, k.key, iv);
      c.setAutoPadding(false);
      out.push(Buffer.concat([iv, c.update(Buffer.concat([body, Buffer.alloc(padLength + 1, padLength)])), c.final()]));
    }
  }
  return out;
}

console.log(`${COUNT} records of ${PLAINTEXT} plaintext bytes per suite (node ${process.version})`);
{
  // Baseline: node:crypto's AES-128-GCM alone (one decipher per record, as TLS needs).
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const aad = Buffer.alloc(13);
  const sealed = seal('aes-128-gcm', key, iv, aad, randomBytes(PLAINTEXT));
  const start = process.hrtime.bigint();
  for (let i = 0; i < COUNT; i++) {
    const d = createDecipheriv('aes-128-gcm', key, iv, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(PLAINTEXT));
    d.update(sealed.subarray(0, PLAINTEXT));
    d.final();
  }
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${'baseline: bare createDecipheriv aes-128-gcm'.padEnd(46)} ${((COUNT * sealed.length) / 1e6 / sec).toFixed(0).padStart(5)} MB/s`);
}
for (const suite of supportedSuites()) {
  if (suite.kind === 'cbc' && suite.id !== 0xc013 && suite.id !== 0xc027 && suite.id !== 0xc028) continue;
  const hashLen = suite.hash === 'sha384' ? 48 : 32;
  const secrets = { masterSecret: randomBytes(48), serverHandshakeTrafficSecret: randomBytes(hashLen), serverTrafficSecret0: randomBytes(hashLen) };
  const randoms = { client: randomBytes(32), server: randomBytes(32) };
  const records = makeRecords(suite, secrets, randoms);
  const version = suite.kind === 'tls13' ? 0x0304 : 0x0303;
  const session = createTlsDecryptSession({ version, cipher: suite.id, clientRandom: randoms.client, serverRandom: randoms.server, encryptThenMac: false, secrets });
  if (suite.kind === 'tls13') {
    // Finish the (fake) handshake so the server direction is on its application keys.
    const { key, iv } = tls13TrafficKeys(suite, secrets.serverHandshakeTrafficSecret);
    const fin = Buffer.concat([Buffer.of(20, 0, 0, hashLen), randomBytes(hashLen), Buffer.of(22)]);
    const len = fin.length + 16;
    const r = session.decrypt(1, 23, 0x0303, seal(suite.cipher, key, xorSeq(iv, 0), Buffer.of(23, 3, 3, len >> 8, len & 0xff), fin));
    if (!r.ok) throw new Error(`${suite.name}: handshake record did not decrypt`);
  }
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const f of records) {
    const r = session.decrypt(1, 23, 0x0303, f);
    if (!r.ok) throw new Error(`${suite.name}: ${r.reason}`);
    bytes += f.length;
  }
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${suite.name.padEnd(46)} ${(bytes / 1e6 / sec).toFixed(0).padStart(5)} MB/s`);
}
