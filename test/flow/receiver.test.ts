/**
 * Receiver-faithful reassembly: one crafted decoy per technique a Linux client drops,
 * sent before the real server bytes. Each test asserts which bytes reach the stream (the
 * real ones) and that a stream-ambiguity names the decoy; the clean counterparts (offload
 * checksums, identical retransmissions) report nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKSUM_BAD, CHECKSUM_PARTIAL } from '../../src/decode/checksum.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type DropKind } from '../../src/decode/types.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { CLIENT, permuted, ranges, Recorder, SERVER, tcpPacket, type TcpOpts } from './helpers.js';

const A = TCP_ACK;
const PA = TCP_PSH | TCP_ACK;
const C_ISN = 1000;
const S_ISN = 90_000;
const MAC_CLIENT = 0x02_00_00_00_00_02;

interface Conn {
  table: FlowTable;
  rec: Recorder;
  /** Server data at stream offset `off` (relative to S_ISN + 1). */
  server(off: number, text: string, o?: TcpOpts & { flags?: number }): void;
  /** Client acknowledges server offset `off` with window `win` (scaled by 2^7). */
  clientAck(off: number, win?: number, o?: TcpOpts): void;
  serverText(): string;
}

/** A full handshake with window scaling (shift 7) and timestamps on both sides, as Linux sends it. */
function conn(initialWindow = 512): Conn {
  const table = new FlowTable();
  const rec = new Recorder();
  table.addObserver(rec);
  const link = { linkDst: MAC_CLIENT, vlan: -1 };
  table.packet(tcpPacket(CLIENT, SERVER, C_ISN, TCP_SYN, '', { windowScale: 7, tsVal: 500, linkDst: 0x02_00_00_00_00_01 }));
  table.packet(tcpPacket(SERVER, CLIENT, S_ISN, TCP_SYN | A, '', { ack: C_ISN + 1, windowScale: 7, tsVal: 9000, ...link }));
  table.packet(tcpPacket(CLIENT, SERVER, C_ISN + 1, A, '', { ack: S_ISN + 1, window: initialWindow, tsVal: 501, linkDst: 0x02_00_00_00_00_01 }));
  let tsVal = 9001;
  return {
    table,
    rec,
    server(off, text, o = {}) {
      table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1 + off, o.flags ?? PA, text, { ack: C_ISN + 1, tsVal: o.tsVal ?? tsVal++, ...link, ...o }));
    },
    clientAck(off, win = 512, o = {}) {
      table.packet(tcpPacket(CLIENT, SERVER, C_ISN + 1, A, '', { ack: S_ISN + 1 + off, window: win, tsVal: 502, linkDst: 0x02_00_00_00_00_01, ...o }));
    },
    serverText: () => rec.text(0, 1),
  };
}

const REAL = 'HTTP/1.1 200 OK\r\n';
const DECOY = 'HTTP/1.1 302 Hi\r\n';

function expectDecoyReported(c: Conn, kind: DropKind, decoyFrame?: number): void {
  const amb = c.rec.flows[0]?.ambiguities ?? [];
  expect(amb).toHaveLength(1);
  expect(amb[0]).toMatchObject({ dir: 1, kind, receiverChoice: 1, versions: [{ drop: kind }, {}] });
  expect(amb[0]?.versions[0]?.ascii).toContain('302');
  expect(amb[0]?.versions[1]?.ascii).toContain('200');
  if (decoyFrame !== undefined) expect(amb[0]?.versions[0]?.frames).toEqual([decoyFrame]);
  expect(c.table.drops.toJSON()).toEqual({ [`TCP: dropped as a Linux receiver would (${kind})`]: 1 });
}

