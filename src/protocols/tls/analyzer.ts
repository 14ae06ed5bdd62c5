/**
 * The TLS stream analyzer: walks each direction's records, reassembles plaintext
 * handshake messages (across records and TCP chunks, bounded), and emits hellos with
 * fingerprints, certificate chains, OCSP staples, alerts and — for TLS 1.3, where the
 * certificate is encrypted — the size of the server's encrypted handshake flight.
 *
 * Once a direction is encrypted (TLS ≤ 1.2: after its ChangeCipherSpec; TLS 1.3: after
 * the ServerHello) nothing inside its records is parsed; records are skipped by their
 * length without copying, which is the path most captured bytes take. A gap or a
 * record that is not TLS stops that direction for good: record boundaries cannot be
 * recovered safely, so no resync is attempted. Each stop is counted as an anomaly and
 * reported as a tls-error event with the detail.
 *
 * Decryption (decrypt/): when the secrets store has or may still receive secrets, the
 * final ServerHello creates a FlowDecryptor and each protected record (TLS 1.3: type 23
 * after the ServerHello; TLS ≤ 1.2: every record after that direction's
 * ChangeCipherSpec) is gathered whole and handed to it in stream order. Decrypted
 * handshake bytes re-enter the handshake reassembly (TLS 1.3 Certificate and
 * EncryptedExtensions have their own parsers, RFC 8446 §4.3.1, §4.4.2), decrypted alerts
 * the alert parser, and decrypted application data a child analyzer per direction pair
 * (`tls>h2`, `tls>http`) whose events carry `decrypted: true`. Without secrets nothing is
 * copied: the skip-by-length path is unchanged.
 */
import type { Direction, StreamChunk } from '../../flow/types.js';
import type { AnalyzerContext, StreamAnalyzer } from '../analyzer.js';
import type { Malformed, TlsAnomaly } from '../anomaly.js';
import type { EventBase, GotapEvent } from '../events.js';
import { alertDescriptionName, alertLevelName } from './alerts.js';
import { ByteQueue } from './byte-queue.js';
import { parseCertificateList, parseCertificateStatus } from './certificates.js';
import { parseClientHello, parseSslv2ClientHello, type ClientHello } from './client-hello.js';
import { MAX_RECORD_LENGTH } from './detect.js';
import { ja3, ja3s, ja4 } from './fingerprints.js';
import { parseServerHello, type ServerHello } from './server-hello.js';
import { EXT_EARLY_DATA, EXT_ENCRYPT_THEN_MAC, FlowDecryptor, helloRandom, parseEncryptedExtensions, parseTls13Certificate, type FlowRecordResult } from './decrypt/index.js';
import { decryptionCounters, holdBudget } from './decrypt-stats.js';

/** Largest handshake message reassembled (real ones are < 20 KiB; PQ hellos ~2 KiB). */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const HEARTBEAT = 24;
/** Not a TLS content type: marks the SSLv2-format ClientHello record. */
const SSLV2_RECORD = -2;

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_CERTIFICATE_STATUS = 22;
const HS_ENCRYPTED_EXTENSIONS = 8;

const TLS13 = 0x0304;
/** Decrypted server application data held until the client's first (see TlsAnalyzer.serverFirst). */
const MAX_SERVER_FIRST_BYTES = 64 * 1024;
/** Shared by every idle buffer slot: an empty array per flow and direction is ~100 bytes each. */
const NO_BYTES = new Uint8Array(0);

const hex4 = (v: number): string => '0x' + v.toString(16).padStart(4, '0');

