import { describe, expect, it } from 'vitest';
import { HeldRecords, HoldBudget } from '../../../../src/protocols/tls/decrypt/held-records.js';

const bytes = (n: number, v = 7) => new Uint8Array(n).fill(v);

describe('HeldRecords', () => {
  it('keeps copies in arrival order across directions and returns the budget on take()', () => {
    const budget = new HoldBudget(1000);
    const h = new HeldRecords(budget, 500);
    const src = bytes(10, 1);
    expect(h.hold(1, 23, 0x0303, src, 5, 1.5)).toEqual({ kept: true });
    src.fill(9); // the caller's view is reused: the held record must not change
    expect(h.hold(0, 23, 0x0303, bytes(20, 2), 6, 1.6).kept).toBe(true);
    expect([h.length, h.heldBytes, budget.used]).toEqual([2, 30, 30]);
    const out = h.take();
    expect(out.map((r) => [r.dir, r.frame, r.fragment[0]])).toEqual([
      [1, 5, 1],
      [0, 6, 2],
    ]);
    expect([h.length, budget.used]).toEqual([0, 0]);
  });

  it('drops everything held and refuses more when the flow cap is hit, counting it', () => {
    const budget = new HoldBudget(10_000);
    const h = new HeldRecords(budget, 100);
    expect(h.hold(1, 23, 0x0303, bytes(60), 1, 0).kept).toBe(true);
    const outcome = h.hold(1, 23, 0x0303, bytes(60), 2, 0);
    expect(outcome.kept ? [] : outcome.dropped.map((r) => r.frame)).toEqual([1]);
    expect(h.overflowed).toBe(true);
    expect(h.hold(1, 23, 0x0303, bytes(5), 3, 0)).toEqual({ kept: false, dropped: [] });
    expect(h.take()).toEqual([]);
    expect(budget).toMatchObject({ used: 0, droppedRecords: 3, droppedBytes: 125, overflowedFlows: 1 });
  });

  it('enforces the global budget across flows', () => {
    const budget = new HoldBudget(100);
    const a = new HeldRecords(budget, 1000);
    const b = new HeldRecords(budget, 1000);
    expect(a.hold(0, 23, 0x0303, bytes(80), 1, 0).kept).toBe(true);
    expect(b.hold(0, 23, 0x0303, bytes(30), 2, 0).kept).toBe(false);
    expect(a.length).toBe(1);
    a.release();
    expect(budget.used).toBe(0);
    const c = new HeldRecords(budget, 1000);
    expect(c.hold(0, 23, 0x0303, bytes(90), 3, 0).kept).toBe(true);
  });
});
