/**
 * Protected records waiting for their secrets. A pcapng Decryption Secrets Block may be
 * written after the packet that carried the ServerHello (ptcpdump does this), and a
 * key-log file may still be growing, so a flow's first protected records can arrive
 * before their keys. They are copied here, in stream order across both directions, and
 * replayed when the secrets arrive.
 *
 * Bounded twice: per flow (`maxFlowBytes`) and for all flows together (a shared
 * HoldBudget). A record that would exceed either cap is not kept; the flow's held records
 * are dropped with it (a gap in a direction's records cannot be decrypted past: TLS 1.2
 * MACs and TLS 1.3 nonces depend on the sequence number) and the buffer refuses
 * everything after, so the caller stops decrypting that flow. Drops are counted.
 */
import type { DecryptDirection } from './session.js';

export interface HeldRecord {
  dir: DecryptDirection;
  contentType: number;
  recordVersion: number;
  /** A copy of the record's fragment. */
  fragment: Uint8Array;
  /** Where the record ended in the capture: what events decrypted from it carry. */
  frame: number;
  ts: number;
}

export type HoldOutcome = { kept: true } | { kept: false; dropped: HeldRecord[] };
const KEPT: HoldOutcome = { kept: true };

export const DEFAULT_FLOW_HOLD_BYTES = 256 * 1024;
export const DEFAULT_TOTAL_HOLD_BYTES = 16 * 1024 * 1024;

/** The global cap shared by every flow's HeldRecords, and what caps dropped. */
export class HoldBudget {
  used = 0;
  droppedRecords = 0;
  droppedBytes = 0;
  /** Flows whose held records were dropped because a cap was hit. */
  overflowedFlows = 0;

  constructor(readonly maxBytes = DEFAULT_TOTAL_HOLD_BYTES) {}
}

export class HeldRecords {
  private records: HeldRecord[] = [];
  private bytes = 0;
  /** A cap was hit: everything was dropped and nothing more is held. */
  overflowed = false;

  constructor(
    private readonly budget: HoldBudget,
    private readonly maxFlowBytes = DEFAULT_FLOW_HOLD_BYTES,
  ) {}

  get length(): number {
    return this.records.length;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * Copies and keeps a record. When it cannot be kept (this or an earlier cap hit) the
   * answer lists the records that were held before and are now dropped with it.
   */
  hold(dir: DecryptDirection, contentType: number, recordVersion: number, fragment: Uint8Array, frame: number, ts: number): HoldOutcome {
    if (this.overflowed) {
      this.countDropped(1, fragment.length);
      return { kept: false, dropped: [] };
    }
    const n = fragment.length;
    if (this.bytes + n > this.maxFlowBytes || this.budget.used + n > this.budget.maxBytes) {
      this.overflowed = true;
      this.budget.overflowedFlows += 1;
      this.countDropped(this.records.length + 1, this.bytes + n);
      return { kept: false, dropped: this.take() };
    }
    this.records.push({ dir, contentType, recordVersion, fragment: Uint8Array.from(fragment), frame, ts });
    this.bytes += n;
    this.budget.used += n;
    return KEPT;
  }

  /** Hands out every held record in arrival order and forgets them. */
  take(): HeldRecord[] {
    const out = this.records;
    this.release();
    return out;
  }

  /** Drops the held records (flow ended, or no secrets will come) and returns their budget. */
  release(): void {
    this.budget.used -= this.bytes;
    this.records = [];
    this.bytes = 0;
  }

  private countDropped(records: number, bytes: number): void {
    this.budget.droppedRecords += records;
    this.budget.droppedBytes += bytes;
  }
}
