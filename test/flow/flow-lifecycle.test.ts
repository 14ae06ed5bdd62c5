import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/decode/types.js';
import { DEFAULT_FLOW_LIMITS, FlowTable } from '../../src/flow/flow-table.js';
import type { FlowTableLimits } from '../../src/flow/types.js';
import { CLIENT, Recorder, SERVER, tcpPacket, udpPacket, type Side } from './helpers.js';

const A = TCP_ACK;

function setup(limits?: Partial<FlowTableLimits>): { table: FlowTable; rec: Recorder } {
  const table = new FlowTable(limits);
  const rec = new Recorder();
  table.addObserver(rec);
  return { table, rec };
}

/** A full connection up to and including FIN both ways, at capture time `ts`. */
function connectAndClose(table: FlowTable, ts: number, isn = 100, client: Side = CLIENT): void {
  table.packet(tcpPacket(client, SERVER, isn, TCP_SYN, '', { ts }));
  table.packet(tcpPacket(SERVER, client, 900, TCP_SYN | A, '', { ack: isn + 1, ts }));
  table.packet(tcpPacket(client, SERVER, isn + 1, TCP_PSH | A, 'hi', { ack: 901, ts }));
  table.packet(tcpPacket(client, SERVER, isn + 3, TCP_FIN | A, '', { ack: 901, ts }));
  table.packet(tcpPacket(SERVER, client, 901, TCP_FIN | A, '', { ack: isn + 4, ts }));
}

const OTHER_A: Side = { addr: '192.0.2.7', port: 40000 };
const OTHER_B: Side = { addr: '192.0.2.8', port: 53 };

/** Some unrelated traffic that advances the capture clock. */
function tick(table: FlowTable, ts: number): void {
  table.packet(udpPacket(OTHER_A, OTHER_B, 'tick', ts));
}

describe('flow roles and keying', () => {
  it('keys both directions to one flow and takes roles from SYN or SYN-ACK', () => {
    const { table, rec } = setup();
    const f = table.packet(tcpPacket(CLIENT, SERVER, 1, TCP_SYN));
    expect(table.packet(tcpPacket(SERVER, CLIENT, 1, TCP_SYN | A, '', { ack: 2 }))).toBe(f);
    expect(f).toMatchObject({ id: 1, roleBy: 'syn', client: CLIENT, server: SERVER, synSeen: true, synAckSeen: true, ipVersion: 4 });

    const hi: Side = { addr: '2001:db8::1', port: 8080 };
    const lo: Side = { addr: '2001:db8::2', port: 8080 };
    const g = table.packet(tcpPacket(hi, lo, 1, TCP_SYN | A));
    expect(g).toMatchObject({ roleBy: 'syn-ack', client: lo, server: hi, synSeen: false, ipVersion: 6 });
    expect(rec.flows).toHaveLength(2);
  });

  it('uses the port heuristic, then the first packet, without a SYN', () => {
    const { table } = setup();
    expect(table.packet(tcpPacket(SERVER, CLIENT, 5, A, 'data'))).toMatchObject({ roleBy: 'port', client: CLIENT, server: SERVER });
    const p1: Side = { addr: '10.1.1.1', port: 40000 };
    const p2: Side = { addr: '10.1.1.2', port: 3000 };
    expect(table.packet(tcpPacket(p1, p2, 5, A))).toMatchObject({ roleBy: 'port', client: p1, server: p2 });
    const e1: Side = { addr: '10.1.1.3', port: 50001 };
    const e2: Side = { addr: '10.1.1.4', port: 50002 };
    expect(table.packet(tcpPacket(e2, e1, 5, A))).toMatchObject({ roleBy: 'first-packet', client: e2, server: e1 });
  });

  it('counts per-direction packets and wire bytes', () => {
    const { table } = setup();
    table.packet(tcpPacket(CLIENT, SERVER, 1, TCP_SYN, '', { wireLen: 74 }));
    table.packet(tcpPacket(SERVER, CLIENT, 1, TCP_SYN | A, '', { ack: 2, wireLen: 74 }));
    const f = table.packet(tcpPacket(CLIENT, SERVER, 2, A, 'abc', { ack: 2, wireLen: 100 }));
    expect(f?.stats[0]).toMatchObject({ packets: 2, wireBytes: 174, payloadBytes: 3, streamBytes: 3 });
    expect(f?.stats[1]).toMatchObject({ packets: 1, wireBytes: 74, payloadBytes: 0 });
  });

  it('ignores protocols other than TCP and UDP', () => {
    const { table, rec } = setup();
    const icmp = { ...udpPacket(CLIENT, SERVER, 'ping'), protocol: 1, srcPort: 0, dstPort: 0 };
    expect(table.packet(icmp)).toBeUndefined();
    const undecodedTcp = { ...udpPacket(CLIENT, SERVER, 'x'), protocol: 6 };
    expect(table.packet(undecodedTcp)).toBeUndefined();
    expect(rec.flows).toHaveLength(0);
    expect(table.counters.flows).toBe(0);
  });
});

