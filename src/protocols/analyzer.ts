/**
 * The shape every stream analyzer (TLS, HTTP/1.x, HTTP/2, DNS over TCP) has, and the
 * services the dispatcher offers it through its context: emitting events, counting
 * malformed input, opening a child analyzer for a byte stream it carries (a CONNECT
 * tunnel, decrypted TLS application data, an h2c upgrade), and looking up TLS secrets.
 */
import type { Direction, Flow, StreamChunk } from '../flow/types.js';
import type { SecretsLookup } from '../secrets/types.js';
import type { AnomalySink } from './anomaly.js';
import type { EventSink } from './events.js';

export interface ChildOptions {
  /** The child's bytes were decrypted: every event from it (and its own children) carries `decrypted: true`. */
  decrypted?: boolean;
}

export interface AnalyzerContext {
  flow: Flow;
  emit: EventSink;
  /** Counts one malformed-input anomaly in `capture.problems`. */
  anomaly: AnomalySink;
  /**
   * A fresh analyzer that sniffs the stream the caller feeds it and becomes whatever the
   * registry recognises, as a flow's first analyzer does. `label` names the carrying
   * protocol: the flow's `app` becomes `<label>>` + what the child recognised
   * (`http>tls`). Nesting is bounded: beyond the cap the child discards its bytes (counted).
   */
  openChild(label: string, opts?: ChildOptions): StreamAnalyzer;
  /** The key-log store: TLS secrets by client random. */
  secrets: SecretsLookup;
}

export interface StreamAnalyzer {
  data(dir: Direction, chunk: StreamChunk): void;
  /** Bytes missing from the stream; an analyzer that cannot resync stops parsing that direction. */
  gap(dir: Direction, size: number, frame: number, ts: number): void;
  /** The flow ended: flush what is pending (e.g. report unanswered requests). */
  end(ts: number, frame: number): void;
}

/** The per-datagram counterpart of StreamAnalyzer (DNS over UDP). */
export interface DatagramAnalyzer {
  datagram(dir: Direction, payload: Uint8Array, frame: number, ts: number): void;
  end(ts: number, frame: number): void;
}
