/**
 * The composition root of the full pipeline: analyzer events → attribution → detectors
 * → model. `createInspector` is the seam: an AnalysisOutput that any event source can
 * feed (analyzeCapture for a saved capture, a tcpdump stream in live mode) plus the
 * ModelBuilder to snapshot; `inspectCapture` runs it over one capture for the reports.
 *
 * Order per event: the attributor learns from it first (a ClientHello names its own
 * flow), then every detector sees it with the flow's attribution at that moment, then
 * the model, then the optional tap. Per ended flow: detectors, model, then the attributor
 * forgets the flow.
 */
import { HostCatalog } from '../attribution/catalog.js';
import { Attributor } from '../attribution/attributor.js';
import { configEntries, type GotapConfig } from '../attribution/config.js';
import type { FlowAttribution } from '../attribution/types.js';
import { createDetectors } from '../detect/index.js';
import type { TrustStore } from '../detect/tls/index.js';
import type { GoPolicy } from '../detect/policy/index.js';
import type { Detector, Finding } from '../detect/types.js';
import type { Flow, FlowTableLimits } from '../flow/types.js';
import { ModelBuilder, type ModelBuilderOptions } from '../model/model-builder.js';
import type { CaptureInfo, ModelSnapshot } from '../model/types.js';
import type { GotapEvent } from '../protocols/events.js';
import { captureRecord } from '../report/records.js';
import { analyzeCapture, type AnalysisOutput, type AnalysisSummary } from './analyze.js';

export interface InspectOptions {
  config?: GotapConfig;
  trust: TrustStore;
  /** The go command's settings to explain contacts against. */
  policy?: GoPolicy;
  limits?: Partial<FlowTableLimits>;
  stdin?: NodeJS.ReadableStream;
  model?: Omit<ModelBuilderOptions, 'roleOf'>;
}

/** Optional observers of what the pipeline produces (e.g. an ndjson stream of findings). */
export interface InspectTap {
  event?(ev: GotapEvent, attribution: FlowAttribution): void;
  finding?(f: Finding): void;
}

export interface Inspector {
  /** Feed it analyzer output: flowStarted, event, flowEnded. */
  output: AnalysisOutput & { flowStarted(flow: Flow): void };
  builder: ModelBuilder;
  catalog: HostCatalog;
  /** The capture ended: detectors emit what needs the whole picture; returns the final snapshot. */
  finish(summary?: AnalysisSummary): ModelSnapshot;
}

/** The model's capture facts from the analysis summary. */
export function captureInfo(summary: AnalysisSummary, ended: boolean): CaptureInfo {
  const c = captureRecord(summary);
  return {
    source: c.source,
    format: c.format,
    packets: c.packets,
    bytes: c.capturedBytes,
    firstTs: c.firstTs,
    lastTs: c.lastTs,
    truncated: c.truncated,
    problems: c.problems,
    ended,
  };
}

export function createInspector(opts: InspectOptions, tap: InspectTap = {}): Inspector {
  const catalog = new HostCatalog(opts.config ? configEntries(opts.config) : []);
  const attributor = new Attributor(catalog);
  const builder = new ModelBuilder({
    ...opts.model,
    roleOf: (host) => {
      const e = catalog.lookup(host);
      return e ? { role: e.role, label: e.label } : undefined;
    },
  });
  const sink = (f: Finding): void => {
    builder.finding(f);
    tap.finding?.(f);
  };
  const detectors: Detector[] = createDetectors(
    {
      trust: opts.trust,
      catalog,
      ...(opts.config?.acceptedInterception ? { acceptedInterception: opts.config.acceptedInterception } : {}),
      ...(opts.config?.httpProxies ? { httpProxies: opts.config.httpProxies } : {}),
      ...(opts.policy ? { policy: opts.policy } : {}),
      onCertificate: (_ev, attribution, summary) => builder.certificate(summary, attribution),
    },
    sink,
  );
  let finished = false;

  const output = {
    flowStarted(flow: Flow): void {
      attributor.flowStarted(flow);
    },
    event(ev: GotapEvent): void {
      attributor.event(ev);
      const attribution = attributor.attributionOf(ev.flowId);
      for (const d of detectors) d.event?.(ev, attribution);
      builder.event(ev, attribution);
      tap.event?.(ev, attribution);
    },
    flowEnded(flow: Flow): void {
      const attribution = attributor.attributionOf(flow.id);
      for (const d of detectors) d.flowEnded?.(flow, attribution);
      builder.flowEnded(flow, attribution);
      attributor.flowEnded(flow.id);
    },
  };

  return {
    output,
    builder,
    catalog,
    finish(summary) {
      if (!finished) {
        finished = true;
        for (const d of detectors) d.finish?.();
      }
      builder.capture(summary ? captureInfo(summary, true) : { ended: true });
      return builder.snapshot();
    },
  };
}

export async function inspectCapture(source: string, opts: InspectOptions, tap?: InspectTap): Promise<{ model: ModelSnapshot; summary: AnalysisSummary }> {
  const inspector = createInspector(opts, tap);
  const summary = await analyzeCapture(source, inspector.output, { ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.stdin ? { stdin: opts.stdin } : {}) });
  return { model: inspector.finish(summary), summary };
}
