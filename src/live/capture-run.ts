/**
 * What `gotap live` and `gotap watch` share: resolve the inspection options, start tcpdump
 * with the full inspection pipeline (attribution, detectors, model) on its output and
 * process attribution feeding the model, then stop it all, finish the detectors, print
 * the final summary and write the report. The commands differ only in what happens
 * between start and finish (a dashboard or plain lines until Ctrl-C; one command).
 */
import { EXIT } from '../cli/exit-codes.js';
import { InputError } from '../cli/input-error.js';
import { errorLine } from '../cli/error-lines.js';
import { resolveInspectOptions, type InspectCliOptions } from '../cli/inspect-options.js';
import { checkOutputFile, writeOutputFile } from '../cli/output-file.js';
import type { ModelSnapshot } from '../model/types.js';
import { createInspector, type Inspector } from '../pipeline/inspect.js';
import { formatForFile, type DocumentFormatName } from '../report/formats.js';
import { summaryText } from './plain-output.js';
import { LiveSession, type LiveResult } from './session.js';
import { defaultFilter } from './tcpdump.js';

export interface CaptureRunOptions extends InspectCliOptions {
  /** -i (default 'any'). */
  interface?: string;
  /** -f: replaces the default filter. */
  filter?: string;
  /** false with --no-processes. */
  processes?: boolean;
  report?: string;
  format?: DocumentFormatName;
  maxFlows?: number;
}

/** Ports of configured HTTP proxies ("host:port", "[v6]:port"): added to the default filter. */
export function configuredPorts(proxies: readonly string[] = []): number[] {
  return proxies.map((p) => Number(/:(\d{1,5})$/.exec(p)?.[1])).filter((n) => Number.isInteger(n) && n > 0 && n <= 65535);
}

export interface Finished {
  model: ModelSnapshot;
  result: LiveResult;
}

export class CaptureRun {
  private finished: Promise<Finished> | undefined;

  private constructor(
    readonly inspector: Inspector,
    readonly session: LiveSession,
    readonly source: string,
  ) {}

  /** Throws InputError (bad --config/--ca-file/policy) or LiveCaptureError (tcpdump could not start). */
  static async start(opts: CaptureRunOptions): Promise<CaptureRun> {
    const inspect = await resolveInspectOptions(opts);
    if (opts.report !== undefined) await checkOutputFile(opts.report);
    const limits = opts.maxFlows ? { maxFlows: opts.maxFlows } : undefined;
    const inspector = createInspector({ ...inspect, ...(limits ? { limits } : {}) });
    const { builder } = inspector;
    const iface = opts.interface ?? 'any';
    const source = `live capture on ${iface}`;
    builder.capture({ source });
    const session = await LiveSession.start(inspector.output, {
      iface,
      filter: opts.filter ?? defaultFilter(configuredPorts(inspect.config?.httpProxies)),
      processes: opts.processes !== false,
      onProcess: (flowId, label) => builder.process(flowId, label),
      onProgress: (p) => builder.capture({ format: p.format, packets: p.packets, bytes: p.bytes, firstTs: p.firstTs, lastTs: p.lastTs }),
      onDrops: (drops) => builder.capture({ drops }),
      ...(limits ? { limits } : {}),
    });
    return new CaptureRun(inspector, session, source);
  }

  /** The model as it stands (for the dashboard and the line printer). */
  snapshot(): ModelSnapshot {
    return this.inspector.builder.snapshot();
  }

  /** Stops tcpdump, drains the pipeline, finishes the detectors. Idempotent. */
  finish(): Promise<Finished> {
    this.finished ??= (async () => {
      const result = await this.session.stop();
      const { builder } = this.inspector;
      if (result.stats.dropped !== undefined) builder.capture({ drops: result.stats.dropped });
      const model = this.inspector.finish(result.summary ? { ...result.summary, source: this.source } : undefined);
      return { model, result };
    })();
    return this.finished;
  }
}

/**
 * The end of a live capture or a watched command: writes --report (if asked), then prints
 * the final summary on stdout. Returns EXIT.input when the report could not be written
 * (said on stderr, after the summary), else EXIT.ok.
 */
export async function reportAndSummarise({ model, result }: Finished, opts: { report?: string; format?: DocumentFormatName }): Promise<number> {
  let problem: InputError | undefined;
  if (opts.report !== undefined) {
    try {
      await writeOutputFile(opts.report, formatForFile(opts.report, opts.format).render(model));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problem = err;
    }
  }
  const reportFile = problem === undefined ? opts.report : undefined;
  process.stdout.write(summaryText(model, { stats: result.stats, ...(reportFile !== undefined ? { reportFile } : {}) }));
  if (problem === undefined) return EXIT.ok;
  process.stderr.write(errorLine(problem.file, problem.message, problem.todo));
  return EXIT.input;
}
