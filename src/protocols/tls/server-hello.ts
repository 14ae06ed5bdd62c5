/**
 * ServerHello / HelloRetryRequest parsing (hand-written for the same reason as the
 * ClientHello parser): the selected version, cipher, extensions and ALPN, which is
 * what JA3S and the downgrade/interception detectors need.
 */
import { EXT_ALPN, EXT_SUPPORTED_VERSIONS, type Parsed } from './client-hello.js';
import { malformed } from '../anomaly.js';
import { isGrease } from './grease.js';
import { latin1, Reader } from './reader.js';

export interface ServerHello {
  legacyVersion: number;
  /** supported_versions' selected version when present, else legacy_version. */
  version: number;
  /** The random is RFC 8446's HelloRetryRequest marker. */
  helloRetryRequest: boolean;
  cipher: number;
  compression: number;
  sessionIdLength: number;
  /** Extension types in order, GREASE removed. */
  extensions: number[];
  alpn?: string;
}

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 §4.1.3). */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** Parses a ServerHello handshake body (after the 4-byte handshake header). */
export function parseServerHello(body: Uint8Array): Parsed<ServerHello> {
  const r = new Reader(body);
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionIdLength = r.vec8().remaining;
  const cipher = r.u16();
  const compression = r.u8();
  if (r.failed) return malformed('tls: malformed ServerHello', 'truncated ServerHello');
  const hello: ServerHello = {
    legacyVersion,
    version: legacyVersion,
    helloRetryRequest: Buffer.compare(random, HRR_RANDOM) === 0,
    cipher,
    compression,
    sessionIdLength,
    extensions: [],
  };
  if (r.remaining > 0) {
    const exts = r.vec16();
    if (r.failed) return malformed('tls: malformed ServerHello', 'truncated ServerHello extensions');
    while (exts.remaining > 0) {
      const type = exts.u16();
      const data = exts.vec16();
      if (exts.failed) return malformed('tls: malformed ServerHello', 'truncated ServerHello extension');
      if (isGrease(type)) continue;
      hello.extensions.push(type);
      if (type === EXT_SUPPORTED_VERSIONS && data.remaining === 2) hello.version = data.u16();
      if (type === EXT_ALPN) {
        const p = data.vec16().vec8();
        if (!p.failed) hello.alpn = latin1(p.bytes(p.remaining));
      }
    }
  }
  return { ok: true, value: hello };
}
