/**
 * One live capture: tcpdump's pcap stream through the same pipeline as a saved capture,
 * plus process attribution for each new flow. Kept apart from the commands (live, watch)
 * so both stop the same way: SIGINT to tcpdump, wait for it to flush and exit, let the
 * pipeline drain what it wrote, then report drops, or say that tcpdump died.
 */
import { Readable } from 'node:stream';
import { CaptureReader } from '../capture/reader.js';
import type { CaptureFormat } from '../capture/types.js';
import { analyzeCapture, type AnalysisOutput, type AnalysisSummary } from '../pipeline/analyze.js';
import type { Flow, FlowTableLimits } from '../flow/types.js';
import { ProcessMap } from './process-map.js';
import { Tcpdump, type TcpdumpOptions, type TcpdumpStats, type LiveCaptureError } from './tcpdump.js';

/** Label given to a flow whose client socket had no owner any more when it was looked up. */
export const UNKNOWN_PROCESS = 'unknown';
/** Lookups still running when the capture ends get this long to finish. */
const PROCESS_SETTLE_MS = 500;

/** What tcpdump has delivered so far: the model's capture counters while the capture runs. */
export interface LiveProgress {
  format: CaptureFormat | null;
  packets: number;
  /** Captured bytes. */
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
}

export interface LiveSessionOptions extends TcpdumpOptions {
  /** Look up the process owning each new flow's client socket (Linux; default true). */
  processes?: boolean;
  /** Receives the process label of a flow ("go mod download (pid 4121)" or "unknown"). */
  onProcess?: (flowId: number, label: string) => void;
  limits?: Partial<FlowTableLimits>;
  /** Called with the counters after each chunk tcpdump writes. */
  onProgress?: (p: LiveProgress) => void;
  /** Called with tcpdump's drop count whenever it changes (tcpdump is asked every `statsIntervalMs`). */
  onDrops?: (dropped: number) => void;
  /** Default 1000. */
  statsIntervalMs?: number;
}

export interface LiveResult {
  /** Undefined only when tcpdump died before writing a readable capture. */
  summary: AnalysisSummary | undefined;
  stats: TcpdumpStats;
  /** Set when tcpdump exited without being asked to (the capture ended early). */
  died?: LiveCaptureError;
}

export class LiveSession {
  private readonly pipeline: Promise<AnalysisSummary>;
  private readonly lookups = new Set<Promise<void>>();
  private readonly processMap: ProcessMap | undefined;
  private result: Promise<LiveResult> | undefined;
  private statsTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly tcpdump: Tcpdump,
    output: AnalysisOutput,
    private readonly opts: LiveSessionOptions,
  ) {
    this.processMap = opts.processes === false || process.platform !== 'linux' ? undefined : new ProcessMap();
    const wrapped: AnalysisOutput = {
      flowStarted: (flow) => {
        output.flowStarted?.(flow);
        this.attribute(flow);
      },
      event: (ev) => output.event(ev),
      flowEnded: (flow) => output.flowEnded(flow),
      drain: () => output.drain?.(),
    };
    const stdin = opts.onProgress ? Readable.from(counted(tcpdump.stdout, opts.onProgress), { objectMode: false }) : tcpdump.stdout;
    this.pipeline = analyzeCapture('-', wrapped, { stdin, limits: opts.limits });
    // Reading starts now: tcpdump must never block on a full pipe.
    this.pipeline.catch(() => undefined);
    const onDrops = opts.onDrops;
    if (onDrops) {
      // tcpdump reports drops only when asked (SIGUSR1) or at exit: ask every tick, read the previous answer.
      let reported: number | undefined;
      this.statsTimer = setInterval(() => {
        const dropped = tcpdump.stats.dropped;
        if (dropped !== undefined && dropped !== reported) onDrops((reported = dropped));
        tcpdump.requestStats();
      }, opts.statsIntervalMs ?? 1000);
      this.statsTimer.unref();
    }
  }

  /** Starts tcpdump (resolving once it listens) and the pipeline on its output. Throws LiveCaptureError. */
  static async start(output: AnalysisOutput, opts: LiveSessionOptions = {}): Promise<LiveSession> {
    const tcpdump = await Tcpdump.start(opts);
    return new LiveSession(tcpdump, output, opts);
  }

  /** Resolves once tcpdump has exited: by itself (it died: see `tcpdump.died`) or after stop(). */
  get ended(): Promise<void> {
    return this.tcpdump.exited.then(() => undefined);
  }

  /** Stops tcpdump (if still running), finishes the pipeline, and returns what was seen. Idempotent. */
  stop(): Promise<LiveResult> {
    this.result ??= this.finish();
    return this.result;
  }

  private async finish(): Promise<LiveResult> {
    clearInterval(this.statsTimer);
    const stats = await this.tcpdump.stop();
    // A tcpdump that died before its pcap header leaves "an empty file": its death is the news.
    const summary = await this.pipeline.catch((err: unknown) => {
      if (this.tcpdump.died) return undefined;
      throw err;
    });
    await Promise.race([Promise.all(this.lookups), new Promise((r) => setTimeout(r, PROCESS_SETTLE_MS).unref())]);
    this.processMap?.close();
    const died = this.tcpdump.died;
    return { summary, stats, ...(died ? { died } : {}) };
  }

  private attribute(flow: Flow): void {
    const map = this.processMap;
    const onProcess = this.opts.onProcess;
    if (!map || !onProcess) return;
    const id = flow.id;
    const lookup = map
      .lookup(flow.client, flow.protocol)
      .then((info) => onProcess(id, info?.label ?? UNKNOWN_PROCESS))
      .catch(() => undefined);
    this.lookups.add(lookup);
    void lookup.finally(() => this.lookups.delete(lookup));
  }
}

/**
 * Passes tcpdump's chunks on unchanged while a second reader looks only at the record
 * headers, for live packet and byte counters (the pipeline's own reader reports only at
 * the end). Header parsing is cheap next to the analysis: one pass, no copies.
 */
async function* counted(input: Readable, onProgress: (p: LiveProgress) => void): AsyncGenerator<Buffer> {
  const progress: LiveProgress = { format: null, packets: 0, bytes: 0, firstTs: null, lastTs: null };
  const reader = new CaptureReader({
    packet(rec) {
      const ts = rec.tsSec + rec.tsNsec / 1e9;
      progress.packets++;
      progress.bytes += rec.data.length;
      progress.firstTs ??= ts;
      progress.lastTs = ts;
    },
  });
  let counting = true;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    if (counting && !reader.stopped) {
      try {
        reader.feed(chunk);
      } catch {
        // Not a capture: the pipeline's own reader reports it; counting just stops.
        counting = false;
      }
      progress.format = reader.summary.format ?? null;
      onProgress(progress);
    }
    yield chunk;
  }
}
