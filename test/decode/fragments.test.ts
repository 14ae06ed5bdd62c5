import { describe, expect, it } from 'vitest';
import { Decoder } from '../../src/decode/decoder.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../src/decode/link.js';
import { bytes, ethernet, fragHeader, ext, ipv4, ipv6, record, snapped, tcp, udp } from './frames.js';

/** A UDP datagram split into IPv4 fragments of `size` payload bytes (multiple of 8). */
function v4Fragments(datagram: Uint8Array, size: number, id = 7, src = '10.0.0.1'): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < datagram.length; off += size) {
    const more = off + size < datagram.length;
    out.push(ipv4(datagram.subarray(off, off + size), { id, fragOffset: off, more, protocol: 17, src }));
  }
  return out;
}

function feed(dec: Decoder, frames: Uint8Array[], tsOf: (i: number) => number = () => 100): (ReturnType<Decoder['decode']>)[] {
  return frames.map((f, i) => dec.decode(record(LINKTYPE_RAW, f, i + 1, tsOf(i))));
}

const PAYLOAD = bytes(100, 3);
const DATAGRAM = udp(PAYLOAD, { srcPort: 1111, dstPort: 2222 });

function expectComplete(results: ReturnType<typeof feed>, frame: number): void {
  const done = results.filter((r) => r !== undefined);
  expect(done).toHaveLength(1);
  expect(done[0]).toMatchObject({ frame, srcPort: 1111, dstPort: 2222, protocol: 17, payloadTruncated: false });
  expect([...done[0]!.payload]).toEqual([...PAYLOAD]);
}