class DirectionState {
  stopped = false;
  records = 0;
  readonly header = new Uint8Array(5);
  headerLength = 0;
  /** The record being read is in SSLv2 format (2-byte header). */
  sslv2 = false;
  inRecord = false;
  type = 0;
  version = 0;
  remaining = 0;
  /** This direction's records are protected: their content is not parsed. */
  encrypted = false;
  /** The current alert record is a TLS ≤ 1.2 encrypted one. */
  encryptedAlert = false;
  /** recordBytes() looks at the current record's content (see there). */
  readsContent = false;
  readonly handshake = new ByteQueue(MAX_HANDSHAKE_MESSAGE + 4 + MAX_RECORD_LENGTH);
  /** Record-layer version of the record the pending handshake message started in. */
  messageRecordVersion = 0;
  /** First byte (level) of an alert whose description has not arrived yet, or -1. */
  alertLevel = -1;
  /** Body of the SSLv2 record being collected. */
  sslv2Body = NO_BYTES;
  sslv2Filled = 0;
  /** The current record is protected and gathered whole for the decryptor. */
  gather = false;
  fragment = NO_BYTES;
  fragmentFilled = 0;
  /** Decryption of this direction stopped (renegotiation) or failed (some record did not authenticate). */
  decryptStopped = false;
  decryptFailed = false;
}

/** Server's TLS 1.3 encrypted handshake flight: application_data records after ServerHello. */
interface EncryptedFlight {
  bytes: number;
  frame: number;
  ts: number;
  done: boolean;
}

class TlsAnalyzer implements StreamAnalyzer {
  private readonly dirs: [DirectionState, DirectionState] = [new DirectionState(), new DirectionState()];
  /** The latest ServerHello was a HelloRetryRequest (only this is kept of it: flow state stays small). */
  private afterHelloRetryRequest = false;
  private tls13 = false;
  private readonly flight: EncryptedFlight = { bytes: 0, frame: 0, ts: 0, done: false };
  /** Frame and time of the chunk being processed: what events carry. */
  private frame = 0;
  private ts = 0;
  /** ClientHello.random, kept only when the store may supply secrets. */
  private clientRandom: Uint8Array | undefined;
  private offeredEarlyData = false;
  private decryptor: FlowDecryptor | undefined;
  /** The child analyzer for decrypted application data (opened on the first such record). */
  private child: StreamAnalyzer | undefined;
  /** Set while decrypted handshake bytes are being parsed (their events carry decrypted: true). */
  private fromDecrypted = false;
  private certificateDecrypted = false;
  /**
   * Decrypted server application data that arrived before any from the client (a TLS 1.3
   * server's 0.5-RTT HTTP/2 SETTINGS): held back so the child sniffs the client's bytes
   * (the HTTP/2 preface) first; bounded by MAX_SERVER_FIRST_BYTES, then passed on as is.
   */
  private serverFirst: { data: Uint8Array; frame: number; ts: number }[] | undefined;
  private serverFirstBytes = 0;
  private clientAppData = false;
  /** Stream offsets of the decrypted bytes handed to the child, per direction. */
  private readonly childOffsets: [number, number] = [0, 0];

  constructor(private readonly ctx: AnalyzerContext) {}

  data(dir: Direction, chunk: StreamChunk): void {
    const st = this.dirs[dir];
    if (st.stopped) return;
    this.frame = chunk.frame;
    this.ts = chunk.ts;
    const d = chunk.data;
    let p = 0;
    while (p < d.length && !st.stopped) {
      if (!st.inRecord) {
        p = this.readHeader(dir, st, d, p);
        continue;
      }
      const n = Math.min(st.remaining, d.length - p);
      // Fast path: application data (most bytes of a capture) is skipped by length, without even a view.
      if (st.readsContent) this.recordBytes(dir, st, d.subarray(p, p + n));
      else if (st.gather) {
        st.fragment.set(d.subarray(p, p + n), st.fragmentFilled);
        st.fragmentFilled += n;
      }
      st.remaining -= n;
      p += n;
      if (st.remaining === 0 && !st.stopped) this.endRecord(dir, st);
    }
  }

  gap(dir: Direction, size: number, frame: number, ts: number): void {
    this.frame = frame;
    this.ts = ts;
    this.fail(dir, 'tls: gap in the stream', `${size} bytes missing from the stream: cannot resync TLS records`);
  }