describe('UDP flows', () => {
  it('delivers datagrams per direction with port-based roles', () => {
    const { table, rec } = setup();
    const resolver: Side = { addr: '127.0.0.53', port: 53 };
    const stub: Side = { addr: '127.0.0.1', port: 41234 };
    const f = table.packet(udpPacket(resolver, stub, 'answer')); // response seen first
    table.packet(udpPacket(stub, resolver, 'query'));
    expect(f).toMatchObject({ protocol: 'udp', roleBy: 'port', client: stub, server: resolver });
    expect(rec.flows[0]?.datagrams.map((d) => [d.dir, d.text])).toEqual([
      [1, 'answer'],
      [0, 'query'],
    ]);
    expect(f?.stats[0]).toMatchObject({ packets: 1, payloadBytes: 5, streamBytes: 0 });
    expect(table.counters).toMatchObject({ flows: 1, udpFlows: 1, tcpFlows: 0 });
  });

  it('falls back to the first packet when both ports look alike', () => {
    const { table } = setup();
    const a: Side = { addr: '224.0.0.251', port: 5353 };
    const b: Side = { addr: '192.168.1.9', port: 5353 };
    expect(table.packet(udpPacket(b, a, 'mdns'))).toMatchObject({ roleBy: 'first-packet', client: b, server: a });
  });
});