describe('receiver-faithful TCP: decoys a Linux client drops', () => {
  const decoys: [string, DropKind, TcpOpts & { flags?: number }][] = [
    ['wrong TCP checksum', 'checksum', { checksum: CHECKSUM_BAD }],
    ['wrong IPv4 header checksum (decoder verdict)', 'ip-checksum', { drop: 'ip-checksum' }],
    ['IPv4 total length beyond the frame (decoder verdict)', 'ip-length', { drop: 'ip-length' }],
    ['no ACK flag', 'no-ack', { flags: TCP_PSH }],
    ['an old TCP timestamp (PAWS)', 'paws', { tsVal: 8000 }],
    ['a TCP MD5 signature option', 'tcp-signature', { signature: true }],
    ['another unicast MAC', 'link-destination', { linkDst: 0x02_00_00_00_00_99 }],
    ['another VLAN', 'link-destination', { vlan: 7 }],
  ];
  for (const [name, kind, opts] of decoys) {
    it(`${name}: the real bytes reach the stream and the decoy is reported`, () => {
      const c = conn();
      c.server(0, 'x'); // establishes ts_recent
      c.server(1, DECOY, { ...opts, frame: 7001 });
      c.server(1, REAL);
      expect(c.serverText()).toBe('x' + REAL);
      expectDecoyReported(c, kind, 7001);
    });
  }

  it('a SYN-flagged decoy in an established connection', () => {
    const c = conn();
    c.table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1, TCP_SYN | A, DECOY, { ack: C_ISN + 1, linkDst: MAC_CLIENT, frame: 7002 }));
    c.server(0, REAL);
    expect(c.serverText()).toBe(REAL);
    expectDecoyReported(c, 'syn', 7002);
    expect(c.rec.flows[0]?.flow).toMatchObject({ client: CLIENT, server: SERVER, roleBy: 'syn' });
  });

  it('a decoy beyond the receive window the client advertised (scaled)', () => {
    const c = conn(1); // window 1 << 7 = 128 bytes
    c.server(200, DECOY, { frame: 7003 });
    c.server(0, 'a'.repeat(200));
    c.clientAck(200, 4);
    c.server(200, REAL);
    expect(c.serverText()).toBe('a'.repeat(200) + REAL);
    expectDecoyReported(c, 'out-of-window', 7003);
  });

  it('server data before its SYN-ACK', () => {
    const table = new FlowTable();
    const rec = new Recorder();
    table.addObserver(rec);
    table.packet(tcpPacket(CLIENT, SERVER, C_ISN, TCP_SYN));
    table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1, PA, DECOY, { ack: C_ISN + 1 }));
    table.packet(tcpPacket(SERVER, CLIENT, S_ISN, TCP_SYN | A, '', { ack: C_ISN + 1 }));
    table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1, PA, REAL, { ack: C_ISN + 1 }));
    expect(rec.text(0, 1)).toBe(REAL);
    expect(rec.flows[0]?.ambiguities[0]).toMatchObject({ kind: 'before-handshake', receiverChoice: 1 });
  });

  it('an out-of-order decoy later covered by the real in-order copy: Linux keeps the in-order copy', () => {
    const c = conn();
    c.server(5, DECOY.slice(5), { frame: 7004 });
    c.server(0, REAL, { frame: 7005 });
    expect(c.serverText()).toBe(REAL);
    const amb = c.rec.flows[0]?.ambiguities ?? [];
    expect(amb).toMatchObject([{ kind: 'out-of-order-replaced', offset: 9, length: 6, receiverChoice: 1, versions: [{ frames: [7004] }, { frames: [7005] }] }]);
  });

  it('out-of-order overlaps: a segment inside a queued one is dropped, a covering one at the same start replaces it', () => {
    const c = conn();
    c.server(4, 'AAAAAAAA', { frame: 1 });
    c.server(6, 'bb', { frame: 2 }); // inside the queued segment: dropped
    c.server(10, 'CCCC', { frame: 3 });
    c.server(10, 'dddddd', { frame: 4 }); // same start, covers it: replaces
    c.server(0, '0123');
    // [4,12) starts first, so it wins [10,12) over the segment that replaced [10,14).
    expect(c.serverText()).toBe('0123AAAAAAAAdddd');
    expect((c.rec.flows[0]?.ambiguities ?? []).map((a) => [a.kind, a.offset, a.length, a.receiverChoice])).toEqual([
      ['conflicting-overlap', 6, 2, 0], // 'bb' inside the queued 'AAAAAAAA'
      ['conflicting-overlap', 10, 2, 0], // 'CCCC' against 'AA': the earlier start wins
      ['conflicting-overlap', 10, 2, 0], // 'dddddd' against 'AA'
      ['conflicting-overlap', 12, 2, 1], // 'dddddd' replaces the rest of 'CCCC' (same start)
    ]);
  });

  it('a spoofed client segment before the handshake does not become the stream base or decide roles', () => {
    const table = new FlowTable();
    const rec = new Recorder();
    table.addObserver(rec);
    table.packet(tcpPacket(SERVER, CLIENT, 5, PA, 'spoofed'));
    table.packet(tcpPacket(CLIENT, SERVER, C_ISN, TCP_SYN));
    table.packet(tcpPacket(SERVER, CLIENT, S_ISN, TCP_SYN | A, '', { ack: C_ISN + 1 }));
    table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1, PA, REAL, { ack: C_ISN + 1 }));
    table.finish();
    const real = rec.flows[1];
    expect(real?.flow).toMatchObject({ client: CLIENT, server: SERVER, roleBy: 'syn' });
    expect(rec.text(1, 1)).toBe(REAL);
    expect(table.drops.toJSON()).toEqual({ 'TCP: data before the handshake (flow restarted at the SYN)': 1 });
  });

  it('an urgent byte inside data is removed from the stream (Linux without SO_OOBINLINE) and reported', () => {
    const c = conn();
    c.server(0, '\x16\x03X\x01', { flags: PA | TCP_URG, urgPtr: 3 });
    expect(c.serverText()).toBe('\x16\x03\x01');
    expect(c.rec.flows[0]?.ambiguities).toMatchObject([{ kind: 'urgent-byte', offset: 2, length: 1, receiverChoice: 1 }]);
  });

  it('a server RST at the wrong sequence neither ends the flow nor marks it reset; one at the next sequence does', () => {
    const c = conn();
    c.server(0, REAL);
    c.table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1 + 5000, TCP_RST | A, '', { ack: C_ISN + 1, linkDst: MAC_CLIENT }));
    expect(c.rec.flows[0]?.flow.rstSeen).toBe(false);
    expect(c.table.drops.toJSON()).toEqual({ 'TCP: dropped as a Linux receiver would (rst-sequence)': 1 });
    c.server(REAL.length, 'more');
    expect(c.serverText()).toBe(REAL + 'more');
    c.table.packet(tcpPacket(SERVER, CLIENT, S_ISN + 1 + REAL.length + 4, TCP_RST | A, '', { ack: C_ISN + 1, linkDst: MAC_CLIENT }));
    expect(c.rec.flows[0]?.flow.rstSeen).toBe(true);
  });

  it('a server-side SYN in an established connection swaps nothing and ends nothing', () => {
    const c = conn();
    c.server(0, 'a');
    c.table.packet(tcpPacket(SERVER, CLIENT, 4242, TCP_SYN, '', { linkDst: MAC_CLIENT }));
    c.server(1, 'b');
    expect(c.rec.flows).toHaveLength(1);
    expect(c.rec.flows[0]?.flow).toMatchObject({ client: CLIENT, server: SERVER, rstSeen: false });
    expect(c.serverText()).toBe('ab');
  });

  it('a FIN without ACK does not half-close the direction', () => {
    const c = conn();
    c.server(0, 'a', { flags: TCP_FIN });
    expect(c.rec.flows[0]?.flow.finSeen).toEqual([false, false]);
  });
});

