import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_PSH, TCP_SYN } from '../../src/decode/types.js';
import { BufferBudget } from '../../src/flow/buffer-budget.js';
import { emptyDirectionStats, FlowTable } from '../../src/flow/flow-table.js';
import { TcpReassembler } from '../../src/flow/tcp-reassembler.js';
import type { FlowHandler } from '../../src/flow/types.js';
import { CLIENT, permuted, ranges, Recorder, SERVER, tcpPacket, type Side } from './helpers.js';


describe('reassembly properties', () => {
  it('(a) any permutation/duplication/overlap of a segmentation without holes is delivered byte-exact', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 1500 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
        fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xffffff00, max: 0xffffffff })),
        fc.boolean(),
        fc.array(fc.boolean(), { maxLength: 80 }),
        (data, cuts, order, extra, isn, withSyn, acks) => {
          const table = new FlowTable();
          const rec = new Recorder();
          table.addObserver(rec);
          const segs = ranges(data.length, cuts);
          // Extra segments: arbitrary overlapping sub-ranges carrying the same bytes.
          for (const [a, b] of extra) {
            const from = a % data.length;
            const to = from + 1 + (b % (data.length - from));
            segs.push([from, to]);
          }
          // Random sort keys give a permutation; repeated indices in `order` duplicate segments.
          let sequence = permuted(segs, order);
          const dataIsn = withSyn ? isn : (isn - 1) >>> 0;
          if (withSyn) {
            table.packet(tcpPacket(CLIENT, SERVER, isn, TCP_SYN));
          } else {
            // Mid-connection: the first seen segment defines offset 0.
            sequence = [segs[0] as [number, number], ...sequence];
          }
          // The receiver acknowledges (truthfully) the contiguous prefix it holds.
          const have = new Uint8Array(data.length);
          let prefix = 0;
          sequence.forEach(([from, to], i) => {
            table.packet(tcpPacket(CLIENT, SERVER, dataIsn + 1 + from, TCP_PSH | TCP_ACK, data.slice(from, to)));
            have.fill(1, from, to);
            while (prefix < data.length && have[prefix] === 1) prefix++;
            if (acks[i]) table.packet(tcpPacket(SERVER, CLIENT, 1, TCP_ACK, '', { ack: dataIsn + 1 + prefix }));
          });
          table.finish();
          const r = rec.flows[0];
          expect(Uint8Array.from(r?.bytes[0] ?? [])).toEqual(data);
          expect(r?.gaps[0]).toEqual([]);
          expect(r?.flow.stats[0].conflictingOverlapBytes).toBe(0);
          // Identical bytes, however segmented or repeated, never look like two versions.
          expect(r?.ambiguities).toEqual([]);
          expect(table.drops.toJSON()).toEqual({});
          expect(r?.flow.stats[0].streamBytes).toBe(data.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  const arbSegment = fc.record({
    client: fc.boolean(),
    tuple: fc.integer({ min: 0, max: 2 }),
    seqDelta: fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: 0, max: 0xffffffff })),
    ackDelta: fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: 0, max: 0xffffffff })),
    flags: fc.integer({ min: 0, max: 0xff }),
    len: fc.integer({ min: 0, max: 400 }),
    dt: fc.oneof(fc.double({ min: -5, max: 20, noNaN: true }), fc.constant(0)),
  });

  it('(b) random segments never throw, stay within the caps, and deliver contiguously with gaps accounted for', () => {
    fc.assert(
      fc.property(
        fc.array(arbSegment, { maxLength: 150 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 3000 }),
        (segments, base, perDir, total) => {
          const table = new FlowTable({
            maxBufferedBytesPerDirection: perDir,
            maxBufferedBytesTotal: total,
            maxFlows: 2,
            udpIdleTimeoutSec: 30,
            tcpIdleTimeoutSec: 60,
            closeLingerSec: 1,
          });
          const rec = new Recorder();
          table.addObserver(rec);
          let ts = 1000;
          let fill = 0;
          for (const s of segments) {
            const c: Side = { addr: CLIENT.addr, port: 50000 + s.tuple };
            const payload = new Uint8Array(s.len).fill(fill++ & 0xff);
            ts += s.dt;
            const seq = base + s.seqDelta;
            const ack = base + s.ackDelta;
            const p = s.client ? tcpPacket(c, SERVER, seq, s.flags, payload, { ack, ts }) : tcpPacket(SERVER, c, seq, s.flags, payload, { ack, ts });
            table.packet(p);
            expect(table.bufferedBytes).toBeLessThanOrEqual(total);
          }
          table.finish();
          expect(table.bufferedBytes).toBe(0);
          expect(table.counters.peakBufferedBytes).toBeLessThanOrEqual(total);
          for (const r of rec.flows) {
            expect(r.flow.endReason).toBeDefined();
            for (const dir of [0, 1] as const) {
              const st = r.flow.stats[dir];
              expect(st.streamBytes + st.gapBytes).toBe(r.position[dir]);
              expect(st.streamBytes).toBe(r.bytes[dir].length);
              expect(st.gaps).toBe(r.gaps[dir].length);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(b) per-direction and global buffers never exceed their caps', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dir: fc.integer({ min: 0, max: 1 }),
            ack: fc.boolean(),
            delta: fc.integer({ min: -2000, max: 6000 }),
            len: fc.integer({ min: 0, max: 300 }),
          }),
          { maxLength: 200 },
        ),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 2500 }),
        (ops, base, perDir, total) => {
          const budget = new BufferBudget(total);
          const handlers: FlowHandler[] = [];
          const rx = [0, 1].map((d) => new TcpReassembler(d as 0 | 1, emptyDirectionStats(), handlers, budget, perDir, 8));
          let frame = 0;
          for (const op of ops) {
            const r = rx[op.dir] as TcpReassembler;
            const seq = (base + op.delta) >>> 0;
            if (op.ack) r.ack(seq, ++frame, 0);
            else r.segment(seq, false, new Uint8Array(op.len), ++frame, 0);
            const [r0, r1] = rx as [TcpReassembler, TcpReassembler];
            expect(r0.buffered).toBeLessThanOrEqual(perDir);
            expect(r1.buffered).toBeLessThanOrEqual(perDir);
            expect(budget.totalBytes).toBe(r0.buffered + r1.buffered);
            expect(budget.totalBytes).toBeLessThanOrEqual(total);
            expect(budget.totalPieces).toBeLessThanOrEqual(budget.maxPieces);
          }
          for (const r of rx) r.flush(frame, 0);
          expect(budget.totalBytes).toBe(0);
          expect(budget.totalPieces).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
