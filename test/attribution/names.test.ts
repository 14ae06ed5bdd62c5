/**
 * The address → names map: several names per address, choice by flow start time, and
 * the caps that bound its memory (LRU over addresses, names per address).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressNames, type DnsName } from '../../src/attribution/names.js';

const rec = (name: string, ts: number, packet = ts): DnsName => ({ name, chain: [name], packet, ts, resolver: '10.0.0.53' });

describe('AddressNames', () => {
  it('keeps several names per address, most recent first', () => {
    const m = new AddressNames();
    m.learn('1.2.3.4', rec('a.example', 1));
    m.learn('1.2.3.4', rec('b.example', 2));
    expect(m.namesOf('1.2.3.4').map((r) => r.name)).toEqual(['b.example', 'a.example']);
    expect(m.nameFor('1.2.3.4')?.name).toBe('b.example');
    expect(m.nameFor('5.6.7.8')).toBeUndefined();
  });

  it('chooses the latest answer at or before the flow start', () => {
    const m = new AddressNames();
    m.learn('1.2.3.4', rec('a.example', 1));
    m.learn('1.2.3.4', rec('b.example', 5));
    expect(m.nameFor('1.2.3.4', 3)?.name).toBe('a.example');
    expect(m.nameFor('1.2.3.4', 5)?.name).toBe('b.example');
    expect(m.nameFor('1.2.3.4', 0.5)?.name).toBe('b.example');
  });

  it('remembers the first answer of a repeated name for flows that began before the repeat', () => {
    const m = new AddressNames();
    m.learn('1.2.3.4', rec('a.example', 1, 11));
    m.learn('1.2.3.4', rec('a.example', 9, 99));
    expect(m.namesOf('1.2.3.4')).toHaveLength(1);
    expect(m.nameFor('1.2.3.4', 3)?.packet).toBe(11);
    expect(m.nameFor('1.2.3.4', 10)?.packet).toBe(99);
  });

  it('caps names per address, dropping the least recently answered', () => {
    const m = new AddressNames(10, 2);
    for (const [i, n] of ['a', 'b', 'c'].entries()) m.learn('1.2.3.4', rec(`${n}.example`, i));
    expect(m.namesOf('1.2.3.4').map((r) => r.name)).toEqual(['c.example', 'b.example']);
  });

  it('evicts the least recently used address at the cap; a lookup counts as use', () => {
    const m = new AddressNames(2);
    m.learn('10.0.0.1', rec('one.example', 1));
    m.learn('10.0.0.2', rec('two.example', 2));
    m.nameFor('10.0.0.1');
    m.learn('10.0.0.3', rec('three.example', 3));
    expect(m.size).toBe(2);
    expect(m.evicted).toBe(1);
    expect(m.nameFor('10.0.0.2')).toBeUndefined();
    expect(m.nameFor('10.0.0.1')?.name).toBe('one.example');
  });

  it('never holds more than its caps, whatever is learned', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5 })), { maxLength: 200 }),
        (maxAddresses, maxNames, answers) => {
          const m = new AddressNames(maxAddresses, maxNames);
          const addresses = new Set<string>();
          for (const [i, [a, n]] of answers.entries()) {
            m.learn(`10.0.0.${a}`, rec(`n${n}.example`, i));
            addresses.add(`10.0.0.${a}`);
          }
          expect(m.size).toBeLessThanOrEqual(maxAddresses);
          for (const a of addresses) expect(m.namesOf(a).length).toBeLessThanOrEqual(maxNames);
          expect(m.size + m.evicted).toBeGreaterThanOrEqual(Math.min(addresses.size, maxAddresses));
        },
      ),
    );
  });
});
