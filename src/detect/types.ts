/**
 * Contracts of the detector stage. Every detector consumes the same ordered stream of
 * analyzer events, each with its flow's FlowContext (attribution, handshake facts, the
 * assessed certificate chain, paired HTTP transactions — computed once by the enrichment
 * step), and ended flows, and publishes findings through its scope of the findings store
 * (docs/detectors.md documents every id).
 */
import type { FlowContext } from '../enrich/flow-context.js';
import type { Flow } from '../flow/types.js';
import type { GotapEvent } from '../protocols/events.js';

export type { Evidence, Finding, FindingDraft, FindingId, FindingSink, FindingValues, Severity } from '../findings/types.js';

export interface Detector {
  /** Every analyzer event in pipeline order, with its flow's context at that moment. */
  event?(ev: GotapEvent, ctx: FlowContext): void;
  /** A flow ended (its context is final; it is dropped after this call). */
  flowEnded?(flow: Flow, ctx: FlowContext): void;
  /** The capture ended: publish what needs the whole picture (e.g. policy summaries). */
  finish?(): void;
}
