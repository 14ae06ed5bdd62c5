/**
 * `gotap report --format json`: the model's final snapshot as one versioned document
 * (docs/report-schema.md describes every field). Strings are exact packet data — JSON
 * escaping is the only transformation — so a script can match names byte for byte;
 * sanitising is for the human formats. Times are seconds since the epoch, rounded to the
 * microsecond as in the ndjson stream.
 */
import { createRequire } from 'node:module';
import { verdictOf } from '../model/verdict.js';
import type { ModelSnapshot } from '../model/types.js';
import { findingFields, roundTs } from './records.js';

/** Bumped on any incompatible change to the document's shape. */
export const REPORT_SCHEMA = 'gotap.report/1';

const pkg = createRequire(import.meta.url)('../../package.json') as { name: string; version: string };

export interface Generator {
  name: string;
  version: string;
}

export const GENERATOR: Generator = { name: pkg.name, version: pkg.version };

const TIME_KEYS = new Set(['ts', 'firstTs', 'lastTs']);

function replacer(key: string, value: unknown): unknown {
  if (TIME_KEYS.has(key) && typeof value === 'number') return Number.isFinite(value) ? roundTs(value) : null;
  return value;
}

export function reportDocument(m: ModelSnapshot, generator: Generator = GENERATOR) {
  const { flows, tcpFlows, udpFlows } = m.counts;
  return {
    schema: REPORT_SCHEMA,
    generator,
    capture: { ...m.capture, flows, tcpFlows, udpFlows },
    verdict: verdictOf(m),
    hosts: m.hosts,
    findings: m.findings.map(findingFields),
    timeline: { entries: m.timeline, dropped: m.timelineDropped },
    overflow: m.overflow,
  };
}

export type ReportDocument = ReturnType<typeof reportDocument>;

export function jsonReport(m: ModelSnapshot, generator: Generator = GENERATOR): string {
  return `${JSON.stringify(reportDocument(m, generator), replacer, 2)}\n`;
}