describe('receiver-faithful TCP: clean traffic reports nothing', () => {
  it('offload (pseudo-header) checksums, as captured on lo, are accepted', () => {
    const c = conn();
    c.server(0, REAL, { checksum: CHECKSUM_PARTIAL });
    c.server(REAL.length, 'body', { checksum: CHECKSUM_PARTIAL });
    expect(c.serverText()).toBe(REAL + 'body');
    expect(c.rec.flows[0]?.ambiguities).toEqual([]);
    expect(c.table.drops.toJSON()).toEqual({});
  });

  it('ordinary retransmissions with identical bytes (in order and out of order)', () => {
    const c = conn();
    c.server(4, 'ABCD');
    c.server(4, 'ABCD');
    c.server(0, '0123ABCD');
    c.server(0, '0123');
    expect(c.serverText()).toBe('0123ABCD');
    expect(c.rec.flows[0]?.ambiguities).toEqual([]);
    expect(c.table.drops.toJSON()).toEqual({});
  });

  it('an offload checksum on one of two conflicting accepted copies leaves the receiver choice unknown', () => {
    const c = conn();
    c.server(4, 'ABCD', { checksum: CHECKSUM_PARTIAL });
    c.server(0, '0123abcd');
    expect(c.rec.flows[0]?.ambiguities).toMatchObject([{ kind: 'out-of-order-replaced', receiverChoice: 'unknown' }]);
  });
});

describe('receiver-faithful TCP: properties and cost', () => {
  it('random segmentation, reordering and duplication of identical bytes over a full handshake: original bytes, no ambiguity, no drop', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 50 }),
        (data, cuts, order) => {
          const c = conn();
          let ts = 10_000;
          for (const s of permuted(ranges(data.length, cuts), order)) {
            c.table.packet(
              tcpPacket(SERVER, CLIENT, S_ISN + 1 + s[0], PA, data.slice(s[0], s[1]), { ack: C_ISN + 1, tsVal: ts++, linkDst: MAC_CLIENT, checksum: CHECKSUM_PARTIAL }),
            );
          }
          c.table.finish();
          expect(Uint8Array.from(c.rec.flows[0]?.bytes[1] ?? [])).toEqual(data);
          expect(c.rec.flows[0]?.ambiguities).toEqual([]);
          expect(c.table.drops.toJSON()).toEqual({});
        },
      ),
      { numRuns: 200 },
    );
  });

  it('adversarial overlapping out-of-order segments and decoys stay within a CPU bound', () => {
    const c = conn(0xffff);
    const t0 = performance.now();
    // 20,000 one-to-64-byte segments ahead of a hole, each overlapping many queued ones with other bytes.
    for (let i = 0; i < 20_000; i++) {
      const off = 1 + ((i * 7919) % 60_000);
      const len = 1 + (i % 64);
      c.server(off, String.fromCharCode(65 + (i % 26)).repeat(len));
      if (i % 10 === 0) c.server(off, 'x'.repeat(len), { flags: TCP_PSH });
    }
    c.server(0, 'y'.repeat(70_000));
    c.table.finish();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(c.rec.flows[0]?.ambiguities.length).toBeLessThanOrEqual(16);
  });
});
