import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEncryptedExtensions, parseTls13Certificate } from '../../../../src/protocols/tls/decrypt/handshake13.js';

const u16 = (v: number) => [v >> 8, v & 0xff];
const u24 = (v: number) => [v >> 16, (v >> 8) & 0xff, v & 0xff];

describe('TLS 1.3 Certificate', () => {
  it('reads the entries, skipping per-entry extensions, and the leaf OCSP staple', () => {
    const leaf = [0x30, 1, 2];
    const ca = [0x30, 3, 4, 5];
    const staple = [1, ...u24(3), 9, 9, 9]; // CertificateStatus: ocsp(1), 3-byte response
    const leafExts = [...u16(5), ...u16(staple.length), ...staple];
    const entries = [...u24(leaf.length), ...leaf, ...u16(leafExts.length), ...leafExts, ...u24(ca.length), ...ca, ...u16(0)];
    const body = Uint8Array.from([0, ...u24(entries.length), ...entries]);
    const parsed = parseTls13Certificate(body);
    expect(parsed).toEqual({ ok: true, value: { certs: [Uint8Array.from(leaf), Uint8Array.from(ca)], status: { statusType: 1, bytes: 3 } } });
  });

  it('rejects truncation and never throws on random bytes', () => {
    expect(parseTls13Certificate(Uint8Array.from([0, 0, 0, 9, 0, 0, 1])).ok).toBe(false);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void parseTls13Certificate(b)));
  });
});

describe('EncryptedExtensions', () => {
  it('lists the extensions and the selected ALPN', () => {
    const alpn = [...u16(3), 2, 0x68, 0x32];
    const exts = [...u16(0), ...u16(0), ...u16(16), ...u16(alpn.length), ...alpn];
    expect(parseEncryptedExtensions(Uint8Array.from([...u16(exts.length), ...exts]))).toEqual({ ok: true, value: { extensions: [0, 16], alpn: 'h2' } });
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void parseEncryptedExtensions(b)));
  });
});
