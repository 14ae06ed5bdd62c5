/** The key-log store: lookups by client random, bounds, batching, late subscription, DSBs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DSB_TLS_KEY_LOG, KeyLogError, loadKeyLogFile, randomKey, SecretsStore, type TlsSecrets } from '../../src/secrets/index.js';

const random = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 0xff);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const text = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const line = (label: string, r: Uint8Array, byte: number, len = 32): string => `${label} ${hex(r)} ${byte.toString(16).padStart(2, '0').repeat(len)}\n`;

function load(store: SecretsStore, s: string): void {
  const log = store.keyLog();
  log.push(text(s));
  log.end();
}

describe('SecretsStore', () => {
  it('finds secrets by the client random bytes and merges the labels of one connection', () => {
    const store = new SecretsStore();
    load(store, `${line('CLIENT_HANDSHAKE_TRAFFIC_SECRET', random(1), 1)}${line('SERVER_TRAFFIC_SECRET_0', random(1), 2, 48)}# note\n${line('CLIENT_RANDOM', random(2), 3, 48)}`);
    const one = store.get(Uint8Array.from(random(1)));
    expect(one && Object.keys(one).sort()).toEqual(['clientHandshakeTrafficSecret', 'serverTrafficSecret0']);
    expect(one!.serverTrafficSecret0).toEqual(new Uint8Array(48).fill(2));
    expect(store.get(random(2))?.masterSecret).toEqual(new Uint8Array(48).fill(3));
    expect(store.get(random(3))).toBeUndefined();
    expect(store.counters).toMatchObject({ keyLogLines: 3, malformedLines: 0 });
  });

  it('never mutates a secrets object it handed out', () => {
    const store = new SecretsStore();
    load(store, line('CLIENT_HANDSHAKE_TRAFFIC_SECRET', random(1), 1));
    const before = store.get(random(1))!;
    load(store, line('SERVER_HANDSHAKE_TRAFFIC_SECRET', random(1), 2));
    expect(Object.keys(before)).toEqual(['clientHandshakeTrafficSecret']);
    expect(Object.isFrozen(before)).toBe(true);
  });

  it('counts malformed lines and ignored labels, never fails', () => {
    const store = new SecretsStore();
    load(store, `garbage\n${line('EXPORTER_SECRET', random(1), 1)}CLIENT_RANDOM zz zz\r\n\n`);
    expect(store.counters).toMatchObject({ keyLogLines: 0, ignoredLines: 1, malformedLines: 2 });
  });

  it('wakes a subscriber once per batch that brings it something new, never for repeats, never after cancel', () => {
    const store = new SecretsStore();
    const calls: TlsSecrets[] = [];
    const cancel = store.subscribe(random(1), (s) => calls.push(s));
    load(store, line('CLIENT_RANDOM', random(2), 1, 48));
    expect(calls).toHaveLength(0);
    // One DSB with four TLS 1.3 secrets: one wake-up, with all four.
    store.decryptionSecretsBlock(
      DSB_TLS_KEY_LOG,
      text(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0'].map((l, i) => line(l, random(1), i + 1)).join('')),
    );
    expect(calls).toHaveLength(1);
    expect(Object.keys(calls[0]!)).toHaveLength(4);
    load(store, line('CLIENT_TRAFFIC_SECRET_0', random(1), 3));
    expect(calls).toHaveLength(1);
    cancel();
    load(store, line('CLIENT_RANDOM', random(1), 9, 48));
    expect(calls).toHaveLength(1);
    expect(store.counters.dsbs).toBe(1);
  });

  it('bounds entries and subscribers, dropping the oldest and counting', () => {
    const store = new SecretsStore({ maxEntries: 3, maxSubscribers: 2 });
    load(store, [1, 2, 3, 4, 5].map((n) => line('CLIENT_RANDOM', random(n), n, 48)).join(''));
    expect(store.counters.entriesDropped).toBe(2);
    expect(store.get(random(1))).toBeUndefined();
    expect(store.get(random(5))).toBeDefined();
    const woken: number[] = [];
    for (const n of [10, 11, 12]) store.subscribe(random(n), () => woken.push(n));
    expect(store.counters.subscribersDropped).toBe(1);
    load(store, [10, 11, 12].map((n) => line('CLIENT_RANDOM', random(n), n, 48)).join(''));
    expect(woken).toEqual([11, 12]);
  });

  it('counts DSBs of other secrets types without reading them', () => {
    const store = new SecretsStore();
    store.decryptionSecretsBlock(0x57474b4c, text(line('CLIENT_RANDOM', random(1), 1, 48)));
    expect(store.get(random(1))).toBeUndefined();
    expect(store.counters).toMatchObject({ dsbs: 0, otherDsbs: 1, keyLogLines: 0 });
  });

  it('keys are the random bytes themselves: distinct randoms never collide, lengths never mix', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 2000; i++) keys.add(randomKey(random(i)));
    expect(keys.size).toBe(256);
    expect(randomKey(new Uint8Array(32))).not.toBe(randomKey(new Uint8Array(31)));
    expect(randomKey(random(1))).toHaveLength(16);
  });

  it('loads key-log files, and names a missing one in a one-line error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gotap-keylog-'));
    const file = path.join(dir, 'keys.log');
    writeFileSync(file, `# header\r\n${line('CLIENT_RANDOM', random(4), 4, 48).replace('\n', '\r\n')}`);
    const store = new SecretsStore();
    await loadKeyLogFile(store, file);
    expect(store.get(random(4))?.masterSecret).toEqual(new Uint8Array(48).fill(4));
    const missing = path.join(dir, 'nope.log');
    await expect(loadKeyLogFile(store, missing)).rejects.toThrow(KeyLogError);
    await expect(loadKeyLogFile(store, missing)).rejects.toThrow(new RegExp(`^${missing.replace(/[.]/g, '\\.')}: no such file — `));
    await expect(loadKeyLogFile(store, dir)).rejects.toThrow(/is a directory/);
  });
});
