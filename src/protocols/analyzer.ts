/**
 * The shape every stream analyzer (TLS, HTTP, DNS-over-TCP) has, so the dispatcher
 * can pick one by content and hand it a flow's in-order bytes.
 */
import type { Direction, Flow, StreamChunk } from '../flow/types.js';
import type { EventSink } from './events.js';

export interface AnalyzerContext {
  flow: Flow;
  emit: EventSink;
}

export interface StreamAnalyzer {
  data(dir: Direction, chunk: StreamChunk): void;
  /** Bytes missing from the stream; an analyzer that cannot resync stops parsing that direction. */
  gap(dir: Direction, size: number, frame: number, ts: number): void;
  /** The flow ended: flush what is pending (e.g. report unanswered requests). */
  end(ts: number, frame: number): void;
}
