/**
 * Per-analysis decryption state shared by every TLS flow of one analysis: the global hold
 * budget (one per analysis, as held-records.ts requires) and the counters the capture
 * summary reports. Both hang off the secrets store, the one object an analysis hands all
 * its analyzers, so no module-level state outlives an analysis.
 */
import { Counter } from '../../util/counter.js';
import type { SecretsLookup } from '../../secrets/types.js';
import { HoldBudget } from './decrypt/index.js';

export interface DecryptionCounters {
  /** TLS flows with at least one decrypted record and no failed record. */
  flowsDecrypted: number;
  /** TLS flows handed to a decryptor that decrypted nothing and failed nothing: no secrets for them. */
  flowsNoKeys: number;
  /** TLS flows where some record did not authenticate (wrong key, corrupted capture). */
  flowsFailed: number;
  /** Flows not decrypted, by reason ("unsupported suite …"). */
  notDecrypted: Counter;
  decryptedRecords: number;
  /** Records still waiting for secrets when their flow ended. */
  noKeysRecords: number;
  /** Records dropped because a hold cap was hit. */
  droppedRecords: number;
  /** Records not decrypted, by reason (auth-failed, early-data-skipped, dropped …). */
  recordFailures: Counter;
}

const budgets = new WeakMap<SecretsLookup, HoldBudget>();
const counters = new WeakMap<SecretsLookup, DecryptionCounters>();

export function holdBudget(store: SecretsLookup): HoldBudget {
  let b = budgets.get(store);
  if (!b) budgets.set(store, (b = new HoldBudget()));
  return b;
}

export function decryptionCounters(store: SecretsLookup): DecryptionCounters {
  let c = counters.get(store);
  if (!c) {
    c = { flowsDecrypted: 0, flowsNoKeys: 0, flowsFailed: 0, notDecrypted: new Counter(), decryptedRecords: 0, noKeysRecords: 0, droppedRecords: 0, recordFailures: new Counter() };
    counters.set(store, c);
  }
  return c;
}
