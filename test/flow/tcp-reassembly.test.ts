import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type DecodedPacket } from '../../src/decode/types.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import type { FlowTableLimits } from '../../src/flow/types.js';
import { bytes, CLIENT, Recorder, SERVER, tcpPacket, type Side } from './helpers.js';

const A = TCP_ACK;
const PA = TCP_PSH | TCP_ACK;

function setup(limits?: Partial<FlowTableLimits>): { table: FlowTable; rec: Recorder } {
  const table = new FlowTable(limits);
  const rec = new Recorder();
  table.addObserver(rec);
  return { table, rec };
}

/** SYN / SYN-ACK with the given ISNs; the client's data then starts at cIsn + 1. */
function handshake(table: FlowTable, cIsn: number, sIsn: number, client: Side = CLIENT, server: Side = SERVER): void {
  table.packet(tcpPacket(client, server, cIsn, TCP_SYN));
  table.packet(tcpPacket(server, client, sIsn, TCP_SYN | A, '', { ack: cIsn + 1 }));
  table.packet(tcpPacket(client, server, cIsn + 1, A, '', { ack: sIsn + 1 }));
}

function seg(data: Uint8Array, isn: number, from: number, to: number, frame?: number): DecodedPacket {
  return tcpPacket(CLIENT, SERVER, isn + 1 + from, PA, data.slice(from, to), frame === undefined ? {} : { frame });
}