  end(ts: number, frame: number): void {
    this.finishFlight();
    if (this.decryptor) {
      const s = this.decryptor.end();
      const c = decryptionCounters(this.ctx.secrets);
      c.noKeysRecords += s.noKeys;
      c.droppedRecords += s.dropped;
      if (this.decryptor.session.unsupported !== undefined) c.notDecrypted.add(this.decryptor.session.unsupported);
      else if (this.dirs[0].decryptFailed || this.dirs[1].decryptFailed) c.flowsFailed += 1;
      else if (this.decryptor.session.stats(0).decrypted + this.decryptor.session.stats(1).decrypted > 0) c.flowsDecrypted += 1;
      else c.flowsNoKeys += 1;
    }
    this.flushServerFirst();
    this.child?.end(ts, frame);
  }

  private base(): EventBase {
    const b: EventBase = { ts: this.ts, packet: this.frame, flowId: this.ctx.flow.id };
    if (this.fromDecrypted) b.decrypted = true;
    return b;
  }

  private emit(ev: GotapEvent): void {
    this.ctx.emit(ev);
  }

  /** Stops parsing a direction (once) and says why. */
  private fail(dir: Direction, anomaly: TlsAnomaly, reason: string): void {
    const st = this.dirs[dir];
    if (st.stopped) return;
    st.stopped = true;
    this.ctx.anomaly(anomaly);
    st.inRecord = false;
    st.handshake.release();
    st.sslv2Body = NO_BYTES;
    this.emit({ type: 'tls-error', ...this.base(), dir, reason });
  }

  private failParse(dir: Direction, m: Malformed<TlsAnomaly>): void {
    this.fail(dir, m.anomaly, m.reason);
  }

  private encrypt(st: DirectionState): void {
    st.encrypted = true;
    st.handshake.release();
  }

  private readHeader(dir: Direction, st: DirectionState, d: Uint8Array, p: number): number {
    // Only a client's very first record may use the SSLv2 format (high bit of its length set).
    if (st.headerLength === 0 && st.records === 0 && dir === 0 && (d[p]! & 0x80) !== 0) st.sslv2 = true;
    const want = st.sslv2 ? 2 : 5;
    const n = Math.min(want - st.headerLength, d.length - p);
    st.header.set(d.subarray(p, p + n), st.headerLength);
    st.headerLength += n;
    if (st.headerLength === want) {
      st.headerLength = 0;
      this.beginRecord(dir, st);
      if (st.inRecord && st.remaining === 0) this.endRecord(dir, st);
    }
    return p + n;
  }

  private beginRecord(dir: Direction, st: DirectionState): void {
    st.records += 1;
    const h = st.header;
    if (st.sslv2) {
      const length = ((h[0]! & 0x7f) << 8) | h[1]!;
      if (length < 9) return this.fail(dir, 'tls: SSLv2 record too short', 'SSLv2 record too short for a ClientHello');
      st.type = SSLV2_RECORD;
      st.remaining = length;
      st.sslv2Body = new Uint8Array(length);
      st.sslv2Filled = 0;
      st.inRecord = true;
      st.readsContent = true;
      return;
    }
    const type = h[0]!;
    const version = (h[1]! << 8) | h[2]!;
    const length = (h[3]! << 8) | h[4]!;
    if (type < CHANGE_CIPHER_SPEC || type > HEARTBEAT || h[1] !== 3 || h[2]! > 4) {
      return this.fail(dir, 'tls: not a TLS record', `not a TLS record (content type ${type}, version ${hex4(version)})`);
    }
    if (length > MAX_RECORD_LENGTH) return this.fail(dir, 'tls: record too long', `TLS record too long (${length} bytes)`);
    st.type = type;
    st.version = version;
    st.remaining = length;
    st.inRecord = true;
    st.encryptedAlert = type === ALERT && st.encrypted && !this.tls13;
    st.readsContent = (type === HANDSHAKE && !st.encrypted) || (type === ALERT && !st.encryptedAlert);
    if (type === APPLICATION_DATA) this.applicationDataRecord(dir, length);
    st.gather = this.decryptor !== undefined && !st.decryptStopped && st.encrypted && (!this.tls13 || type === APPLICATION_DATA);
    if (st.gather) {
      st.readsContent = false;
      st.fragment = new Uint8Array(length);
      st.fragmentFilled = 0;
    }
  }

