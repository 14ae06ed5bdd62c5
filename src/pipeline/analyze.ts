/**
 * The composition root of the one-way pipeline: capture source → decoder → flow table →
 * protocol dispatcher → events. Consumers (ndjson, text, later the model) receive events
 * and ended flows through `AnalysisOutput`; nothing downstream touches packets.
 *
 * TLS secrets reach the analyzers through one store: key-log files are loaded before the
 * first packet, and a pcapng Decryption Secrets Block is added the moment the reader
 * meets it, so a connection whose keys are written after its handshake (ptcpdump) is
 * woken in the same pass.
 */
import type { ReaderSummary } from '../capture/types.js';
import { readCapture } from '../capture/source.js';
import { Decoder } from '../decode/decoder.js';
import { FlowTable } from '../flow/flow-table.js';
import type { Flow, FlowTableCounters, FlowTableLimits } from '../flow/types.js';
import { ProtocolDispatcher } from '../protocols/dispatch.js';
import type { GotapEvent } from '../protocols/events.js';
import { withGoRequests } from '../protocols/go-requests.js';
import { packetProcess } from '../capture/process-comment.js';
import { loadKeyLogFile } from '../secrets/load.js';
import { SecretsStore, type SecretsCounters } from '../secrets/store.js';
import { decryptionCounters, type DecryptionCounters } from '../protocols/tls/decrypt-stats.js';
import { Counter } from '../util/counter.js';

export interface AnalysisOutput {
  /** A new flow, at its first packet (live mode looks up the process owning its client socket). */
  flowStarted?(flow: Flow): void;
  event(ev: GotapEvent): void;
  flowEnded(flow: Flow): void;
  /** The process of a flow, from its first packet with ptcpdump process comments (pcapng). */
  process?(flowId: number, label: string): void;
  /** Called after each input chunk; awaiting it is how a slow consumer (a pipe) holds reading back. */
  drain?(): Promise<void> | undefined;
}

export interface AnalysisOptions {
  limits?: Partial<FlowTableLimits>;
  stdin?: NodeJS.ReadableStream;
  /** NSS key-log files to load before reading (a missing or unreadable one is a KeyLogError). */
  keylogFiles?: string[];
}

export interface AnalysisSummary {
  source: string;
  reader: ReaderSummary;
  /** Packets per link type. */
  linkTypes: Map<number, number>;
  firstTs: number | undefined;
  lastTs: number | undefined;
  /** Malformed input by kind (decoder and protocol analyzers). */
  problems: Counter;
  /** Valid but not analysed, by kind (non-IP, unknown link types, other IP protocols). */
  unsupported: Counter;
  flows: FlowTableCounters;
  /** Key-log files loaded, and what the secrets store took in (files and DSBs) and dropped. */
  keyLogFiles: number;
  secrets: SecretsCounters;
  /** What the TLS analyzers decrypted with those secrets. */
  decryption: DecryptionCounters;
}

export async function analyzeCapture(source: string, output: AnalysisOutput, opts: AnalysisOptions = {}): Promise<AnalysisSummary> {
  const decoder = new Decoder();
  const flows = new FlowTable(opts.limits);
  const untracked = new Counter();
  const linkTypes = new Map<number, number>();
  let firstTs: number | undefined;
  let lastTs: number | undefined;

  const secrets = new SecretsStore();
  const keyLogFiles = opts.keylogFiles ?? [];
  for (const file of keyLogFiles) await loadKeyLogFile(secrets, file);

  // Open flows whose process is known: the first packet with one wins (bounded by the flow table).
  const attributed = new Set<number>();
  const analyzerProblems = new Counter();
  flows.addObserver(new ProtocolDispatcher(withGoRequests((ev) => output.event(ev)), analyzerProblems, { secrets }));
  flows.addObserver({
    flowStarted: (flow) => {
      output.flowStarted?.(flow);
      return {
        ambiguity: (dir, a) =>
          output.event({
            type: 'stream-ambiguity',
            ts: a.ts,
            packet: a.frame,
            flowId: flow.id,
            dir,
            client: flow.client,
            server: flow.server,
            kind: a.kind,
            offset: a.offset,
            length: a.length,
            versions: a.versions,
            receiverChoice: a.receiverChoice,
          }),
      };
    },
    flowEnded: (flow) => {
      attributed.delete(flow.id);
      output.flowEnded(flow);
    },
  });

  const reader = await readCapture(
    source,
    {
      packet(rec) {
        linkTypes.set(rec.linkType, (linkTypes.get(rec.linkType) ?? 0) + 1);
        if (rec.timeUnknown !== true) {
          const ts = rec.tsSec + rec.tsNsec / 1e9;
          if (firstTs === undefined || ts < firstTs) firstTs = ts;
          if (lastTs === undefined || ts > lastTs) lastTs = ts;
        }
        const pkt = decoder.decode(rec);
        if (!pkt) return;
        const flow = flows.packet(pkt);
        if (!flow) untracked.add(`IP protocol ${pkt.protocol}${protocolName(pkt.protocol)}`);
        else if (rec.comments !== undefined && output.process && !attributed.has(flow.id)) {
          const proc = packetProcess(rec.comments);
          if (proc) {
            attributed.add(flow.id);
            output.process(flow.id, proc.label);
          }
        }
      },
      secrets(block) {
        secrets.decryptionSecretsBlock(block.secretsType, block.data);
      },
      mayCarrySecrets() {
        // A DSB may come after the ServerHello it belongs to: hold records from the start (bounded).
        secrets.expectSecrets = true;
      },
    },
    { stdin: opts.stdin, afterChunk: () => output.drain?.() },
  );
  decoder.finish();
  flows.finish();

  const unsupported = new Counter();
  for (const [kind, n] of decoder.unsupported.entries()) unsupported.add(kind, n);
  for (const [kind, n] of untracked.entries()) unsupported.add(kind, n);
  const problems = new Counter();
  for (const counter of [decoder.problems, analyzerProblems, flows.drops]) for (const [kind, n] of counter.entries()) problems.add(kind, n);
  return { source, reader, linkTypes, firstTs, lastTs, problems, unsupported, flows: flows.counters, keyLogFiles: keyLogFiles.length, secrets: secrets.counters, decryption: decryptionCounters(secrets) };
}

const IP_PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 47: 'GRE', 50: 'ESP', 58: 'ICMPv6', 132: 'SCTP' };

function protocolName(p: number): string {
  const name = IP_PROTOCOL_NAMES[p];
  return name ? ` (${name})` : '';
}
