/**
 * Contracts of the detector stage. Every detector consumes the same ordered stream of
 * analyzer events (with the attribution of their flow) and ended flows, and emits
 * Findings. Findings are the user-facing verdicts: each says what was seen, with the
 * frames that prove it, and the concrete action that fixes it (docs/detectors.md).
 */
import type { FlowAttribution } from '../attribution/types.js';
import type { Flow } from '../flow/types.js';
import type { GotapEvent } from '../protocols/events.js';

export type Severity = 'info' | 'warn' | 'critical';

export interface Evidence {
  /** Frame number to look up in Wireshark. */
  packet: number;
  ts: number;
  flowId: number;
  /** What this frame shows ("ServerHello chose TLS 1.2"). */
  what: string;
}

export interface Finding {
  /** Stable identifier documented in docs/detectors.md ("tls-untrusted-chain"). */
  id: string;
  severity: Severity;
  /** One line: "TLS to proxy.golang.org is intercepted by Zscaler". */
  title: string;
  /** A few sentences: what was observed and why it matters. */
  detail: string;
  /** The host the finding is about, when there is one. */
  host?: string;
  evidence: Evidence[];
  /** The concrete action: "set SSL_CERT_FILE to your corporate bundle or ask IT to exempt proxy.golang.org". */
  fix: string;
}

export type FindingSink = (f: Finding) => void;

export interface Detector {
  /** Every analyzer event in pipeline order, with its flow's attribution at that moment. */
  event?(ev: GotapEvent, attribution: FlowAttribution): void;
  /** A flow ended (its attribution is final). */
  flowEnded?(flow: Flow, attribution: FlowAttribution): void;
  /** The capture ended: emit what needs the whole picture (e.g. policy summaries). */
  finish?(): void;
}
