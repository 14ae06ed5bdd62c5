/**
 * Test-only plumbing for decrypting real captures: reassembled TCP streams through
 * gotap's own reader/decoder/flow table, a minimal NSS key-log reader, and a record
 * walker that drives a decryption session the way the TLS analyzer is meant to (hello
 * randoms and parameters from the clear hellos, every protected record of each
 * direction in order).
 */
import { readFileSync } from 'node:fs';
import { readCapture } from '../../../../src/capture/source.js';
import { Decoder } from '../../../../src/decode/decoder.js';
import { FlowTable } from '../../../../src/flow/flow-table.js';
import type { Direction } from '../../../../src/flow/types.js';
import { parseServerHello } from '../../../../src/protocols/tls/server-hello.js';
import {
  createTlsDecryptSession,
  EXT_ENCRYPT_THEN_MAC,
  helloRandom,
  type DecryptResult,
  type TlsDecryptParams,
  type TlsDecryptSession,
} from '../../../../src/protocols/tls/decrypt/index.js';
import type { SecretsListener, SecretsLookup, TlsSecrets } from '../../../../src/secrets/types.js';

export interface TcpStreams {
  serverPort: number;
  /** [client → server, server → client] */
  data: [Buffer, Buffer];
}

export async function readTcpStreams(path: string): Promise<TcpStreams[]> {
  const decoder = new Decoder();
  const table = new FlowTable();
  const out: TcpStreams[] = [];
  table.addObserver({
    flowStarted(flow) {
      if (flow.protocol !== 'tcp') return undefined;
      const parts: [Buffer[], Buffer[]] = [[], []];
      return {
        data: (dir, chunk) => void parts[dir].push(Buffer.from(chunk.data)),
        end: () => void out.push({ serverPort: flow.server.port, data: [Buffer.concat(parts[0]), Buffer.concat(parts[1])] }),
      };
    },
  });
  await readCapture(path, {
    packet(rec) {
      const p = decoder.decode(rec);
      if (p) table.packet(p);
    },
  });
  decoder.finish();
  table.finish();
  return out;
}

const LABELS: Record<string, keyof TlsSecrets> = {
  CLIENT_RANDOM: 'masterSecret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshakeTrafficSecret',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshakeTrafficSecret',
  CLIENT_TRAFFIC_SECRET_0: 'clientTrafficSecret0',
  SERVER_TRAFFIC_SECRET_0: 'serverTrafficSecret0',
};

/** NSS key log → secrets by client random (hex). */
export function readKeyLog(path: string): Map<string, TlsSecrets> {
  const map = new Map<string, TlsSecrets>();
  for (const line of readFileSync(path, 'latin1').split(/\r?\n/)) {
    const [label, random, secret] = line.trim().split(/\s+/);
    const field = label === undefined ? undefined : LABELS[label];
    if (field === undefined || random === undefined || secret === undefined) continue;
    const key = random.toLowerCase();
    const s = map.get(key) ?? {};
    s[field] = Buffer.from(secret, 'hex');
    map.set(key, s);
  }
  return map;
}

export interface TlsRecord {
  type: number;
  version: number;
  fragment: Buffer;
}

/** The records of one direction's stream (a truncated last record is left out). */
export function walkRecords(stream: Buffer): TlsRecord[] {
  const records: TlsRecord[] = [];
  for (let p = 0; p + 5 <= stream.length; ) {
    const length = stream.readUInt16BE(p + 3);
    if (p + 5 + length > stream.length) break;
    records.push({ type: stream[p]!, version: stream.readUInt16BE(p + 1), fragment: stream.subarray(p + 5, p + 5 + length) });
    p += 5 + length;
  }
  return records;
}

/** Handshake messages (type, body) of a sequence of handshake plaintexts. */
export function handshakeMessages(plaintexts: Buffer[]): { type: number; body: Buffer }[] {
  const all = Buffer.concat(plaintexts);
  const out: { type: number; body: Buffer }[] = [];
  for (let p = 0; p + 4 <= all.length; ) {
    const length = all.readUIntBE(p + 1, 3);
    if (p + 4 + length > all.length) break;
    out.push({ type: all[p]!, body: all.subarray(p + 4, p + 4 + length) });
    p += 4 + length;
  }
  return out;
}