  /** TLS 1.3: server records after ServerHello count towards the flight until the client's first protected record. */
  private applicationDataRecord(dir: Direction, length: number): void {
    const f = this.flight;
    if (!this.tls13 || f.done) return;
    if (dir === 1) {
      f.bytes += length;
      f.frame = this.frame;
      f.ts = this.ts;
    } else {
      this.finishFlight();
    }
  }

  private finishFlight(): void {
    const f = this.flight;
    if (f.done || !this.tls13) return;
    f.done = true;
    // A stopped server direction (gap, garbage) gave an incomplete count, and a stopped
    // client direction hides where the flight ended: report nothing rather than a guess.
    // Nor when the certificate was decrypted: it is visible then.
    if (f.bytes === 0 || this.dirs[0].stopped || this.dirs[1].stopped || this.certificateDecrypted) return;
    this.emit({ type: 'tls-encrypted-handshake', ts: f.ts, packet: f.frame, flowId: this.ctx.flow.id, approxBytes: f.bytes });
  }

  private recordBytes(dir: Direction, st: DirectionState, bytes: Uint8Array): void {
    switch (st.type) {
      case HANDSHAKE:
        if (!st.encrypted) this.handshakeBytes(dir, st, bytes);
        break;
      case ALERT:
        if (!st.encryptedAlert) this.alertBytes(dir, st, bytes);
        break;
      case SSLV2_RECORD:
        st.sslv2Body.set(bytes, st.sslv2Filled);
        st.sslv2Filled += bytes.length;
        break;
      // ChangeCipherSpec, application data and heartbeat content is never looked at:
      // skipping by length without a copy is the fast path for the bulk of a capture.
    }
  }

  private endRecord(dir: Direction, st: DirectionState): void {
    st.inRecord = false;
    if (st.gather) {
      st.gather = false;
      const fragment = st.fragment;
      st.fragment = NO_BYTES;
      this.decryptor!.record(dir, st.type, st.version, fragment, this.frame, this.ts);
      return;
    }
    switch (st.type) {
      case SSLV2_RECORD: {
        st.sslv2 = false;
        const parsed = parseSslv2ClientHello(st.sslv2Body);
        st.sslv2Body = NO_BYTES;
        if (parsed.ok) this.emitClientHello(parsed.value, 0x0002);
        else this.failParse(dir, parsed);
        break;
      }
      case CHANGE_CIPHER_SPEC:
        // TLS 1.3 sends ChangeCipherSpec only for middlebox compatibility (also around a
        // HelloRetryRequest); it switches keys only in TLS ≤ 1.2.
        if (!this.tls13 && !this.afterHelloRetryRequest) this.encrypt(st);
        break;
      case ALERT:
        if (st.encryptedAlert) this.emit({ type: 'tls-alert', ...this.base(), dir, encrypted: true });
        break;
      case APPLICATION_DATA:
        if (dir === 1 && this.tls13 && !this.flight.done) {
          this.flight.frame = this.frame;
          this.flight.ts = this.ts;
        }
        break;
    }
  }

  private alertBytes(dir: Direction, st: DirectionState, bytes: Uint8Array): void {
    for (const b of bytes) {
      if (st.alertLevel < 0) {
        st.alertLevel = b;
        continue;
      }
      const level = st.alertLevel;
      st.alertLevel = -1;
      this.emit({
        type: 'tls-alert',
        ...this.base(),
        dir,
        encrypted: false,
        level,
        description: b,
        levelName: alertLevelName(level),
        descriptionName: alertDescriptionName(b),
      });
    }
  }

  private handshakeBytes(dir: Direction, st: DirectionState, bytes: Uint8Array, decrypted = false): void {
    const q = st.handshake;
    if (q.length === 0) st.messageRecordVersion = st.version;
    if (!q.append(bytes)) return this.fail(dir, 'tls: handshake reassembly buffer full', 'handshake reassembly buffer full');
    while (!st.stopped && (decrypted || !st.encrypted) && q.length >= 4) {
      const v = q.view();
      const length = (v[1]! << 16) | (v[2]! << 8) | v[3]!;
      if (length > MAX_HANDSHAKE_MESSAGE) return this.fail(dir, 'tls: handshake message too long', `handshake message too long (${length} bytes)`);
      if (v.length < 4 + length) break;
      this.handshakeMessage(dir, st, v[0]!, v.subarray(4, 4 + length));
      q.consume(4 + length);
      st.messageRecordVersion = st.version;
    }
  }

