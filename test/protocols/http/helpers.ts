/** Test scaffolding for the HTTP analyzer: a Flow, an event recorder and chunk feeding. */
import type { Direction, DirectionStats, Flow } from '../../../src/flow/types.js';
import type { StreamAnalyzer } from '../../../src/protocols/analyzer.js';
import type { Counter } from '../../../src/util/counter.js';
import type { GotapEvent, HttpErrorEvent, HttpRequestEvent, HttpResponseEvent } from '../../../src/protocols/events.js';
import { createHttpAnalyzer } from '../../../src/protocols/http/index.js';
import { testContext, type TestContext } from '../context.js';

function stats(): DirectionStats {
  return { packets: 0, wireBytes: 0, payloadBytes: 0, streamBytes: 0, gaps: 0, gapBytes: 0, retransmissions: 0, conflictingOverlapBytes: 0, outOfOrder: 0, capDrops: 0 };
}

export function makeFlow(id = 7): Flow {
  return {
    id, protocol: 'tcp', ipVersion: 4,
    client: { addr: '10.0.0.1', port: 50000 }, server: { addr: '10.0.0.2', port: 80 },
    roleBy: 'syn', firstTs: 1, lastTs: 1, firstFrame: 1, lastFrame: 1,
    synSeen: true, synAckSeen: true, finSeen: [false, false], rstSeen: false,
    stats: [stats(), stats()],
  };
}

export const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Records tunnel calls (a test double standing in for the TLS analyzer). */
export class TunnelRecorder implements StreamAnalyzer {
  calls: string[] = [];
  received: [number[], number[]] = [[], []];
  data(dir: Direction, chunk: { data: Uint8Array; offset: number; frame: number }): void {
    this.calls.push(`data ${dir} @${chunk.offset} f${chunk.frame} ${Buffer.from(chunk.data).toString('latin1')}`);
    this.received[dir].push(...chunk.data);
  }
  gap(dir: Direction, size: number, frame: number): void {
    this.calls.push(`gap ${dir} ${size} f${frame}`);
  }
  end(_ts: number, frame: number): void {
    this.calls.push(`end f${frame}`);
  }
}

/** Feeds one analyzer chunk by chunk (each its own frame number) and records its events and counted anomalies. */
export class RecordingHarness {
  events: GotapEvent[] = [];
  readonly analyzer: StreamAnalyzer;
  readonly problems: Counter;
  private offsets = [0, 0];
  private frame = 0;

  constructor(create: (ctx: TestContext) => StreamAnalyzer, openChild?: (label: string) => StreamAnalyzer) {
    const ctx = testContext(makeFlow(), (ev) => this.events.push(ev), openChild);
    this.problems = ctx.problems;
    this.analyzer = create(ctx);
  }

  /** Sends bytes in one chunk (its own frame number, returned). */
  send(dir: Direction, data: string | Uint8Array): number {
    const d = typeof data === 'string' ? bytes(data) : data;
    const frame = ++this.frame;
    this.analyzer.data(dir, { data: d, offset: this.offsets[dir]!, frame, ts: 1000 + frame });
    this.offsets[dir]! += d.length;
    return frame;
  }

  gap(dir: Direction, size: number): number {
    const frame = ++this.frame;
    this.analyzer.gap(dir, size, frame, 1000 + frame);
    this.offsets[dir]! += size;
    return frame;
  }

  end(): void {
    this.analyzer.end(2000, ++this.frame);
  }

  get requests(): HttpRequestEvent[] {
    return this.events.filter((e): e is HttpRequestEvent => e.type === 'http-request');
  }
  get responses(): HttpResponseEvent[] {
    return this.events.filter((e): e is HttpResponseEvent => e.type === 'http-response');
  }
  get errors(): HttpErrorEvent[] {
    return this.events.filter((e): e is HttpErrorEvent => e.type === 'http-error');
  }
}

export class Harness extends RecordingHarness {
  private readonly children: { labels: string[]; last?: TunnelRecorder };

  constructor() {
    const children: { labels: string[]; last?: TunnelRecorder } = { labels: [] };
    super(
      (ctx) => createHttpAnalyzer(ctx),
      (label) => {
        children.labels.push(label);
        return (children.last = new TunnelRecorder());
      },
    );
    this.children = children;
  }

  /** Labels of the children opened (one per accepted CONNECT). */
  get tunnels(): string[] {
    return this.children.labels;
  }

  get tunnel(): TunnelRecorder | undefined {
    return this.children.last;
  }
}
