/**
 * The composition root of the full pipeline: analyzer events → enrichment (attribution,
 * handshake and certificate-chain facts, HTTP pairing, in the flow's FlowContext) →
 * detectors (findings into the one FindingStore) → model. `createInspector` is the seam:
 * an AnalysisOutput that any event source can feed (analyzeCapture for a saved capture, a
 * tcpdump stream in live mode) plus the ModelBuilder to snapshot; `inspectCapture` runs it
 * over one capture for the reports.
 *
 * Order per event: enrichment first (a ClientHello names its own flow), then every detector
 * with the flow's context, then the model, then the optional tap. Per ended flow:
 * detectors, model, then the context is dropped. A detector that throws is isolated: it
 * is disabled, counted once as a problem ("detector failed: <name>"), and the run goes on.
 */
import { HostCatalog } from '../attribution/catalog.js';
import { configEntries, type GotapConfig } from '../attribution/config.js';
import type { FlowAttribution } from '../attribution/types.js';
import { createDetectors, DETECTORS, type DetectorRegistration, type NamedDetector } from '../detect/index.js';
import type { GoPolicy } from '../detect/policy/index.js';
import { Enricher } from '../enrich/enricher.js';
import type { FlowContext } from '../enrich/flow-context.js';
import { FindingStore } from '../findings/store.js';
import type { Finding } from '../findings/types.js';
import type { Flow, FlowTableLimits } from '../flow/types.js';
import { ModelBuilder, type ModelBuilderOptions } from '../model/model-builder.js';
import type { CaptureInfo, ModelSnapshot } from '../model/types.js';
import type { GotapEvent } from '../protocols/events.js';
import { captureRecord } from '../report/records.js';
import { Counter } from '../util/counter.js';
import type { TrustStore } from '../x509/trust-store.js';
import { analyzeCapture, type AnalysisOutput, type AnalysisSummary } from './analyze.js';

export interface InspectOptions {
  config?: GotapConfig;
  trust: TrustStore;
  /** The go command's settings to explain contacts against. */
  policy?: GoPolicy;
  limits?: Partial<FlowTableLimits>;
  stdin?: NodeJS.ReadableStream;
  model?: Omit<ModelBuilderOptions, 'roleOf' | 'beforeSnapshot'>;
  /** The detectors to run (default: all of src/detect/index.ts). */
  detectors?: readonly DetectorRegistration[];
  /** NSS key logs to load before reading (--keylog-file). */
  keylogFiles?: string[];
}

/** Optional observers of what the pipeline produces (e.g. an ndjson stream of findings). */
export interface InspectTap {
  event?(ev: GotapEvent, attribution: FlowAttribution): void;
  /** Every published version of every finding (`version` 1 is the first). */
  finding?(f: Finding): void;
}

export interface Inspector {
  /** Feed it analyzer output: flowStarted, event, flowEnded. */
  output: AnalysisOutput & { flowStarted(flow: Flow): void };
  builder: ModelBuilder;
  catalog: HostCatalog;
  findings: FindingStore;
  /** Flow contexts open now (bounded by the flow table's maxFlows). */
  openFlows(): number;
  /** The capture ended: detectors emit what needs the whole picture; returns the final snapshot. */
  finish(summary?: AnalysisSummary): ModelSnapshot;
}

/** The model's capture facts from the analysis summary. */
export function captureInfo(summary: AnalysisSummary, ended: boolean, extraProblems?: Counter): CaptureInfo {
  const c = captureRecord(summary);
  const problems = { ...c.problems };
  for (const [kind, n] of extraProblems?.entries() ?? []) problems[kind] = (problems[kind] ?? 0) + n;
  return {
    source: c.source,
    format: c.format,
    packets: c.packets,
    bytes: c.capturedBytes,
    firstTs: c.firstTs,
    lastTs: c.lastTs,
    truncated: c.truncated,
    problems,
    ended,
  };
}

export function createInspector(opts: InspectOptions, tap: InspectTap = {}): Inspector {
  const catalog = new HostCatalog(opts.config ? configEntries(opts.config) : []);
  const enricher = new Enricher({
    catalog,
    trust: opts.trust,
    ...(opts.config?.acceptedInterception ? { acceptedInterception: opts.config.acceptedInterception } : {}),
  });
  const builder = new ModelBuilder({
    ...opts.model,
    roleOf: (host) => {
      const e = catalog.lookup(host);
      return e ? { role: e.role, label: e.label } : undefined;
    },
    beforeSnapshot: () => findings.flush(),
  });
  const findings = new FindingStore((f) => {
    builder.finding(f);
    tap.finding?.(f);
  });
  let detectors: NamedDetector[] = createDetectors(
    {
      catalog,
      ...(opts.config?.httpProxies ? { httpProxies: opts.config.httpProxies } : {}),
      ...(opts.policy ? { policy: opts.policy } : {}),
    },
    findings,
    opts.detectors ?? DETECTORS,
  );
  const failures = new Counter();
  let finished = false;

  /** Runs `call` for every detector; one that throws is disabled and counted, never ends the run. */
  function each(call: (d: NamedDetector) => void): void {
    let failed = false;
    for (const d of detectors) {
      try {
        call(d);
      } catch (err) {
        failures.add(`detector failed: ${d.name} (${err instanceof Error ? err.message.slice(0, 120) : 'error'})`);
        d.failed = failed = true;
      }
    }
    if (failed) detectors = detectors.filter((d) => !d.failed);
  }

  const output = {
    flowStarted(flow: Flow): void {
      enricher.flowStarted(flow);
    },
    event(ev: GotapEvent): void {
      const ctx: FlowContext = enricher.event(ev);
      each((d) => d.detector.event?.(ev, ctx));
      builder.event(ev, ctx);
      tap.event?.(ev, ctx.attribution);
    },
    process(flowId: number, label: string): void {
      builder.process(flowId, label);
    },
    flowEnded(flow: Flow): void {
      const ctx = enricher.flowEnded(flow);
      each((d) => d.detector.flowEnded?.(flow, ctx));
      builder.flowEnded(flow, ctx);
      enricher.drop(flow.id);
    },
  };

  return {
    output,
    builder,
    catalog,
    findings,
    openFlows: () => enricher.size,
    finish(summary) {
      if (!finished) {
        finished = true;
        each((d) => d.detector.finish?.());
        findings.finish();
      }
      builder.capture(summary ? captureInfo(summary, true, failures) : { ended: true });
      return builder.snapshot();
    },
  };
}

export async function inspectCapture(source: string, opts: InspectOptions, tap?: InspectTap): Promise<{ model: ModelSnapshot; summary: AnalysisSummary }> {
  const inspector = createInspector(opts, tap);
  const summary = await analyzeCapture(source, inspector.output, {
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    ...(opts.keylogFiles ? { keylogFiles: opts.keylogFiles } : {}),
  });
  return { model: inspector.finish(summary), summary };
}