describe('flow lifecycle', () => {
  it('ends a flow with FIN both ways after the linger, handler before observer', () => {
    const { table, rec } = setup();
    connectAndClose(table, 1000);
    table.packet(tcpPacket(CLIENT, SERVER, 104, A, '', { ack: 902, ts: 1000.1 })); // straggler
    tick(table, 1004);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    tick(table, 1005.5);
    expect(rec.flows[0]?.flow.endReason).toBe('fin');
    expect(rec.flows[0]?.calls).toEqual(['end', 'ended']);
    expect(rec.text(0, 0)).toBe('hi');
    expect(table.size).toBe(1); // only the tick flow remains
  });

  it('ends a flow after RST with the same linger', () => {
    const { table, rec } = setup({ closeLingerSec: 2 });
    table.packet(tcpPacket(CLIENT, SERVER, 1, TCP_SYN, '', { ts: 1000 }));
    table.packet(tcpPacket(SERVER, CLIENT, 0, TCP_RST | A, '', { ack: 2, ts: 1000 }));
    tick(table, 1001);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    tick(table, 1002.5);
    expect(rec.flows[0]?.flow.endReason).toBe('rst');
  });

  it('starts a new flow when a SYN reuses the tuple of a closed flow', () => {
    const { table, rec } = setup();
    connectAndClose(table, 1000, 100);
    const f2 = table.packet(tcpPacket(CLIENT, SERVER, 5000, TCP_SYN, '', { ts: 1001 }));
    expect(f2?.id).toBe(2);
    expect(rec.flows[0]?.flow.endReason).toBe('fin');
    expect(rec.log.slice(-2)).toEqual(['end 1 fin', 'start 2']);
    table.packet(tcpPacket(CLIENT, SERVER, 5001, TCP_PSH | A, 'again', { ts: 1001 }));
    expect(rec.text(1, 0)).toBe('again');
  });

  it('starts a new flow when a SYN follows a RST on the same tuple', () => {
    const { table, rec } = setup();
    table.packet(tcpPacket(CLIENT, SERVER, 100, TCP_SYN, '', { ts: 1000 }));
    table.packet(tcpPacket(SERVER, CLIENT, 0, TCP_RST | A, '', { ack: 101, ts: 1000 }));
    expect(table.packet(tcpPacket(CLIENT, SERVER, 100, TCP_SYN, '', { ts: 1001 }))?.id).toBe(2);
    expect(rec.flows[0]?.flow.endReason).toBe('rst');
    expect(rec.flows[1]?.flow).toMatchObject({ roleBy: 'syn', rstSeen: false });
  });

  it('starts a new flow on a SYN with a different ISN after a long idle, not on a SYN retransmission', () => {
    const { table, rec } = setup();
    table.packet(tcpPacket(CLIENT, SERVER, 100, TCP_SYN, '', { ts: 1000 }));
    expect(table.packet(tcpPacket(CLIENT, SERVER, 100, TCP_SYN, '', { ts: 1001 }))?.id).toBe(1);
    table.packet(tcpPacket(SERVER, CLIENT, 900, TCP_SYN | A, '', { ack: 101, ts: 1001 }));
    table.packet(tcpPacket(CLIENT, SERVER, 101, TCP_PSH | A, 'x', { ack: 901, ts: 1002 }));
    expect(table.packet(tcpPacket(CLIENT, SERVER, 7_000_000, TCP_SYN, '', { ts: 1010 }))?.id).toBe(1);
    const f2 = table.packet(tcpPacket(CLIENT, SERVER, 9_000_000, TCP_SYN, '', { ts: 1100 }));
    expect(f2?.id).toBe(2);
    expect(rec.flows[0]?.flow.endReason).toBe('idle-timeout');
  });

  it('expires idle flows in capture time, UDP sooner than TCP', () => {
    const { table, rec } = setup();
    table.packet(udpPacket(CLIENT, OTHER_B, 'q', 1000));
    table.packet(tcpPacket(CLIENT, SERVER, 1, TCP_SYN, '', { ts: 1000 }));
    tick(table, 1059);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    tick(table, 1061);
    expect(rec.flows[0]?.flow.endReason).toBe('idle-timeout');
    expect(rec.flows[1]?.flow.endReason).toBeUndefined();
    tick(table, 1301);
    expect(rec.flows[1]?.flow.endReason).toBe('idle-timeout');
    // The UDP flow of the ticks themselves idled out as well.
    expect(table.counters.idleTimeouts).toBe(3);
  });

  it('neither crashes nor expires flows when capture time steps back', () => {
    const { table, rec } = setup({ udpIdleTimeoutSec: 10 });
    table.packet(udpPacket(CLIENT, OTHER_B, 'q', 100_000));
    tick(table, 100_008);
    tick(table, 99_990); // a little back in time
    tick(table, 100_005);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    // A big jump back (e.g. merged files) is a discontinuity: idle time continues from 100_008.
    tick(table, 1000);
    tick(table, 1002);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    tick(table, 1003);
    expect(rec.flows[0]?.flow.endReason).toBe('idle-timeout');
  });

  it('is not thrown off by single mis-stamped packets', () => {
    const { table, rec } = setup({ udpIdleTimeoutSec: 10, closeLingerSec: 2 });
    table.packet(udpPacket(CLIENT, OTHER_B, 'q', 1000));
    connectAndClose(table, 1000);
    tick(table, 5e9); // far future
    tick(table, 1001);
    tick(table, 1); // far past
    tick(table, 1001.5);
    expect(rec.flows.map((r) => r.flow.endReason)).toEqual([undefined, undefined, undefined]);
    tick(table, 1002.5);
    expect(rec.flows[1]?.flow.endReason).toBe('fin');
    tick(table, 1011);
    expect(rec.flows[0]?.flow.endReason).toBe('idle-timeout');
  });

  it('treats a long pause in the capture as a discontinuity, then times out as usual', () => {
    const { table, rec } = setup({ udpIdleTimeoutSec: 10 });
    table.packet(udpPacket(CLIENT, OTHER_B, 'q', 1000));
    tick(table, 1000 + 7200);
    tick(table, 1000 + 7205);
    expect(rec.flows[0]?.flow.endReason).toBeUndefined();
    tick(table, 1000 + 7211);
    expect(rec.flows[0]?.flow.endReason).toBe('idle-timeout');
  });

  it('evicts the least recently active flow when the table is full', () => {
    const { table, rec } = setup({ maxFlows: 3 });
    const c = (port: number): Side => ({ addr: '10.9.9.9', port });
    table.packet(udpPacket(c(40001), OTHER_B, '1', 1000));
    table.packet(tcpPacket(c(40002), SERVER, 1, TCP_SYN, '', { ts: 1000 }));
    table.packet(udpPacket(c(40003), OTHER_B, '3', 1000));
    table.packet(udpPacket(c(40001), OTHER_B, '1 again', 1000));
    table.packet(udpPacket(c(40004), OTHER_B, '4', 1000));
    expect(rec.flows[1]?.flow.endReason).toBe('evicted');
    expect(rec.flows.filter((r) => r.flow.endReason !== undefined)).toHaveLength(1);
    table.packet(udpPacket(c(40005), OTHER_B, '5', 1000));
    expect(rec.flows[2]?.flow.endReason).toBe('evicted');
    expect(table.counters).toMatchObject({ evicted: 2, peakFlows: 3, flows: 5 });
    expect(table.size).toBe(3);
  });

  it('ends every open flow at capture end, flushing queued data as gaps', () => {
    const { table, rec } = setup();
    table.packet(tcpPacket(CLIENT, SERVER, 1, TCP_SYN, '', { ts: 1000 }));
    table.packet(tcpPacket(CLIENT, SERVER, 5, TCP_PSH | A, 'tail', { ts: 1000 }));
    table.packet(udpPacket(CLIENT, OTHER_B, 'q', 1000));
    const half: Side = { addr: '10.0.0.9', port: 50000 };
    table.packet(tcpPacket(half, SERVER, 1, TCP_FIN | A, '', { ts: 1000 }));
    table.finish();
    expect(rec.flows.map((r) => r.flow.endReason)).toEqual(['capture-end', 'capture-end', 'fin']);
    expect(rec.flows[0]?.gaps[0]).toEqual([{ offset: 0, size: 3, frame: expect.any(Number) }]);
    expect(rec.text(0, 0)).toBe('tail');
    expect(table.size).toBe(0);
    expect(table.bufferedBytes).toBe(0);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_FLOW_LIMITS).toEqual({
      maxFlows: 16384,
      maxBufferedBytesPerDirection: 1 << 20,
      maxBufferedBytesTotal: 64 << 20,
      tcpIdleTimeoutSec: 300,
      udpIdleTimeoutSec: 60,
      closeLingerSec: 5,
    });
  });
});
