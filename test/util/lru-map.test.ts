import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressNames } from '../../src/attribution/names.js';
import { LruMap } from '../../src/util/lru-map.js';

describe('LruMap', () => {
  it('behaves as a Map in recency order with a capacity (model-based)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('get', 'set', 'delete', 'peek'), fc.integer({ min: 0, max: 12 })), { maxLength: 200 }), (ops) => {
        const lru = new LruMap<number, number>(5);
        const model = new Map<number, number>();
        ops.forEach(([op, k], i) => {
          if (op === 'set') {
            model.delete(k);
            model.set(k, i);
            if (model.size > 5) model.delete(model.keys().next().value!);
            lru.set(k, i);
          } else if (op === 'get') {
            const v = model.get(k);
            if (v !== undefined) {
              model.delete(k);
              model.set(k, v);
            }
            expect(lru.get(k)).toBe(v);
          } else if (op === 'delete') expect(lru.delete(k)).toBe(model.delete(k));
          else expect(lru.peek(k)).toBe(model.get(k));
          expect(lru.size).toBe(model.size);
        });
        for (const k of model.keys()) expect(lru.has(k)).toBe(true);
      }),
    );
  });

  it('evicts in O(1) under steady churn (no tombstone walk): 400,000 distinct addresses through a 100,000 cap', () => {
    const names = new AddressNames(100_000);
    const record = { name: 'h.example', chain: ['h.example'], packet: 1, ts: 1, resolver: '127.0.0.53' };
    const start = process.cpuUsage();
    for (let i = 0; i < 400_000; i++) names.learn(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, record);
    const cpu = process.cpuUsage(start);
    expect(names.size).toBe(100_000);
    expect(names.evicted).toBe(300_000);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(3000);
  });
});
