/**
 * The bounded key-log store (the SecretsLookup contract of types.ts): TLS secrets from
 * key-log files and from pcapng Decryption Secrets Blocks, keyed by the client random.
 *
 * - Lookup is once per handshake, never per packet: the 32-byte random becomes a
 *   16-character binary string (two bytes per UTF-16 unit), not hex, and V8's seeded
 *   string hash keeps a hostile set of randoms from degrading the map.
 * - Entries are capped (oldest dropped first, counted); a connection's secrets object is
 *   replaced, never mutated, when a secret arrives, so what `get` returned stays valid.
 * - Subscribers are capped globally (oldest dropped, counted). A batch of lines (one key
 *   log read, one DSB) wakes each subscriber whose connection gained a secret exactly
 *   once, after the whole batch, so a TLS 1.3 connection whose four secrets arrive in one
 *   DSB is woken with all four.
 */
import { LruMap } from '../util/lru-map.js';
import type { SecretsListener, SecretsLookup, TlsSecrets } from './types.js';
import { LineSplitter, parseKeyLogLine, SECRET_LABELS, type KeyLogSecret } from './keylog.js';

/** pcapng Decryption Secrets Block type for a TLS key log ("TLSK"). */
export const DSB_TLS_KEY_LOG = 0x544c534b;

export interface SecretsLimits {
  /** Connections whose secrets are kept. */
  maxEntries: number;
  /** Waiting subscriptions, all connections together. */
  maxSubscribers: number;
}

const DEFAULT_LIMITS: SecretsLimits = { maxEntries: 65536, maxSubscribers: 16384 };

export interface SecretsCounters {
  /** Key-log lines that carried a secret gotap uses (files and DSBs). */
  keyLogLines: number;
  /** Lines with a valid label gotap has no use for (EXPORTER_SECRET, CLIENT_EARLY_TRAFFIC_SECRET …). */
  ignoredLines: number;
  malformedLines: number;
  /** TLS key-log DSBs seen, and DSBs of other secrets types (SSH, WireGuard …), which are not used. */
  dsbs: number;
  otherDsbs: number;
  /** Connections dropped at the entry cap; subscriptions dropped at the subscriber cap. */
  entriesDropped: number;
  subscribersDropped: number;
}

interface Subscription {
  key: string;
  listener: SecretsListener;
}

/** The map key of a client random (32 bytes → 16 UTF-16 units); other lengths get their own keys, never a match. */
export function randomKey(random: Uint8Array): string {
  let key = random.length === 32 ? '' : `${random.length}:`;
  for (let i = 0; i + 1 < random.length; i += 2) key += String.fromCharCode((random[i]! << 8) | random[i + 1]!);
  if (random.length % 2 === 1) key += String.fromCharCode(random[random.length - 1]!);
  return key;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SecretsStore implements SecretsLookup {
  readonly counters: SecretsCounters = { keyLogLines: 0, ignoredLines: 0, malformedLines: 0, dsbs: 0, otherDsbs: 0, entriesDropped: 0, subscribersDropped: 0 };
  private readonly limits: SecretsLimits;
  private readonly entries: LruMap<string, Readonly<TlsSecrets>>;
  private readonly waiting = new Map<string, Set<Subscription>>();
  /** Every live subscription, oldest first (for the global cap). */
  private readonly order = new Set<Subscription>();

  constructor(limits: Partial<SecretsLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.entries = new LruMap(this.limits.maxEntries);
  }

  /** Set by the caller when secrets may arrive later (a key log still being appended to). */
  expectSecrets = false;

  maySupply(): boolean {
    return this.expectSecrets || this.entries.size > 0 || this.counters.dsbs > 0;
  }

    get(clientRandom: Uint8Array): TlsSecrets | undefined {
    return this.entries.peek(randomKey(clientRandom));
  }

  subscribe(clientRandom: Uint8Array, listener: SecretsListener): () => void {
    const sub: Subscription = { key: randomKey(clientRandom), listener };
    let set = this.waiting.get(sub.key);
    if (!set) this.waiting.set(sub.key, (set = new Set()));
    set.add(sub);
    this.order.add(sub);
    if (this.order.size > this.limits.maxSubscribers) {
      const oldest = this.order.values().next().value!;
      this.cancel(oldest);
      this.counters.subscribersDropped++;
    }
    return () => this.cancel(sub);
  }

  /** Adds the lines of a key log (a whole text or one chunk of bytes; `end` flushes the last line). */
  keyLog(): { push(bytes: Uint8Array): void; end(): void } {
    const touched = new Set<string>();
    const splitter = new LineSplitter((line) => this.line(line, touched));
    return {
      push: (bytes) => {
        splitter.push(bytes);
        this.wake(touched);
      },
      end: () => {
        splitter.end();
        this.wake(touched);
      },
    };
  }

  /** A pcapng Decryption Secrets Block, at its position in the capture. */
  decryptionSecretsBlock(secretsType: number, data: Uint8Array): void {
    if (secretsType !== DSB_TLS_KEY_LOG) {
      this.counters.otherDsbs++;
      return;
    }
    this.counters.dsbs++;
    const log = this.keyLog();
    log.push(data);
    log.end();
  }

  private line(text: string | undefined, touched: Set<string>): void {
    const parsed = text === undefined ? ({ kind: 'malformed' } as const) : parseKeyLogLine(text);
    switch (parsed.kind) {
      case 'secret':
        this.counters.keyLogLines++;
        if (this.add(parsed.value)) touched.add(randomKey(parsed.value.clientRandom));
        break;
      case 'ignored':
        this.counters.ignoredLines++;
        break;
      case 'malformed':
        this.counters.malformedLines++;
        break;
    }
  }

  /** Stores one secret; true when it is new or changed. */
  private add(s: KeyLogSecret): boolean {
    const key = randomKey(s.clientRandom);
    const field = SECRET_LABELS[s.label];
    const old = this.entries.peek(key);
    if (sameBytes(old?.[field], s.secret)) return false;
    const evicted = this.entries.evicted;
    this.entries.set(key, Object.freeze({ ...old, [field]: s.secret }));
    this.counters.entriesDropped += this.entries.evicted - evicted;
    return true;
  }

  private wake(touched: Set<string>): void {
    for (const key of touched) {
      const set = this.waiting.get(key);
      const secrets = this.entries.peek(key);
      if (!set || !secrets) continue;
      for (const sub of [...set]) if (set.has(sub)) sub.listener(secrets);
    }
    touched.clear();
  }

  private cancel(sub: Subscription): void {
    if (!this.order.delete(sub)) return;
    const set = this.waiting.get(sub.key);
    set?.delete(sub);
    if (set?.size === 0) this.waiting.delete(sub.key);
  }
}
