import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedPacket } from '../../src/decode/types.js';
import { Decoder } from '../../src/decode/decoder.js';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD12,
  LINKTYPE_RAW_BSD14,
} from '../../src/decode/link.js';
import { be16, be32, bytes, ethernet, ext, fragHeader, ipv4, ipv6, nflog, nullFrame, record, sll, snapped, sll2, tcp, udp } from './frames.js';

const LINK_TYPES = [
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW_BSD12,
  LINKTYPE_RAW_BSD14,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_NFLOG,
  LINKTYPE_LINUX_SLL2,
];

const TCP_OPTIONS = [2, 4, ...be16(1460), 1, 3, 3, 7, 4, 2, 8, 10, ...be32(1), ...be32(2), 1, 1, 1, 0];

/** The payload must be a view inside the frame's bytes, or a reassembled copy no larger than a datagram. */
function expectInBounds(pkt: DecodedPacket, data: Uint8Array): void {
  const p = pkt.payload;
  if (p.buffer === data.buffer) {
    expect(p.byteOffset).toBeGreaterThanOrEqual(data.byteOffset);
    expect(p.byteOffset + p.byteLength).toBeLessThanOrEqual(data.byteOffset + data.byteLength);
  } else {
    expect(p.byteLength).toBeLessThanOrEqual(65535);
  }
}

/** Decode every prefix of `frame`: never throws; each cut is counted or marked truncated. */
function truncateEverywhere(linkType: number, frame: Uint8Array, payloadLength: number): void {
  for (let n = 0; n <= frame.length; n++) {
    const dec = new Decoder();
    // A copy, so a read past the end cannot land on the rest of the frame.
    const data = frame.slice(0, n);
    const pkt = dec.decode({ ...snapped(linkType, frame, n), data });
    const counted = dec.problems.total + dec.unsupported.total;
    if (n === frame.length) {
      expect(pkt!.payload.length).toBe(payloadLength);
      expect(pkt!.payloadTruncated).toBe(false);
      expect(counted).toBe(0);
    } else if (pkt === undefined) {
      expect(counted, `cut at ${n}`).toBe(1);
    } else {
      expect(pkt.payloadTruncated, `cut at ${n}`).toBe(true);
      expectInBounds(pkt, data);
    }
  }
}

describe('truncation at every byte offset', () => {
  it('TCP/IPv4/Ethernet with IP and TCP options', () => {
    const frame = ethernet(0x0800, ipv4(tcp(bytes(30), { options: TCP_OPTIONS }), { protocol: 6, options: [1, 1, 1, 0] }));
    truncateEverywhere(LINKTYPE_ETHERNET, frame, 30);
  });

  it('TCP/IPv6 with extension headers under VLAN', () => {
    const frame = ethernet(0x86dd, ipv6([...ext(6, [1, 2, 0, 0]), ...tcp(bytes(9), { options: TCP_OPTIONS })], { nextHeader: 0 }), [
      [0x8100, 3],
    ]);
    truncateEverywhere(LINKTYPE_ETHERNET, frame, 9);
  });

  it('UDP/IPv4 under SLL2 and NFLOG', () => {
    truncateEverywhere(LINKTYPE_LINUX_SLL2, sll2(0x0800, ipv4(udp(bytes(12)))), 12);
    truncateEverywhere(LINKTYPE_NFLOG, nflog(ipv4(udp(bytes(12))), true), 12);
  });
});

/** A valid frame for each link type, as a seed for mutation. */
function seedFrames(): [number, Uint8Array][] {
  const t4 = ipv4(tcp(bytes(20), { options: TCP_OPTIONS }), { protocol: 6 });
  const u6 = ipv6([...ext(43, [0, 0, 0, 0, 0, 0]), ...fragHeader(17, 0, true, 5), ...udp(bytes(16))], { nextHeader: 0 });
  const f4 = ipv4(bytes(16), { more: true, fragOffset: 8, protocol: 17 });
  return [
    [LINKTYPE_ETHERNET, ethernet(0x0800, t4, [[0x88a8, 1], [0x8100, 2]])],
    [LINKTYPE_ETHERNET, ethernet(0x86dd, u6)],
    [LINKTYPE_ETHERNET, ethernet(0x8864, [0x11, 0, 0, 1, ...be16(t4.length + 2), 0, 0x21, ...t4])],
    [LINKTYPE_LINUX_SLL, sll(0x0800, f4)],
    [LINKTYPE_LINUX_SLL2, sll2(0x86dd, u6)],
    [LINKTYPE_RAW, t4],
    [LINKTYPE_RAW_BSD12, u6],
    [LINKTYPE_RAW_BSD14, f4],
    [LINKTYPE_IPV4, t4],
    [LINKTYPE_IPV6, u6],
    [LINKTYPE_NULL, nullFrame(30, u6, true)],
    [LINKTYPE_LOOP, nullFrame(2, t4, false)],
    [LINKTYPE_NFLOG, nflog(t4, true)],
  ];
}

describe('fast-check properties', () => {
  it('random bytes under every link type never throw and stay in bounds', () => {
    const dec = new Decoder({ maxFragmentQueues: 8, maxFragmentBytes: 4096 });
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES, 147), fc.uint8Array({ maxLength: 200 }), (linkType, data) => {
        const pkt = dec.decode(record(linkType, data));
        if (pkt !== undefined) expectInBounds(pkt, data);
        expect(dec.bufferedFragmentBytes).toBeLessThanOrEqual(4096);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated and truncated valid frames never throw and stay in bounds', () => {
    const seeds = seedFrames();
    const dec = new Decoder({ maxFragmentQueues: 4, maxFragmentBytes: 1024 });
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 80 })),
        fc.integer({ min: 0, max: 60 }),
        (which, flips, cut, ts) => {
          const [linkType, seed] = seeds[which]!;
          const data = seed.slice(0, Math.max(0, seed.length - cut));
          for (const [pos, value] of flips) if (data.length > 0) data[pos % data.length] = value;
          const pkt = dec.decode(record(linkType, data, 1, ts));
          if (pkt !== undefined) expectInBounds(pkt, data);
          expect(dec.pendingFragmentQueues).toBeLessThanOrEqual(4);
          expect(dec.bufferedFragmentBytes).toBeLessThanOrEqual(1024);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