  private handshakeMessage(dir: Direction, st: DirectionState, type: number, body: Uint8Array): void {
    if (this.fromDecrypted && this.tls13) return this.tls13Message(dir, type, body);
    if (dir === 0 && type === HS_CLIENT_HELLO) {
      const parsed = parseClientHello(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      this.emitClientHello(parsed.value, st.messageRecordVersion);
      if (this.maySupplySecrets()) {
        this.clientRandom = helloRandom(body);
        this.offeredEarlyData = parsed.value.extensions.includes(EXT_EARLY_DATA);
      }
    } else if (dir === 1 && type === HS_SERVER_HELLO) {
      const parsed = parseServerHello(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      this.serverHello(parsed.value, st.messageRecordVersion);
      if (!parsed.value.helloRetryRequest) this.startDecryption(parsed.value, body);
    } else if (type === HS_CERTIFICATE) {
      const parsed = parseCertificateList(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      this.emit({ type: 'tls-certificates', ...this.base(), dir, certs: parsed.value });
    } else if (dir === 1 && type === HS_CERTIFICATE_STATUS) {
      const parsed = parseCertificateStatus(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      this.emit({ type: 'tls-certificate-status', ...this.base(), ...parsed.value });
    }
  }

  /** A decrypted TLS 1.3 handshake message: the ones whose format differs from TLS 1.2's. */
  private tls13Message(dir: Direction, type: number, body: Uint8Array): void {
    if (type === HS_CERTIFICATE) {
      const parsed = parseTls13Certificate(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      if (dir === 1) this.certificateDecrypted = true;
      this.emit({ type: 'tls-certificates', ...this.base(), dir, certs: parsed.value.certs });
      if (dir === 1 && parsed.value.status) this.emit({ type: 'tls-certificate-status', ...this.base(), ...parsed.value.status });
    } else if (dir === 1 && type === HS_ENCRYPTED_EXTENSIONS) {
      const parsed = parseEncryptedExtensions(body);
      if (!parsed.ok) return this.failParse(dir, parsed);
      this.emit({ type: 'tls-encrypted-extensions', ...this.base(), extensions: parsed.value.extensions, alpn: parsed.value.alpn });
    }
  }

  /** The store has secrets or may still receive some (a key log was given, a DSB was seen). */
  private maySupplySecrets(): boolean {
    return this.ctx.secrets.maySupply?.() ?? true;
  }

  private startDecryption(sh: ServerHello, body: Uint8Array): void {
    const clientRandom = this.clientRandom;
    const serverRandom = helloRandom(body);
    if (clientRandom === undefined || serverRandom === undefined || this.decryptor) return;
    const dec = new FlowDecryptor({
      params: {
        version: sh.version,
        cipher: sh.cipher,
        clientRandom,
        serverRandom,
        encryptThenMac: sh.extensions.includes(EXT_ENCRYPT_THEN_MAC),
        clientOfferedEarlyData: this.offeredEarlyData,
      },
      secrets: this.ctx.secrets,
      budget: holdBudget(this.ctx.secrets),
      onResult: (dir, r, frame, ts) => this.decrypted(dir, r, frame, ts),
    });
    this.decryptor = dec;
    if (dec.session.unsupported !== undefined) {
      this.dirs[0].decryptStopped = this.dirs[1].decryptStopped = true;
      this.emit({ type: 'tls-error', ...this.base(), dir: 1, reason: 'not decrypted: ' + dec.session.unsupported });
    }
  }

  /** One record's decryption result, in stream order (possibly later, when its secrets arrive). */
  private decrypted(dir: Direction, r: FlowRecordResult, frame: number, ts: number): void {
    const st = this.dirs[dir];
    const c = decryptionCounters(this.ctx.secrets);
    if (!r.ok) {
      c.recordFailures.add(r.reason);
      if (r.reason === 'auth-failed' || r.reason === 'malformed-plaintext' || r.reason === 'bad-secret') st.decryptFailed = true;
      else if (r.reason === 'renegotiated') st.decryptStopped = true;
      return;
    }
    c.decryptedRecords += 1;
    const [savedFrame, savedTs] = [this.frame, this.ts];
    this.frame = frame;
    this.ts = ts;
    this.fromDecrypted = true;
    try {
      if (r.contentType === HANDSHAKE) {
        if (!st.stopped) this.handshakeBytes(dir, st, r.plaintext, true);
      } else if (r.contentType === ALERT) {
        if (!st.stopped) this.alertBytes(dir, st, r.plaintext);
      } else if (r.contentType === APPLICATION_DATA && r.plaintext.length > 0) {
        if (dir === 1 && !this.clientAppData && this.serverFirstBytes + r.plaintext.length <= MAX_SERVER_FIRST_BYTES) {
          (this.serverFirst ??= []).push({ data: r.plaintext, frame, ts });
          this.serverFirstBytes += r.plaintext.length;
          return;
        }
        this.toChild(dir, r.plaintext, frame, ts);
        if (dir === 0) this.clientAppData = true;
        this.flushServerFirst();
      }
    } finally {
      this.fromDecrypted = false;
      this.frame = savedFrame;
      this.ts = savedTs;
    }
  }

  private toChild(dir: Direction, data: Uint8Array, frame: number, ts: number): void {
    this.child ??= this.ctx.openChild('tls', { decrypted: true });
    this.child.data(dir, { data, frame, ts, offset: this.childOffsets[dir] });
    this.childOffsets[dir] += data.length;
  }

  private flushServerFirst(): void {
    const held = this.serverFirst;
    if (held === undefined) return;
    this.serverFirst = undefined;
    this.serverFirstBytes = 0;
    for (const h of held) this.toChild(1, h.data, h.frame, h.ts);
  }

  private serverHello(h: ServerHello, recordVersion: number): void {
    this.afterHelloRetryRequest = h.helloRetryRequest;
    const fp = ja3s(h);
    this.emit({
      type: 'tls-server-hello',
      ...this.base(),
      helloRetryRequest: h.helloRetryRequest,
      recordVersion,
      legacyVersion: h.legacyVersion,
      version: h.version,
      cipher: h.cipher,
      extensions: h.extensions,
      alpn: h.alpn,
      ja3s: fp.text,
      ja3sHash: fp.hash,
    });
    if (!h.helloRetryRequest && h.version === TLS13) {
      this.tls13 = true;
      this.encrypt(this.dirs[0]);
      this.encrypt(this.dirs[1]);
    }
  }

  private emitClientHello(h: ClientHello, recordVersion: number): void {
    const j3 = ja3(h);
    const j4 = ja4(h);
    this.emit({
      type: 'tls-client-hello',
      ...this.base(),
      recordVersion,
      legacyVersion: h.legacyVersion,
      sslv2: h.sslv2,
      sni: h.sni,
      alpn: h.alpn,
      supportedVersions: h.supportedVersions,
      ciphers: h.ciphers,
      extensions: h.extensions,
      groups: h.groups,
      ecPointFormats: h.ecPointFormats,
      signatureAlgorithms: h.signatureAlgorithms,
      keyShareGroups: h.keyShareGroups,
      ech: h.ech,
      esni: h.esni,
      grease: h.grease,
      sessionIdLength: h.sessionIdLength,
      ja3: j3.text,
      ja3Hash: j3.hash,
      ja4: j4.ja4,
      ja4r: j4.raw,
    });
  }
}

/** A TLS analyzer for one TCP flow (or the bytes of an HTTP CONNECT tunnel: chunk offsets are not relied on). */
export function createTlsAnalyzer(ctx: AnalyzerContext): StreamAnalyzer {
  return new TlsAnalyzer(ctx);
}
