/**
 * `stream-ambiguity`: bytes of a connection had two different versions on the wire — a
 * decoy the receiver's kernel drops (bad checksum, out of window, no ACK, PAWS, MD5, another
 * MAC), conflicting retransmissions, an urgent byte — the flow layer's stream-ambiguity
 * events (docs/reassembly.md). The stream gotap analyses is the one a Linux receiver keeps,
 * so the verdicts stand for that client; the finding says that another observer (an IDS, a
 * different OS, gotap's own older versions) could have been shown other bytes, and that
 * someone on the path crafted them. Warn, with both versions' frames; critical when the
 * capture cannot tell which version the receiver kept (both were acceptable), since then
 * the content a verdict rests on may not be the client's. One finding per host and kind.
 */
import type { FlowContext } from '../../enrich/flow-context.js';
import { msg } from '../../findings/message.js';
import { framesText, type FindingScope, type Group } from '../../findings/store.js';
import type { AmbiguityKind } from '../../flow/types.js';
import type { GotapEvent, StreamAmbiguityEvent } from '../../protocols/events.js';
import type { Detector, FindingDraft, Severity } from '../types.js';
import { findingHost } from '../tls/context.js';

/** What each kind means to a reader, for the detail text. */
const WHY: Record<string, string> = {
  'conflicting-overlap': 'two accepted copies of the same bytes differed',
  'out-of-order-replaced': 'bytes queued out of order were replaced by a different in-order copy',
  'urgent-byte': 'an urgent-pointer byte sat inside the data (a Linux receiver removes it from the stream)',
};

interface AmbiguityGroup {
  host: string;
  kind: AmbiguityKind;
  severity: Severity;
  /** The latest example: what each version showed and which one the receiver keeps. */
  example: StreamAmbiguityEvent;
}

function versionText(ev: StreamAmbiguityEvent, i: 0 | 1): string {
  const v = ev.versions[i];
  if (!v) return '';
  const why = v.drop !== undefined ? `, dropped by the receiver: ${v.drop}` : '';
  return `frame ${v.frames.join('/')} "${v.ascii}" (checksum ${v.checksum}${why})`;
}

export function createStreamAmbiguityDetector(_opts: unknown, findings: FindingScope): Detector {
  const groups = findings.aggregator<AmbiguityGroup>();
  const publish = findings.publisher<AmbiguityGroup>(render);

  function onAmbiguity(ev: StreamAmbiguityEvent, ctx: FlowContext): void {
    const host = findingHost(ctx.attribution) ?? ev.server.addr;
    const severity: Severity = ev.receiverChoice === 'unknown' ? 'critical' : 'warn';
    const frames = ev.versions.flatMap((v) => v.frames);
    const g = groups.add(`${host}|${ev.kind}|${severity}`, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `${ev.kind}: frames ${frames.join(', ')} carried different bytes at stream offset ${ev.offset}` }, () => ({
      host,
      kind: ev.kind,
      severity,
      example: ev,
    }));
    if (!g) return;
    g.data.example = ev;
    publish(g);
  }

  function render(g: Group<AmbiguityGroup>): FindingDraft {
    const { host, kind, severity, example: ev } = g.data;
    const side = ev.dir === 1 ? 'server → client' : 'client → server';
    const kept = ev.receiverChoice === 'unknown' ? undefined : ev.receiverChoice;
    const cause = WHY[kind] ?? `a copy a Linux receiver drops (${kind}) carried other bytes`;
    return {
      id: 'stream-ambiguity',
      severity,
      host,
      values: { host, count: g.count },
      title: msg`Bytes of the connection to ${host} had two versions on the wire (${kind})`,
      detail: msg`In the ${side} stream at offset ${ev.offset} (${ev.length} bytes), ${cause}: ${versionText(ev, 0)} vs ${versionText(ev, 1)}. ${
        kept === undefined
          ? msg`The capture cannot tell which one the client kept, so what gotap analysed may not be what the client saw.`
          : msg`A Linux client keeps frame ${ev.versions[kept]?.frames.join('/') ?? '?'}; gotap analysed that version.`
      } Seen ${g.count} time${g.count === 1 ? '' : 's'} (${framesText(g.evidence, g.count)}). Such decoys are crafted on the path to show an observer other bytes than the client gets.`,
      fix: msg`Capture on the client itself (not on a mirror port or middlebox), and look at both versions in Wireshark (\`tcp.analysis.retransmission or tcp.checksum.status == 0\`); if the path to ${host} rewrites or injects TCP segments, treat it as hostile and use another network.`,
    };
  }

  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type === 'stream-ambiguity') onAmbiguity(ev, ctx);
    },
  };
}
