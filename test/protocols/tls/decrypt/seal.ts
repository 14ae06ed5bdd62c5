/**
 * A test-only TLS record *encryptor*, written independently of the decryptor's record
 * code (nonces from BigInt arithmetic, additional data and MACs assembled here, padding
 * chosen by the caller), so a round trip checks the two against each other rather than
 * against themselves. Keys come from the session's key schedule, which the RFC 8448
 * vectors and the real captures check separately.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { tls12KeyBlock, tls13TrafficKeys } from '../../../../src/protocols/tls/decrypt/key-schedule.js';
import type { CipherSuite } from '../../../../src/protocols/tls/decrypt/suites.js';

function seq64(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(seq));
  return b;
}

function nonceXor(iv: Buffer, seq: number): Buffer {
  const v = BigInt('0x' + iv.toString('hex')) ^ BigInt(seq);
  return Buffer.from(v.toString(16).padStart(iv.length * 2, '0'), 'hex');
}

function aeadSeal(cipher: string, key: Buffer, nonce: Buffer, aad: Buffer, plaintext: Uint8Array): Buffer {
  const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

export interface SealedRecord {
  type: number;
  version: number;
  fragment: Buffer;
}

/** TLS 1.3 sender for one direction: handles its own sequence numbers and rekeying. */
export class Tls13Sealer {
  private seq = 0;
  private key: Buffer;
  private iv: Buffer;

  constructor(
    private readonly suite: CipherSuite,
    secret: Uint8Array,
  ) {
    ({ key: this.key, iv: this.iv } = tls13TrafficKeys(suite, secret));
  }

  rekey(secret: Uint8Array): void {
    ({ key: this.key, iv: this.iv } = tls13TrafficKeys(this.suite, secret));
    this.seq = 0;
  }

  /** RFC 8446 §5.2: content + type + zero padding, sealed under the record header. */
  seal(contentType: number, content: Uint8Array, padding = 0): SealedRecord {
    const inner = Buffer.concat([content, Buffer.of(contentType), Buffer.alloc(padding)]);
    const length = inner.length + 16;
    const aad = Buffer.of(23, 3, 3, length >> 8, length & 0xff);
    const fragment = aeadSeal(this.suite.cipher, this.key, nonceXor(this.iv, this.seq++), aad, inner);
    return { type: 23, version: 0x0303, fragment };
  }
}

/** TLS 1.0–1.2 sender for one direction. */
export class Tls12Sealer {
  private seq = 0;
  private readonly macKey: Buffer;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  /** TLS 1.0 CBC: the chained IV. */
  private chain: Buffer;

  constructor(
    private readonly suite: CipherSuite,
    private readonly version: number,
    masterSecret: Uint8Array,
    clientRandom: Uint8Array,
    serverRandom: Uint8Array,
    dir: 0 | 1,
    private readonly encryptThenMac: boolean,
  ) {
    const k = tls12KeyBlock(version, suite, masterSecret, clientRandom, serverRandom)[dir];
    this.macKey = k.macKey;
    this.key = k.key;
    this.iv = k.iv;
    this.chain = k.iv;
  }

  private pseudoHeader(type: number, length: number): Buffer {
    return Buffer.concat([seq64(this.seq), Buffer.of(type, this.version >> 8, this.version & 0xff, length >> 8, length & 0xff)]);
  }

  /** `padding`: CBC only, extra whole blocks of padding (0–15). */
  seal(type: number, content: Uint8Array, padding = 0): SealedRecord {
    const s = this.suite;
    let fragment: Buffer;
    if (s.cipher === 'chacha20-poly1305') {
      fragment = aeadSeal(s.cipher, this.key, nonceXor(this.iv, this.seq), this.pseudoHeader(type, content.length), content);
    } else if (s.kind === 'aead') {
      const explicit = randomBytes(8);
      const sealed = aeadSeal(s.cipher, this.key, Buffer.concat([this.iv, explicit]), this.pseudoHeader(type, content.length), content);
      fragment = Buffer.concat([explicit, sealed]);
    } else {
      fragment = this.sealCbc(type, content, padding);
    }
    this.seq++;
    return { type, version: this.version, fragment };
  }

  private sealCbc(type: number, content: Uint8Array, padding: number): Buffer {
    const s = this.suite;
    const mac = (data: Buffer) => createHmac(s.mac!, this.macKey).update(this.pseudoHeader(type, data.length)).update(data).digest();
    const pad = (n: number) => {
      const padLength = (16 - ((n + 1) % 16)) % 16 + 16 * padding;
      return Buffer.alloc(padLength + 1, padLength);
    };
    const explicitIv = this.version >= 0x0302 ? randomBytes(16) : Buffer.alloc(0);
    const iv = explicitIv.length > 0 ? explicitIv : this.chain;
    const encrypt = (p: Buffer) => {
      const c = createCipheriv(s.cipher, this.key, iv);
      c.setAutoPadding(false);
      const ct = Buffer.concat([c.update(p), c.final()]);
      this.chain = ct.subarray(ct.length - 16);
      return ct;
    };
    if (this.encryptThenMac) {
      const body = Buffer.from(content);
      const sealed = Buffer.concat([explicitIv, encrypt(Buffer.concat([body, pad(body.length)]))]);
      return Buffer.concat([sealed, mac(sealed)]);
    }
    const withMac = Buffer.concat([content, mac(Buffer.from(content))]);
    return Buffer.concat([explicitIv, encrypt(Buffer.concat([withMac, pad(withMac.length)]))]);
  }
}