describe('IPv4 fragment reassembly', () => {
  it('in order: the completing fragment names the packet', () => {
    const dec = new Decoder();
    const frags = v4Fragments(DATAGRAM, 32);
    expect(frags).toHaveLength(4);
    expectComplete(feed(dec, frags), 4);
    expect(dec.problems.total).toBe(0);
    expect(dec.pendingFragmentQueues).toBe(0);
    expect(dec.bufferedFragmentBytes).toBe(0);
  });

  it('reversed and shuffled', () => {
    const frags = v4Fragments(DATAGRAM, 24);
    expectComplete(feed(new Decoder(), [...frags].reverse()), frags.length);
    expectComplete(feed(new Decoder(), [frags[2]!, frags[0]!, frags[4]!, frags[1]!, frags[3]!]), 5);
  });

  it('the reassembled payload is an owned copy', () => {
    const frags = v4Fragments(DATAGRAM, 32);
    const dec = new Decoder();
    const results = feed(dec, frags);
    for (const f of frags) f.fill(0);
    expect([...results[3]!.payload]).toEqual([...PAYLOAD]);
  });

  it('duplicates are counted and ignored', () => {
    const frags = v4Fragments(DATAGRAM, 32);
    const dec = new Decoder();
    expectComplete(feed(dec, [frags[0]!, frags[1]!, frags[1]!, frags[0]!, frags[2]!, frags[3]!]), 6);
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: duplicate fragment': 2 });
  });

  it('a partial overlap drops the whole datagram (Linux since 4.19, RFC 5722)', () => {
    const dec = new Decoder();
    const a = ipv4(DATAGRAM.subarray(0, 48), { more: true, protocol: 17 });
    const evil = DATAGRAM.slice(32, 80).fill(0xaa);
    const b = ipv4(evil, { fragOffset: 32, more: true, protocol: 17 });
    const c = ipv4(DATAGRAM.subarray(48), { fragOffset: 48, protocol: 17 });
    expect(feed(dec, [a, b, c])).toEqual([undefined, undefined, undefined]);
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: overlapping fragments (datagram dropped, as Linux does)': 1 });
  });

  it('a fragment covering holes on both sides of an existing one overlaps it: dropped', () => {
    const dec = new Decoder();
    const mid = ipv4(DATAGRAM.subarray(32, 48), { fragOffset: 32, more: true, protocol: 17 });
    const wide = ipv4(DATAGRAM.subarray(16, 64), { fragOffset: 16, more: true, protocol: 17 });
    const first = ipv4(DATAGRAM.subarray(0, 16), { more: true, protocol: 17 });
    const last = ipv4(DATAGRAM.subarray(64), { fragOffset: 64, protocol: 17 });
    expect(feed(dec, [mid, wide, last, first]).every((r) => r === undefined)).toBe(true);
    expect(dec.problems.get('IPv4: overlapping fragments (datagram dropped, as Linux does)')).toBe(1);
  });

  it('keys on (src, dst, protocol, id): interleaved datagrams stay apart', () => {
    const dec = new Decoder();
    const a = v4Fragments(DATAGRAM, 56, 1);
    const b = v4Fragments(DATAGRAM, 56, 1, '10.9.9.9');
    const c = v4Fragments(DATAGRAM, 56, 2);
    const results = feed(dec, [a[0]!, b[0]!, c[0]!, c[1]!, b[1]!, a[1]!]);
    expect(results.map((r) => r?.src)).toEqual([undefined, undefined, undefined, '10.0.0.1', '10.9.9.9', '10.0.0.1']);
  });

  it('never completed: timed out in capture time, or counted at finish', () => {
    const frags = v4Fragments(DATAGRAM, 32);
    const dec = new Decoder({ fragmentTimeoutSec: 30 });
    feed(dec, [frags[0]!, frags[1]!], () => 100);
    expect(dec.pendingFragmentQueues).toBe(1);
    dec.decode(record(LINKTYPE_RAW, ipv4(udp([1])), 3, 129));
    expect(dec.pendingFragmentQueues).toBe(1);
    // The late fragments arrive after the timeout: the old queue is gone, a new one waits.
    expect(feed(dec, [frags[2]!, frags[3]!], () => 131)).toEqual([undefined, undefined]);
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: fragment queue timed out': 1 });
    dec.finish();
    expect(dec.problems.get('IPv4: fragment queue incomplete at end of capture')).toBe(1);
    expect(dec.pendingFragmentQueues).toBe(0);
    expect(dec.bufferedFragmentBytes).toBe(0);
  });

  it('queue cap: the oldest queue is evicted and counted', () => {
    const dec = new Decoder({ maxFragmentQueues: 2 });
    const firsts = [1, 2, 3].map((id) => v4Fragments(DATAGRAM, 56, id)[0]!);
    feed(dec, firsts);
    expect(dec.pendingFragmentQueues).toBe(2);
    expect(dec.problems.toJSON()).toEqual({ 'IPv4: fragment queue evicted (queue limit)': 1 });
    // id 1 was evicted, id 3 still completes.
    expect(dec.decode(record(LINKTYPE_RAW, v4Fragments(DATAGRAM, 56, 1)[1]!, 4, 100))).toBeUndefined();
    expect(dec.decode(record(LINKTYPE_RAW, v4Fragments(DATAGRAM, 56, 3)[1]!, 5, 100))).toBeDefined();
  });

  it('memory cap: the oldest queue is evicted, bytes stay bounded', () => {
    // Each first fragment holds 56 bytes plus one piece's bookkeeping: two fit in 300.
    const dec = new Decoder({ maxFragmentBytes: 300 });
    for (let id = 0; id < 50; id++) {
      dec.decode(record(LINKTYPE_RAW, v4Fragments(DATAGRAM, 56, id)[0]!));
      expect(dec.bufferedFragmentBytes).toBeLessThanOrEqual(300);
    }
    expect(dec.pendingFragmentQueues).toBe(2);
    expect(dec.problems.get('IPv4: fragment queue evicted (memory limit)')).toBe(48);
    const big = ipv4(new Uint8Array(240), { more: true });
    expect(dec.decode(record(LINKTYPE_RAW, big))).toBeUndefined();
    expect(dec.problems.get('IPv4: fragment larger than the fragment memory limit')).toBe(1);
  });

  it('many tiny pieces are charged for their bookkeeping', () => {
    const dec = new Decoder({ maxFragmentBytes: 1000 });
    // Every other 8-byte slot of one datagram: 40 pieces would need 40 * (8 + overhead).
    for (let off = 0; off < 640; off += 16) {
      dec.decode(record(LINKTYPE_RAW, ipv4(new Uint8Array(8), { fragOffset: off, more: true, id: 77 }), 1, 100));
      expect(dec.bufferedFragmentBytes).toBeLessThanOrEqual(1000);
    }
    expect(dec.problems.get('IPv4: fragment queue evicted (memory limit)')).toBeGreaterThan(0);
  });

  it('caps below 1 are clamped: fragments still flow without hanging', () => {
    const dec = new Decoder({ maxFragmentQueues: 0, maxFragmentBytes: -5 });
    expect(dec.limits.maxFragmentQueues).toBe(1);
    expect(feed(dec, v4Fragments(DATAGRAM, 56))).toEqual([undefined, undefined]);
    expect(dec.problems.get('IPv4: fragment larger than the fragment memory limit')).toBe(2);
  });

  it('rejects fragments beyond the maximum datagram, misaligned, conflicting or cut', () => {
    const dec = new Decoder();
    const kinds: [Uint8Array, string][] = [
      [ipv4(new Uint8Array(16), { fragOffset: 65528, more: false }), 'IPv4: fragment beyond maximum datagram size'],
      [ipv4(new Uint8Array(5), { id: 2, more: true }), 'IPv4: non-final fragment length not a multiple of 8'],
    ];
    for (const [frame, kind] of kinds) {
      expect(dec.decode(record(LINKTYPE_RAW, frame))).toBeUndefined();
      expect(dec.problems.get(kind)).toBe(1);
    }
    const cut = ipv4(new Uint8Array(16), { id: 3, more: true });
    expect(dec.decode(snapped(LINKTYPE_RAW, cut, 30))).toBeUndefined();
    expect(dec.problems.get('IPv4: fragment cut by snaplen')).toBe(1);
    feed(dec, [
      ipv4(new Uint8Array(16), { id: 4, fragOffset: 16 }),
      ipv4(new Uint8Array(16), { id: 4, fragOffset: 24 }),
    ]);
    expect(dec.problems.get('IPv4: conflicting datagram end')).toBe(1);
    expect(dec.pendingFragmentQueues).toBe(0);
  });

  it('TCP over fragments, through Ethernet with padding', () => {
    const segment = tcp(bytes(40), { srcPort: 80, dstPort: 5000 });
    const f1 = ipv4(segment.subarray(0, 24), { more: true, protocol: 6, id: 9 });
    const f2 = ipv4(segment.subarray(24), { fragOffset: 24, protocol: 6, id: 9 });
    const dec = new Decoder();
    expect(dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x0800, f1)))).toBeUndefined();
    const pkt = dec.decode(record(LINKTYPE_ETHERNET, ethernet(0x0800, [...f2, 0, 0, 0, 0]), 2));
    expect(pkt).toMatchObject({ frame: 2, srcPort: 80, dstPort: 5000, protocol: 6 });
    expect([...pkt!.payload]).toEqual([...bytes(40)]);
  });
});

