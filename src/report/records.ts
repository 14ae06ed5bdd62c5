/**
 * The JSON shapes of `flow`, `capture`, `finding` and `summary` records (docs/events.md),
 * built from the pipeline's typed values. Shared by the ndjson stream and the text view so
 * both say the same thing; a finding record carries the finding exactly as the JSON
 * report does.
 */
import type { DirectionStats, Flow } from '../flow/types.js';
import type { Finding } from '../detect/types.js';
import type { ModelSnapshot } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import type { AnalysisSummary } from '../pipeline/analyze.js';
import { Counter } from '../util/counter.js';
import { linkTypeName } from '../decode/link-type-names.js';

/** Capture time rounded to the microsecond, the precision every output shows. */
export function roundTs(ts: number): number {
  return Math.round(ts * 1e6) / 1e6;
}

function tcpStats(s: DirectionStats) {
  return {
    packets: s.packets,
    wireBytes: s.wireBytes,
    payloadBytes: s.payloadBytes,
    streamBytes: s.streamBytes,
    gaps: s.gaps,
    gapBytes: s.gapBytes,
    retransmissions: s.retransmissions,
    outOfOrder: s.outOfOrder,
    conflictingOverlapBytes: s.conflictingOverlapBytes,
    capDrops: s.capDrops,
  };
}

function udpStats(s: DirectionStats) {
  return { packets: s.packets, wireBytes: s.wireBytes, payloadBytes: s.payloadBytes };
}

export function flowRecord(flow: Flow) {
  const stats = flow.protocol === 'tcp' ? tcpStats : udpStats;
  return {
    type: 'flow' as const,
    id: flow.id,
    protocol: flow.protocol,
    ipVersion: flow.ipVersion,
    app: flow.app ?? null,
    client: flow.client,
    server: flow.server,
    roleBy: flow.roleBy,
    firstTs: roundTs(flow.firstTs),
    lastTs: roundTs(flow.lastTs),
    firstFrame: flow.firstFrame,
    lastFrame: flow.lastFrame,
    end: flow.endReason ?? null,
    ...(flow.protocol === 'tcp' ? { synSeen: flow.synSeen, finSeen: flow.finSeen, rstSeen: flow.rstSeen } : {}),
    clientToServer: stats(flow.stats[0]),
    serverToClient: stats(flow.stats[1]),
  };
}

export type FlowRecord = ReturnType<typeof flowRecord>;

/** What the key-log store took in, when there was anything (absent otherwise, so captures without keys read as before). */
function keyLogRecord(s: AnalysisSummary) {
  const k = s.secrets;
  const d = s.decryption;
  const any = s.keyLogFiles + k.keyLogLines + k.ignoredLines + k.malformedLines + k.dsbs + k.otherDsbs > 0;
  if (!any) return {};
  return {
    keyLog: {
      files: s.keyLogFiles,
      dsbs: k.dsbs,
      lines: k.keyLogLines,
      ignoredLines: k.ignoredLines,
      malformedLines: k.malformedLines,
      ...(k.otherDsbs > 0 ? { otherDsbs: k.otherDsbs } : {}),
      ...(k.entriesDropped > 0 ? { entriesDropped: k.entriesDropped } : {}),
      ...(k.subscribersDropped > 0 ? { subscribersDropped: k.subscribersDropped } : {}),
      decryption: {
        flowsDecrypted: d.flowsDecrypted,
        flowsNoKeys: d.flowsNoKeys,
        flowsFailed: d.flowsFailed,
        notDecrypted: d.notDecrypted.toJSON(),
        records: d.decryptedRecords,
        recordsWithoutKeys: d.noKeysRecords,
        recordsDropped: d.droppedRecords,
        recordFailures: d.recordFailures.toJSON(),
      },
    },
  };
}

export function captureRecord(s: AnalysisSummary) {
  const r = s.reader;
  const problems = new Counter();
  for (const [kind, n] of r.problems.entries()) problems.add(kind, n);
  for (const [kind, n] of s.problems.entries()) problems.add(kind, n);
  return {
    type: 'capture' as const,
    source: s.source,
    format: r.format ?? null,
    gzip: r.gzip,
    byteOrder: r.byteOrder ?? null,
    version: r.version ?? null,
    sections: r.sections,
    interfaces: r.interfaces.map((i) => ({
      section: i.section,
      id: i.id,
      linkType: i.linkType,
      linkTypeName: linkTypeName(i.linkType),
      snaplen: i.snaplen,
      ...(i.name !== undefined ? { name: i.name } : {}),
      tsUnitsPerSec: i.tsUnitsPerSec,
    })),
    linkTypes: [...s.linkTypes.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([linkType, packets]) => ({ linkType, name: linkTypeName(linkType), packets })),
    packets: r.packets,
    capturedBytes: r.capturedBytes,
    wireBytes: r.wireBytes,
    firstTs: s.firstTs === undefined ? null : roundTs(s.firstTs),
    lastTs: s.lastTs === undefined ? null : roundTs(s.lastTs),
    duration: s.firstTs === undefined || s.lastTs === undefined ? 0 : roundTs(s.lastTs - s.firstTs),
    truncated: r.truncated ?? null,
    problems: problems.toJSON(),
    unsupported: s.unsupported.toJSON(),
    flows: s.flows,
    decryptionSecrets: r.secrets.length,
    ...keyLogRecord(s),
    comments: r.comments,
  };
}

export type CaptureRecord = ReturnType<typeof captureRecord>;

/** A finding as reports carry it: its plain texts (code spans in backticks) and evidence. */
export function findingFields(f: Finding) {
  return { id: f.id, severity: f.severity, title: f.title, detail: f.detail, host: f.host, evidence: f.evidence, fix: f.fix };
}

/** One finding as a log line (as Zeek's notice.log): the record type, the report's fields, then its structured values. */
export function findingRecord(f: Finding) {
  return { type: 'finding' as const, ...findingFields(f), values: f.values };
}

/** The verdict and per-host table of the finished model; `findings` in each host index the `finding` records before it. */
export function summaryRecord(m: ModelSnapshot) {
  return { type: 'summary' as const, verdict: verdictOf(m), counts: m.counts, hosts: m.hosts, overflow: m.overflow };
}
