/**
 * The one object the TLS analyzer keeps per decryptable flow: a decryption session, the
 * secrets store lookup, and the bounded hold buffer, composed so the analyzer only hands
 * over protected records and receives results in stream order.
 *
 * A record whose secrets are not known yet is held (copied). From then on every later
 * record of the flow is held behind it, so results keep the stream order of each
 * direction (and the order between directions). The store is subscribed to on the first
 * such record; when secrets arrive the held records are replayed through the session
 * until one again lacks keys. A hold cap dropping records ends decryption for the flow:
 * the held records and every later one are answered 'dropped' (sequence numbers cannot
 * be recovered past a missing record).
 */
import type { SecretsLookup } from '../../../secrets/types.js';
import { HeldRecords, type HoldBudget } from './held-records.js';
import { createTlsDecryptSession, type DecryptDirection, type DecryptResult, type TlsDecryptParams, type TlsDecryptSession } from './session.js';

export type FlowRecordResult = DecryptResult | { ok: false; reason: 'dropped' };
const DROPPED: FlowRecordResult = { ok: false, reason: 'dropped' };

/** Called once per record handed to record(), in stream order, possibly later (after secrets arrive). */
export type RecordResultSink = (dir: DecryptDirection, result: FlowRecordResult, frame: number, ts: number) => void;

export interface FlowDecryptorOptions {
  params: Omit<TlsDecryptParams, 'secrets'>;
  /** The secrets store; undefined when no key material was given at all (nothing is held then). */
  secrets: SecretsLookup | undefined;
  /** Shared by all flows: the global hold cap and its drop counters. */
  budget: HoldBudget;
  /** Per-flow hold cap (bytes); defaults to DEFAULT_FLOW_HOLD_BYTES. */
  maxFlowHoldBytes?: number;
  onResult: RecordResultSink;
}

export interface FlowDecryptorSummary {
  /** Records still waiting for secrets when the flow ended. */
  noKeys: number;
  /** Records dropped because a hold cap was hit. */
  dropped: number;
}

export class FlowDecryptor {
  readonly session: TlsDecryptSession;
  private readonly held: HeldRecords;
  private unsubscribe: (() => void) | undefined;
  private dropped = 0;
  private draining = false;
  private ended = false;

  constructor(private readonly o: FlowDecryptorOptions) {
    this.session = createTlsDecryptSession({ ...o.params, secrets: o.secrets?.get(o.params.clientRandom) });
    this.held = new HeldRecords(o.budget, o.maxFlowHoldBytes);
  }

  /** One protected record (see TlsDecryptSession.decrypt for which records are protected). */
  record(dir: DecryptDirection, contentType: number, recordVersion: number, fragment: Uint8Array, frame: number, ts: number): void {
    if (this.ended) return;
    if (this.held.length > 0 || this.held.overflowed) return this.hold(dir, contentType, recordVersion, fragment, frame, ts);
    let r = this.session.decrypt(dir, contentType, recordVersion, fragment);
    const store = this.o.secrets;
    if (!r.ok && r.reason === 'no-keys' && store !== undefined && this.unsubscribe === undefined) {
      // Secrets may have reached the store since the session was made (before anything subscribed).
      const now = store.get(this.o.params.clientRandom);
      if (now !== undefined) {
        this.session.addSecrets(now);
        r = this.session.decrypt(dir, contentType, recordVersion, fragment);
      }
    }
    // Without a store nothing can arrive later: answer now instead of copying the record.
    if (r.ok || r.reason !== 'no-keys' || store === undefined) return this.o.onResult(dir, r, frame, ts);
    this.hold(dir, contentType, recordVersion, fragment, frame, ts);
  }

  /** The flow ended: stops listening for secrets and frees what is held. */
  end(): FlowDecryptorSummary {
    this.ended = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const noKeys = this.held.length;
    this.held.release();
    return { noKeys, dropped: this.dropped };
  }

  private hold(dir: DecryptDirection, contentType: number, recordVersion: number, fragment: Uint8Array, frame: number, ts: number): void {
    const outcome = this.held.hold(dir, contentType, recordVersion, fragment, frame, ts);
    if (!outcome.kept) {
      for (const h of outcome.dropped) this.reportDropped(h.dir, h.frame, h.ts);
      return this.reportDropped(dir, frame, ts);
    }
    if (this.unsubscribe === undefined && this.o.secrets) {
      this.unsubscribe = this.o.secrets.subscribe(this.o.params.clientRandom, (s) => {
        this.session.addSecrets(s);
        this.drain();
      });
    }
  }

  private reportDropped(dir: DecryptDirection, frame: number, ts: number): void {
    this.dropped += 1;
    this.o.onResult(dir, DROPPED, frame, ts);
  }

  /** Replays held records until one lacks keys again (it and the rest stay held). */
  private drain(): void {
    if (this.draining || this.ended) return;
    this.draining = true;
    const records = this.held.take();
    let i = 0;
    for (; i < records.length; i++) {
      const h = records[i]!;
      const r = this.session.decrypt(h.dir, h.contentType, h.recordVersion, h.fragment);
      if (!r.ok && r.reason === 'no-keys') break;
      this.o.onResult(h.dir, r, h.frame, h.ts);
    }
    for (; i < records.length; i++) {
      const h = records[i]!;
      this.held.hold(h.dir, h.contentType, h.recordVersion, h.fragment, h.frame, h.ts);
    }
    this.draining = false;
  }
}