describe('IPv6 fragment reassembly', () => {
  function v6Fragments(datagram: Uint8Array, size: number, id: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let off = 0; off < datagram.length; off += size) {
      const more = off + size < datagram.length;
      out.push(ipv6([...fragHeader(17, off, more, id), ...datagram.subarray(off, off + size)], { nextHeader: 44 }));
    }
    return out;
  }

  it('reassembles out of order, keyed with the 32-bit id', () => {
    const frags = v6Fragments(DATAGRAM, 48, 0x80000001);
    const other = v6Fragments(DATAGRAM, 48, 0x00000001);
    const dec = new Decoder();
    const results = feed(dec, [frags[2]!, other[0]!, frags[0]!, frags[1]!]);
    expect(results[3]).toMatchObject({ ipVersion: 6, frame: 4, protocol: 17, srcPort: 1111, dstPort: 2222 });
    expect([...results[3]!.payload]).toEqual([...PAYLOAD]);
    expect(dec.pendingFragmentQueues).toBe(1);
  });

  it('unfragmentable headers before and extension headers after the fragment header', () => {
    // Reassembled part starts with a destination-options header, then UDP.
    const inner = Uint8Array.from([...ext(17, [1, 4, 0, 0, 0, 0]), ...DATAGRAM]);
    const hbh = ext(43, [1, 4, 0, 0, 0, 0]);
    const routing = ext(44, [0, 0, 0, 0, 0, 0]);
    const f = (off: number, more: boolean, data: Uint8Array) =>
      ipv6([...hbh, ...routing, ...fragHeader(60, off, more, 5), ...data], { nextHeader: 0 });
    const dec = new Decoder();
    const results = feed(dec, [f(56, false, inner.subarray(56)), f(0, true, inner.subarray(0, 56))]);
    expect(results[1]).toMatchObject({ protocol: 17, srcPort: 1111 });
    expect([...results[1]!.payload]).toEqual([...PAYLOAD]);
    expect(dec.problems.total).toBe(0);
  });

  it('an atomic fragment (offset 0, M=0) is a whole packet', () => {
    const dec = new Decoder();
    const pkt = dec.decode(record(LINKTYPE_RAW, ipv6([...fragHeader(17, 0, false, 99), ...DATAGRAM], { nextHeader: 44 })));
    expect(pkt).toMatchObject({ protocol: 17, srcPort: 1111 });
    expect(dec.pendingFragmentQueues).toBe(0);
  });

  it('a fragment header inside the reassembled datagram is malformed', () => {
    const inner = Uint8Array.from([...fragHeader(17, 8, false, 1), ...DATAGRAM]);
    const dec = new Decoder();
    const results = feed(dec, [
      ipv6([...fragHeader(44, 0, true, 6), ...inner.subarray(0, 64)], { nextHeader: 44 }),
      ipv6([...fragHeader(44, 64, false, 6), ...inner.subarray(64)], { nextHeader: 44 }),
    ]);
    expect(results).toEqual([undefined, undefined]);
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: fragment header inside a reassembled datagram': 1 });
  });

  it('timeouts and overlaps are counted under IPv6', () => {
    const frags = v6Fragments(DATAGRAM, 48, 1);
    const dec = new Decoder({ fragmentTimeoutSec: 5 });
    feed(dec, [frags[0]!, frags[0]!], () => 10);
    feed(dec, [frags[1]!], () => 16);
    expect(dec.problems.toJSON()).toEqual({ 'IPv6: duplicate fragment': 1, 'IPv6: fragment queue timed out': 1 });
  });
});