export interface DecryptedConnection {
  /** What the analyzer would pass to createTlsDecryptSession / FlowDecryptor (without secrets). */
  params: Omit<TlsDecryptParams, 'secrets'>;
  /** This connection's secrets from the key log. */
  secrets: TlsSecrets;
  /** Per direction, the records the analyzer hands to the session, in order. */
  protectedRecords: [TlsRecord[], TlsRecord[]];
  session: TlsDecryptSession;
  version: number;
  cipher: number;
  serverHellos: number;
  /** Per direction: every decrypt() answer in order. */
  results: [DecryptResult[], DecryptResult[]];
  /** Per direction: decrypted application data, concatenated. */
  appData: [Buffer, Buffer];
  /** Per direction: decrypted handshake plaintext records. */
  handshake: [Buffer[], Buffer[]];
}

const HANDSHAKE = 22;
const CCS = 20;
const APP = 23;
const TLS13 = 0x0304;

/**
 * Decrypts one TLS connection as the analyzer would: clear hellos give the parameters;
 * TLS 1.3 protects every application_data record after the (final) ServerHello, TLS ≤ 1.2
 * every record after that direction's ChangeCipherSpec.
 */
export function decryptConnection(streams: TcpStreams, keys: Map<string, TlsSecrets>, mutate?: (s: TlsSecrets) => TlsSecrets): DecryptedConnection | undefined {
  const recs = [walkRecords(streams.data[0]), walkRecords(streams.data[1])] as const;
  const clear = (dir: Direction) => handshakeMessages(recs[dir].filter((r) => r.type === HANDSHAKE).map((r) => r.fragment));
  const clientHello = clear(0)[0];
  if (clientHello?.type !== 1) return undefined;
  // Server hellos are the clear handshake messages until the first protected record.
  const serverHellos = clear(1)
    .filter((m) => m.type === 2)
    .map((m) => ({ body: m.body, hello: parseServerHello(m.body) }));
  const final = serverHellos.at(-1);
  if (final === undefined || !final.hello.ok) return undefined;
  const clientRandom = helloRandom(clientHello.body)!;
  const secrets = keys.get(Buffer.from(clientRandom).toString('hex')) ?? {};
  const h = final.hello.value;
  const params = {
    version: h.version,
    cipher: h.cipher,
    clientRandom,
    serverRandom: helloRandom(final.body)!,
    encryptThenMac: h.extensions.includes(EXT_ENCRYPT_THEN_MAC),
  };
  const session = createTlsDecryptSession({ ...params, secrets: mutate ? mutate(secrets) : secrets });
  const isProtected = (dir: Direction) => {
    let afterCcs = false;
    return recs[dir].filter((r) => {
      if (h.version === TLS13) return r.type === APP;
      const was = afterCcs;
      if (r.type === CCS) afterCcs = true;
      return was;
    });
  };
  const conn: DecryptedConnection = {
    params,
    secrets,
    protectedRecords: [isProtected(0), isProtected(1)],
    session,
    version: h.version,
    cipher: h.cipher,
    serverHellos: serverHellos.length,
    results: [[], []],
    appData: [Buffer.alloc(0), Buffer.alloc(0)],
    handshake: [[], []],
  };
  for (const dir of [0, 1] as const) {
    const app: Buffer[] = [];
    for (const r of conn.protectedRecords[dir]) {
      const res = session.decrypt(dir, r.type, r.version, r.fragment);
      conn.results[dir].push(res);
      if (res.ok && res.contentType === APP) app.push(Buffer.from(res.plaintext));
      if (res.ok && res.contentType === HANDSHAKE) conn.handshake[dir].push(Buffer.from(res.plaintext));
    }
    conn.appData[dir] = Buffer.concat(app);
  }
  return conn;
}

/** A secrets store stand-in whose secrets arrive when the test says so. */
export class FakeStore implements SecretsLookup {
  known: TlsSecrets | undefined;
  listeners: SecretsListener[] = [];
  cancelled = 0;
  get(): TlsSecrets | undefined {
    return this.known;
  }
  subscribe(_random: Uint8Array, l: SecretsListener): () => void {
    this.listeners.push(l);
    return () => {
      this.cancelled += 1;
    };
  }
  /** Delivers secrets to every subscriber (as a DSB or a key-log line arriving would). */
  arrive(s: TlsSecrets): void {
    this.known = { ...this.known, ...s };
    for (const l of this.listeners) l(s);
  }
}

