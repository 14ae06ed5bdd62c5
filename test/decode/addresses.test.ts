import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4String, ipv6String } from '../../src/decode/addresses.js';

function v6(groups: number[]): Uint8Array {
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

describe('ipv4String', () => {
  it('formats a dotted quad at an offset', () => {
    expect(ipv4String(Uint8Array.from([9, 0, 10, 255, 1]), 1)).toBe('0.10.255.1');
  });
});

describe('ipv6String (RFC 5952)', () => {
  const table: [number[], string][] = [
    // 4.1 leading zeros suppressed
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    // 4.2.1 shorten as much as possible
    [[0x2001, 0xdb8, 0, 0, 0, 0, 2, 1], '2001:db8::2:1'],
    // 4.2.2 a single zero group is not compressed
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
    // 4.2.3 longest run wins; first on ties
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    // 4.3 lowercase
    [[0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa], '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
    // 5 IPv4-mapped
    [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280], '::ffff:192.0.2.128'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0xfe80, 0, 0, 0, 0, 0, 0, 0], 'fe80::'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0, 1, 0, 1, 0, 1, 0, 1], '0:1:0:1:0:1:0:1'],
    [[0, 0, 1, 1, 1, 1, 1, 1], '::1:1:1:1:1:1'],
    [[1, 1, 1, 1, 1, 1, 0, 0], '1:1:1:1:1:1::'],
    [[0xff02, 0, 0, 0, 0, 0, 1, 2], 'ff02::1:2'],
    // an IPv4-compatible (deprecated) address stays hexadecimal
    [[0, 0, 0, 0, 0, 0, 0xc000, 0x0280], '::c000:280'],
  ];
  it.each(table)('%j → %s', (groups, text) => {
    expect(ipv6String(v6(groups), 0)).toBe(text);
  });

  it('reads at an offset', () => {
    const d = new Uint8Array(20);
    d.set(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), 3);
    expect(ipv6String(d, 3)).toBe('2001:db8::1');
  });

  it('always yields valid IPv6 text that round-trips to the same bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 }), (groups) => {
        const text = ipv6String(v6(groups), 0);
        expect(isIPv6(text)).toBe(true);
        expect(text).toBe(text.toLowerCase());
        expect(text.split('::').length).toBeLessThanOrEqual(2);
        expect(text).not.toMatch(/(^|:)0[0-9a-f]/);
        expect(new URL(`http://[${text}]/`).hostname).toBe(`[${normalize(text)}]`);
      }),
    );
  });
});

/** WHATWG URL serializes IPv6 per RFC 5952 too, except that it writes IPv4-mapped in hex. */
function normalize(text: string): string {
  const m = /^::ffff:(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) return text;
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

describe('ipv4String cache', () => {
  it('never returns a stale address for a colliding slot', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), { minLength: 1, maxLength: 50 }), (addrs) => {
        for (const quad of [...addrs, ...addrs.reverse()]) {
          expect(ipv4String(Uint8Array.from(quad), 0)).toBe(quad.join('.'));
        }
      }),
    );
  });
});
