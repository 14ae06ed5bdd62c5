/**
 * Reads a real capture through the real reader, decoder and flow table, recording each
 * TCP flow's reassembled chunks, so tests can feed them to the HTTP/2 analyzer as the
 * dispatcher would (and re-split them at will). For `Upgrade: h2c` flows the HTTP/1.1
 * request and 101 heads are cut off here, standing in for the HTTP/1 analyzer's hand-over.
 */
import { readCapture } from '../../../src/capture/source.js';
import { Decoder } from '../../../src/decode/decoder.js';
import { FlowTable } from '../../../src/flow/flow-table.js';
import type { Direction, Flow } from '../../../src/flow/types.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { createHttp2Analyzer, type Http2Upgrade } from '../../../src/protocols/http2/index.js';
import type { Counter } from '../../../src/util/counter.js';
import { testContext } from '../context.js';

export type Item = { kind: 'data'; dir: Direction; data: Uint8Array; frame: number; ts: number } | { kind: 'gap'; dir: Direction; size: number; frame: number; ts: number };

export interface RecordedFlow {
  flow: Flow;
  items: Item[];
}

export async function recordFlows(path: string): Promise<RecordedFlow[]> {
  const decoder = new Decoder();
  const table = new FlowTable();
  const flows: RecordedFlow[] = [];
  table.addObserver({
    flowStarted(flow) {
      if (flow.protocol !== 'tcp') return undefined;
      const rec: RecordedFlow = { flow, items: [] };
      flows.push(rec);
      return {
        data: (dir, c) => void rec.items.push({ kind: 'data', dir, data: c.data.slice(), frame: c.frame, ts: c.ts }),
        gap: (dir, _offset, size, frame, ts) => void rec.items.push({ kind: 'gap', dir, size, frame, ts }),
      };
    },
  });
  await readCapture(path, {
    packet(rec) {
      const pkt = decoder.decode(rec);
      if (pkt) table.packet(pkt);
    },
  });
  table.finish();
  return flows;
}

/** Splits an `Upgrade: h2c` flow: the HTTP/1.1 request it answers, and the HTTP/2 items after the two heads. */
export function afterUpgrade(rec: RecordedFlow): { upgrade: Http2Upgrade; items: Item[] } {
  const heads = ['', ''];
  const done = [false, false];
  let upgrade: Http2Upgrade | undefined;
  const items: Item[] = [];
  for (const item of rec.items) {
    if (item.kind === 'gap' || done[item.dir]) {
      items.push(item);
      continue;
    }
    const before = heads[item.dir]!.length;
    heads[item.dir] += Buffer.from(item.data).toString('latin1');
    const end = heads[item.dir]!.indexOf('\r\n\r\n');
    if (end < 0) continue;
    done[item.dir] = true;
    const rest = item.data.subarray(end + 4 - before);
    if (rest.length > 0) items.push({ ...item, data: rest });
    if (item.dir === 0) {
      const lines = heads[0]!.slice(0, end).split('\r\n');
      const [method, target] = lines[0]!.split(' ');
      const settings = lines.find((l) => /^http2-settings:/i.test(l))?.replace(/^[^:]*:\s*/, '');
      upgrade = { requestPacket: item.frame, method: method!, target: target!, settings };
    }
  }
  if (upgrade === undefined) throw new Error('no HTTP/1.1 upgrade request in the flow');
  return { upgrade, items };
}

/** Runs the HTTP/2 analyzer over items; returns its events and problems. */
export function analyze(flow: Flow, items: Item[], upgrade?: Http2Upgrade): { events: GotapEvent[]; problems: Counter } {
  const events: GotapEvent[] = [];
  const ctx = testContext(flow, (ev) => events.push(ev));
  const a = createHttp2Analyzer(ctx, upgrade ? { upgrade } : {});
  const problems = ctx.problems;
  for (const it of items) {
    if (it.kind === 'data') a.data(it.dir, { data: it.data, offset: 0, frame: it.frame, ts: it.ts });
    else a.gap(it.dir, it.size, it.frame, it.ts);
  }
  a.end(flow.lastTs, flow.lastFrame);
  return { events, problems };
}
