/**
 * The NSS key log format (the SSLKEYLOGFILE that browsers, curl, Go's
 * tls.Config.KeyLogWriter and OpenSSL write, and the text of a pcapng Decryption
 * Secrets Block of type TLSK): one `<LABEL> <client random> <secret>` line per secret,
 * both values in hex (either case), `#` comments and blank lines allowed, LF or CRLF.
 *
 * Hand-written (a dozen lines of format) because every byte may be hostile when it comes
 * from a capture's DSB: lines are bounded (an over-long line is counted malformed and
 * skipped up to its end, never buffered), lengths are checked before any hex is decoded,
 * and a malformed line is only counted.
 */

/** Labels whose secrets the decryptor uses, and where each goes in TlsSecrets. */
export const SECRET_LABELS = {
  CLIENT_RANDOM: 'masterSecret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshakeTrafficSecret',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshakeTrafficSecret',
  CLIENT_TRAFFIC_SECRET_0: 'clientTrafficSecret0',
  SERVER_TRAFFIC_SECRET_0: 'serverTrafficSecret0',
} as const;

export type SecretLabel = keyof typeof SECRET_LABELS;

/** Valid labels gotap has no use for (0-RTT data, exporters, ECH, the old RSA form): skipped, not malformed. */
const IGNORED_LABELS = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EXPORTER_SECRET', 'EARLY_EXPORTER_SECRET', 'RSA', 'ECH_SECRET', 'ECH_CONFIG']);

/** Longest line looked at: the longest valid one (a 48-byte secret) is under 200 characters. */
export const MAX_LINE = 512;
const CLIENT_RANDOM_BYTES = 32;
/** TLS ≤ 1.2 master secret (RFC 5246 §8.1). */
const MASTER_SECRET_BYTES = 48;

export interface KeyLogSecret {
  label: SecretLabel;
  clientRandom: Uint8Array;
  secret: Uint8Array;
}

export type KeyLogLine = { kind: 'secret'; value: KeyLogSecret } | { kind: 'ignored' } | { kind: 'blank' } | { kind: 'malformed' };

const BLANK: KeyLogLine = { kind: 'blank' };
const IGNORED: KeyLogLine = { kind: 'ignored' };
const MALFORMED: KeyLogLine = { kind: 'malformed' };

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Decodes hex of an even length, or undefined when any character is not hex. */
function decodeHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(s.charCodeAt(2 * i));
    const lo = hexDigit(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** A TLS 1.3 traffic secret is as long as the suite's hash: SHA-256 or SHA-384 (RFC 8446 §7.1). */
function validSecretLength(label: SecretLabel, n: number): boolean {
  return label === 'CLIENT_RANDOM' ? n === MASTER_SECRET_BYTES : n === 32 || n === 48;
}

/** Parses one line (without its line end; a trailing CR is tolerated). */
export function parseKeyLogLine(line: string): KeyLogLine {
  if (line.length > MAX_LINE) return MALFORMED;
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const fields = text.split(/[ \t]+/).filter((f) => f !== '');
  if (fields.length === 0 || fields[0]!.startsWith('#')) return BLANK;
  const label = fields[0]!;
  if (IGNORED_LABELS.has(label)) return IGNORED;
  if (!Object.hasOwn(SECRET_LABELS, label) || fields.length !== 3) return MALFORMED;
  const known = label as SecretLabel;
  const [, randomHex, secretHex] = fields as [string, string, string];
  if (randomHex.length !== 2 * CLIENT_RANDOM_BYTES || !validSecretLength(known, secretHex.length / 2)) return MALFORMED;
  const clientRandom = decodeHex(randomHex);
  const secret = decodeHex(secretHex);
  if (!clientRandom || !secret) return MALFORMED;
  return { kind: 'secret', value: { label: known, clientRandom, secret } };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The canonical line for a secret (lower-case hex): what parseKeyLogLine reads back. */
export function formatKeyLogLine(s: KeyLogSecret): string {
  return `${s.label} ${hex(s.clientRandom)} ${hex(s.secret)}`;
}

const LF = 0x0a;

/**
 * Splits a byte stream into lines across chunk boundaries, holding at most MAX_LINE + 1
 * bytes of an unfinished line; a longer line is reported once as over-long
 * (`line(undefined)`) and its remaining bytes are skipped.
 */
export class LineSplitter {
  private readonly buf = new Uint8Array(MAX_LINE + 1);
  private len = 0;
  private skipping = false;

  constructor(private readonly line: (text: string | undefined) => void) {}

  push(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      const lf = data.indexOf(LF, i);
      const stop = lf < 0 ? data.length : lf;
      if (!this.skipping) {
        const take = Math.min(stop - i, this.buf.length - this.len);
        this.buf.set(data.subarray(i, i + take), this.len);
        this.len += take;
        if (this.len > MAX_LINE) {
          this.skipping = true;
          this.len = 0;
          this.line(undefined);
        }
      }
      if (lf < 0) return;
      if (!this.skipping) this.flush();
      this.skipping = false;
      i = lf + 1;
    }
  }

  /** The input ended: a last line without a line end still counts. */
  end(): void {
    if (!this.skipping && this.len > 0) this.flush();
    this.skipping = false;
  }

  private flush(): void {
    this.line(Buffer.from(this.buf.buffer, 0, this.len).toString('latin1'));
    this.len = 0;
  }
}
