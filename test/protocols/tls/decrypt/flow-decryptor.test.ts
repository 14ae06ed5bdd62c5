/**
 * FlowDecryptor with a stand-in secrets store: secrets that arrive late (a pcapng DSB
 * after the ServerHello, a growing key log) release the held records in stream order,
 * partial secrets release only what they cover, and a hold cap drops records visibly.
 */
import { describe, expect, it } from 'vitest';
import { FlowDecryptor, HoldBudget, type FlowRecordResult } from '../../../../src/protocols/tls/decrypt/index.js';
import { FakeStore } from './connection.js';
import { C_AP, C_APP_RECORD, C_FINISHED_RECORD, C_HS, CLIENT_RANDOM, S_AP, S_APP_RECORD, S_HS, S_HS_RECORD, S_NST_RECORD, SERVER_RANDOM } from './rfc8448-trace.js';

/** [dir, record, frame] in stream order: server flight, client Finished, server ticket, app data both ways. */
const TRACE: [0 | 1, Buffer, number][] = [
  [1, S_HS_RECORD, 3],
  [0, C_FINISHED_RECORD, 4],
  [1, S_NST_RECORD, 5],
  [0, C_APP_RECORD, 6],
  [1, S_APP_RECORD, 7],
];

function setup(store: FakeStore | undefined, budget = new HoldBudget(), maxFlowHoldBytes?: number) {
  const results: [number, number, FlowRecordResult][] = [];
  const d = new FlowDecryptor({
    params: { version: 0x0304, cipher: 0x1301, clientRandom: CLIENT_RANDOM, serverRandom: SERVER_RANDOM, encryptThenMac: false },
    secrets: store,
    budget,
    maxFlowHoldBytes,
    onResult: (dir, r, frame) => results.push([dir, frame, r]),
  });
  const feed = () => {
    for (const [dir, rec, frame] of TRACE) d.record(dir, rec[0]!, rec.readUInt16BE(1), rec.subarray(5), frame, frame / 10);
  };
  return { d, results, feed };
}

/** [dir, frame, content type] of the whole trace decrypted. */
const ALL_DECRYPTED = [
  [1, 3, 22],
  [0, 4, 22],
  [1, 5, 22],
  [0, 6, 23],
  [1, 7, 23],
];

const summary = (results: [number, number, FlowRecordResult][]) => results.map(([dir, frame, r]) => [dir, frame, r.ok ? r.contentType : r.reason]);

describe('FlowDecryptor', () => {
  it('decrypts at once when the secrets are known', () => {
    const store = new FakeStore();
    store.known = { clientHandshakeTrafficSecret: C_HS, serverHandshakeTrafficSecret: S_HS, clientTrafficSecret0: C_AP, serverTrafficSecret0: S_AP };
    const { d, results, feed } = setup(store);
    feed();
    expect(summary(results)).toEqual(ALL_DECRYPTED);
    expect(store.listeners).toHaveLength(0);
    expect(d.end()).toEqual({ noKeys: 0, dropped: 0 });
  });

  it('holds everything behind the first record without keys and releases it in order as secrets arrive', () => {
    const store = new FakeStore();
    const budget = new HoldBudget();
    const { d, results, feed } = setup(store, budget);
    feed();
    expect(results).toEqual([]);
    expect(budget.used).toBeGreaterThan(0);
    // Handshake secrets only: the handshake records go, the server's ticket (application keys) waits, and so does everything after it.
    store.arrive({ clientHandshakeTrafficSecret: C_HS, serverHandshakeTrafficSecret: S_HS });
    expect(summary(results)).toEqual([
      [1, 3, 22],
      [0, 4, 22],
    ]);
    store.arrive({ clientTrafficSecret0: C_AP, serverTrafficSecret0: S_AP });
    expect(summary(results)).toEqual(ALL_DECRYPTED);
    expect(budget.used).toBe(0);
    expect(d.end()).toEqual({ noKeys: 0, dropped: 0 });
    expect(store.cancelled).toBe(1);
  });

  it('picks up secrets that reached the store after the ServerHello but before any record', () => {
    const store = new FakeStore();
    const { d, results, feed } = setup(store);
    store.arrive({ clientHandshakeTrafficSecret: C_HS, serverHandshakeTrafficSecret: S_HS, clientTrafficSecret0: C_AP, serverTrafficSecret0: S_AP });
    feed();
    expect(results.every(([, , r]) => r.ok)).toBe(true);
    expect(results).toHaveLength(5);
    expect(d.end()).toEqual({ noKeys: 0, dropped: 0 });
  });

  it('reports what never got keys when the flow ends, and ignores secrets arriving after', () => {
    const store = new FakeStore();
    const { d, results, feed } = setup(store);
    feed();
    expect(d.end()).toEqual({ noKeys: 5, dropped: 0 });
    store.arrive({ serverHandshakeTrafficSecret: S_HS });
    expect(results).toEqual([]);
  });

  it('without a store, holds nothing and answers no-keys at once', () => {
    const budget = new HoldBudget();
    const { d, results, feed } = setup(undefined, budget);
    feed();
    expect(results.map(([, , r]) => r)).toEqual(Array(5).fill({ ok: false, reason: 'no-keys' }));
    expect(budget.used).toBe(0);
    expect(d.end()).toEqual({ noKeys: 0, dropped: 0 });
  });

  it('answers dropped for the held and later records once the flow cap is hit', () => {
    const store = new FakeStore();
    const budget = new HoldBudget();
    const { d, results, feed } = setup(store, budget, 800);
    feed();
    // S_HS_RECORD (674) fits; adding the client Finished (53) fits; the ticket (222) does not.
    expect(summary(results)).toEqual([
      [1, 3, 'dropped'],
      [0, 4, 'dropped'],
      [1, 5, 'dropped'],
      [0, 6, 'dropped'],
      [1, 7, 'dropped'],
    ]);
    expect(d.end()).toEqual({ noKeys: 0, dropped: 5 });
    expect(budget).toMatchObject({ used: 0, droppedRecords: 5, overflowedFlows: 1 });
  });
});