describe('TCP reassembly', () => {
  it('reorders, drops duplicates, keeps the first copy of conflicting overlaps and reports the hole as a gap', () => {
    const { table, rec } = setup();
    const isn = 1000;
    handshake(table, isn, 5000);
    const data = bytes(3000, 7);
    const conflicting = data.slice(1200, 1400);
    for (let i = 0; i < 50; i++) conflicting[i * 4] = ((conflicting[i * 4] as number) + 1) & 0xff;

    table.packet(seg(data, isn, 1000, 1500));
    table.packet(seg(data, isn, 1700, 2200));
    table.packet(seg(data, isn, 1000, 1500)); // duplicate of a queued segment
    table.packet(tcpPacket(CLIENT, SERVER, isn + 1 + 1200, PA, conflicting)); // overlaps queued bytes, 50 differ
    table.packet(seg(data, isn, 0, 500));
    table.packet(seg(data, isn, 500, 1000));
    table.packet(seg(data, isn, 400, 700)); // already delivered
    table.packet(seg(data, isn, 2200, 3000));
    table.packet(tcpPacket(CLIENT, SERVER, isn + 1 + 3000, TCP_FIN | A));
    expect(rec.flows[0]?.position[0]).toBe(1500);
    table.finish();

    const r = rec.flows[0];
    expect(r).toBeDefined();
    expect(r?.gaps[0]).toEqual([{ offset: 1500, size: 200, frame: expect.any(Number) }]);
    const expected = Uint8Array.from([...data.subarray(0, 1500), ...data.subarray(1700)]);
    expect(Uint8Array.from(r?.bytes[0] ?? [])).toEqual(expected);
    const st = r?.flow.stats[0];
    expect(st).toMatchObject({
      streamBytes: 2800,
      gaps: 1,
      gapBytes: 200,
      retransmissions: 3,
      conflictingOverlapBytes: 50,
      outOfOrder: 3,
      capDrops: 0,
      payloadBytes: 500 * 3 + 200 + 500 + 500 + 300 + 800,
    });
    expect(r?.flow.endReason).toBe('fin');
  });

  it('an in-order segment replaces different queued out-of-order bytes (Linux), reported as an ambiguity', () => {
    const { table, rec } = setup();
    handshake(table, 0, 0);
    const data = bytes(300, 3);
    table.packet(seg(data, 0, 100, 200, 901));
    const other = data.slice(0, 150);
    other[120] = ((other[120] as number) ^ 0xff) & 0xff;
    other[130] = ((other[130] as number) ^ 0xff) & 0xff;
    table.packet(tcpPacket(CLIENT, SERVER, 1, PA, other, { frame: 902 }));
    table.packet(seg(data, 0, 200, 300));
    expect(Uint8Array.from(rec.flows[0]?.bytes[0] ?? [])).toEqual(Uint8Array.from([...other, ...data.subarray(150)]));
    expect(rec.flows[0]?.flow.stats[0]).toMatchObject({ conflictingOverlapBytes: 2, retransmissions: 1, gaps: 0 });
    expect(rec.flows[0]?.ambiguities).toMatchObject([
      { dir: 0, kind: 'out-of-order-replaced', offset: 120, length: 11, receiverChoice: 1, versions: [{ frames: [901] }, { frames: [902] }] },
    ]);
  });

  it('delivers an in-order segment without copying it', () => {
    const table = new FlowTable();
    handshake(table, 10, 20);
    const payload = bytes(100);
    const views: Uint8Array[] = [];
    table.addObserver({ flowStarted: () => ({ data: (_d, c) => views.push(c.data) }) });
    // A new flow (new observer only sees flows started after it).
    const c2 = { addr: CLIENT.addr, port: 50999 };
    handshake(table, 10, 20, c2);
    table.packet(tcpPacket(c2, SERVER, 11, PA, payload));
    expect(views).toHaveLength(1);
    expect(views[0]?.buffer).toBe(payload.buffer);
  });

  it('takes the first seen sequence number as the base without a SYN', () => {
    const { table, rec } = setup();
    const base = 777_777;
    table.packet(tcpPacket(CLIENT, SERVER, base, PA, 'world'));
    table.packet(tcpPacket(CLIENT, SERVER, base - 6, PA, 'hello ')); // before the stream start
    table.packet(tcpPacket(CLIENT, SERVER, base + 5, PA, '!'));
    table.packet(tcpPacket(SERVER, CLIENT, 42, A, 'ok', { ack: base + 6 }));
    const r = rec.flows[0];
    expect(r?.flow.synSeen).toBe(false);
    expect(r?.flow.roleBy).toBe('port');
    expect(rec.text(0, 0)).toBe('world!');
    expect(rec.text(0, 1)).toBe('ok');
    expect(r?.chunks[0]?.[0]?.offset).toBe(0);
    expect(r?.flow.stats[0].retransmissions).toBe(1);
  });

  it('handles 32-bit sequence wraparound', () => {
    const { table, rec } = setup();
    const isn = 2 ** 32 - 1000;
    handshake(table, isn, 2 ** 32 - 1);
    const data = bytes(3000, 11);
    const order = [3, 0, 9, 5, 1, 2, 8, 4, 7, 6];
    for (const i of order) table.packet(seg(data, isn, i * 300, (i + 1) * 300));
    table.packet(tcpPacket(SERVER, CLIENT, 0, PA, 'reply', { ack: isn + 3001 }));
    expect(Uint8Array.from(rec.flows[0]?.bytes[0] ?? [])).toEqual(data);
    expect(rec.text(0, 1)).toBe('reply');
    expect(rec.flows[0]?.flow.stats[0]).toMatchObject({ gaps: 0, outOfOrder: 5, streamBytes: 3000 });
  });

  it('delivers data carried on a SYN (TCP Fast Open) and ignores payload on RST', () => {
    const { table, rec } = setup();
    table.packet(tcpPacket(CLIENT, SERVER, 99, TCP_SYN, 'GET '));
    table.packet(tcpPacket(SERVER, CLIENT, 500, TCP_SYN | A, '', { ack: 104 }));
    table.packet(tcpPacket(CLIENT, SERVER, 104, PA, '/'));
    table.packet(tcpPacket(SERVER, CLIENT, 501, TCP_RST | A, 'junk'));
    expect(rec.text(0, 0)).toBe('GET /');
    expect(rec.text(0, 1)).toBe('');
    expect(rec.flows[0]?.flow.rstSeen).toBe(true);
    expect(rec.flows[0]?.flow.stats[1]).toMatchObject({ streamBytes: 0, payloadBytes: 4, packets: 2 });
  });

  it('treats keep-alives and zero-window probe retransmissions as retransmissions', () => {
    const { table, rec } = setup();
    handshake(table, 0, 0);
    table.packet(tcpPacket(CLIENT, SERVER, 1, PA, 'abc'));
    table.packet(tcpPacket(CLIENT, SERVER, 3, A, 'c')); // keep-alive: 1 byte at next - 1
    table.packet(tcpPacket(CLIENT, SERVER, 4, A, 'd')); // zero-window probe: the next byte
    table.packet(tcpPacket(CLIENT, SERVER, 4, A, 'd')); // the probe again
    expect(rec.text(0, 0)).toBe('abcd');
    expect(rec.flows[0]?.flow.stats[0]).toMatchObject({ retransmissions: 2, streamBytes: 4, payloadBytes: 6 });
  });

  it('declares a hole a gap as soon as the peer acknowledges past it', () => {
    const { table, rec } = setup();
    handshake(table, 0, 0);
    const data = bytes(400, 5);
    table.packet(seg(data, 0, 0, 100));
    table.packet(seg(data, 0, 200, 300));
    expect(rec.flows[0]?.gaps[0]).toEqual([]);
    const ackFrame = 900_001;
    table.packet(tcpPacket(SERVER, CLIENT, 1, A, '', { ack: 301, frame: ackFrame }));
    expect(rec.flows[0]?.gaps[0]).toEqual([{ offset: 100, size: 100, frame: ackFrame }]);
    // A segment ahead of bytes the receiver already acknowledged is not buffered either.
    table.packet(tcpPacket(SERVER, CLIENT, 1, A, '', { ack: 401 }));
    table.packet(seg(data, 0, 350, 400));
    expect(rec.flows[0]?.gaps[0]?.[1]).toMatchObject({ offset: 300, size: 50 });
    expect(rec.flows[0]?.position[0]).toBe(400);
    expect(table.bufferedBytes).toBe(0);
  });

  it('declares the hole a gap when the per-direction cap is hit, then keeps delivering', () => {
    const { table, rec } = setup({ maxBufferedBytesPerDirection: 1000 });
    handshake(table, 0, 0);
    const data = bytes(2000, 9);
    table.packet(seg(data, 0, 100, 600));
    table.packet(seg(data, 0, 600, 1100)); // exactly at the cap: still buffered
    expect(table.bufferedBytes).toBe(1000);
    table.packet(seg(data, 0, 1200, 1300)); // over the cap
    const r = rec.flows[0];
    expect(r?.gaps[0]).toEqual([{ offset: 0, size: 100, frame: expect.any(Number) }]);
    expect(r?.position[0]).toBe(1100);
    expect(table.bufferedBytes).toBe(100);
    table.packet(seg(data, 0, 1100, 1200));
    table.packet(seg(data, 0, 1300, 2000));
    expect(Uint8Array.from(r?.bytes[0] ?? [])).toEqual(data.subarray(100));
    expect(r?.flow.stats[0]).toMatchObject({ capDrops: 1, gaps: 1, gapBytes: 100 });
    expect(table.counters.bufferCapHits).toBe(1);
    expect(table.counters.peakBufferedBytes).toBe(1000);
  });

  it('skips straight to a segment larger than the cap', () => {
    const { table, rec } = setup({ maxBufferedBytesPerDirection: 100 });
    handshake(table, 0, 0);
    const data = bytes(500, 2);
    table.packet(seg(data, 0, 200, 500));
    expect(rec.flows[0]?.gaps[0]).toEqual([{ offset: 0, size: 200, frame: expect.any(Number) }]);
    expect(Uint8Array.from(rec.flows[0]?.bytes[0] ?? [])).toEqual(data.subarray(200));
    expect(table.bufferedBytes).toBe(0);
  });

  it('makes the flow buffering the most give up its hole when the global cap is hit', () => {
    const { table, rec } = setup({ maxBufferedBytesPerDirection: 1000, maxBufferedBytesTotal: 1500 });
    const c1 = { addr: '10.0.0.3', port: 40001 };
    const c2 = { addr: '10.0.0.4', port: 40002 };
    handshake(table, 0, 0, c1);
    handshake(table, 0, 0, c2);
    const data = bytes(1200, 4);
    table.packet(tcpPacket(c1, SERVER, 101, PA, data.slice(100, 900))); // flow 1 buffers 800
    table.packet(tcpPacket(c2, SERVER, 101, PA, data.slice(100, 700))); // flow 2 buffers 600
    expect(table.bufferedBytes).toBe(1400);
    table.packet(tcpPacket(c2, SERVER, 701, PA, data.slice(700, 900))); // would be 1600 in all
    const [f1, f2] = rec.flows;
    expect(f1?.gaps[0]).toEqual([{ offset: 0, size: 100, frame: expect.any(Number) }]);
    expect(f1?.position[0]).toBe(900);
    expect(f2?.gaps[0]).toEqual([]);
    expect(f2?.flow.stats[0].capDrops).toBe(1);
    expect(table.bufferedBytes).toBe(800);
    expect(table.counters.bufferCapHits).toBe(1);
    expect(table.counters.peakBufferedBytes).toBeLessThanOrEqual(1500);
    table.packet(tcpPacket(c2, SERVER, 1, PA, data.slice(0, 100)));
    expect(Uint8Array.from(f2?.bytes[0] ?? [])).toEqual(data.subarray(0, 900));
    expect(table.bufferedBytes).toBe(0);
  });

  it('bounds the number of queued pieces, not only their bytes', () => {
    const { table, rec } = setup({ maxBufferedBytesPerDirection: 1000 });
    handshake(table, 0, 0);
    // 1-byte segments with 1-byte holes: 64 pieces is the floor for a small byte cap.
    for (let i = 0; i < 100; i++) table.packet(tcpPacket(CLIENT, SERVER, 1 + 2 * i + 1, PA, 'x'));
    const st = rec.flows[0]?.flow.stats[0];
    expect(st?.capDrops).toBeGreaterThan(0);
    expect(table.bufferedBytes).toBeLessThanOrEqual(64);
    table.finish();
    expect((st?.streamBytes ?? 0) + (st?.gapBytes ?? 0)).toBe(rec.flows[0]?.position[0]);
    expect(st?.streamBytes).toBe(100);
  });
});
