// A record writer for the benchmark shapes no real program can produce at
// volume in reasonable time (millions of DNS transactions or TCP connections:
// dig and curl manage a few thousand per second in the namespace, so 2 GB
// would take hours). It writes classic pcap (Ethernet link type) with real
// IPv4 headers and correct IPv4, UDP and TCP checksums (RFC 791 §3.1,
// RFC 768, RFC 793 §3.1: the ones' complement sum including the pseudo-header),
// so tshark and tcpdump accept every frame as they would a capture. Frames are
// built straight into one large output buffer (no per-packet Buffer), which
// is what lets it write 2 GB in well under a minute.
import { Buffer } from 'node:buffer';
import { closeSync, openSync, writeSync } from 'node:fs';

const CHUNK = 8 << 20;
const MAX_FRAME = 14 + 60 + 60 + 65_535;
const MAC_CLIENT = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const MAC_SERVER = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** 16-bit ones' complement sum of buf[start, end) added to `sum` (not yet folded). */
function sum16(buf, start, end, sum) {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < end) sum += buf[i] << 8;
  return sum;
}

const fold = (sum) => {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
};

/** Dotted IPv4 of a 32-bit address (for logs and metadata). */
export const ipString = (a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

export class PcapWriter {
  /** Writes to every path in `paths` until each has reached its own byte target (`targets[i]`). */
  constructor(paths, targets) {
    this.fds = paths.map((p) => openSync(p, 'w'));
    this.targets = targets;
    this.written = paths.map(() => 0);
    this.packets = paths.map(() => 0);
    this.buf = Buffer.alloc(CHUNK + MAX_FRAME);
    this.off = 0;
    this.count = 0;
    this.flushedCount = 0;
    /** Caller's counters (transactions, connections …); copied into statsAt[i] when output i is complete. */
    this.stats = {};
    this.statsAt = paths.map(() => undefined);
    this.buf.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps
    this.buf.writeUInt16LE(2, 4);
    this.buf.writeUInt16LE(4, 6);
    this.buf.writeUInt32LE(262_144, 16); // snaplen
    this.buf.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    this.off = 24;
  }

  /** True once every output has reached its target. */
  get done() {
    return this.written.every((w, i) => w >= this.targets[i]);
  }

  /** Starts a frame: record header and Ethernet + IPv4 header; returns the offset of the L4 header. */
  #begin(ts, src, dst, proto, l4Len, toServer) {
    const b = this.buf;
    const o = this.off;
    const frameLen = 14 + 20 + l4Len;
    b.writeUInt32LE(Math.floor(ts / 1e6), o);
    b.writeUInt32LE(ts % 1e6, o + 4);
    b.writeUInt32LE(frameLen, o + 8);
    b.writeUInt32LE(frameLen, o + 12);
    const e = o + 16;
    const [dm, sm] = toServer ? [MAC_SERVER, MAC_CLIENT] : [MAC_CLIENT, MAC_SERVER];
    for (let i = 0; i < 6; i++) {
      b[e + i] = dm[i];
      b[e + 6 + i] = sm[i];
    }
    b[e + 12] = 0x08;
    b[e + 13] = 0x00;
    const ip = e + 14;
    b[ip] = 0x45;
    b[ip + 1] = 0;
    b.writeUInt16BE(20 + l4Len, ip + 2);
    b.writeUInt16BE(this.count & 0xffff, ip + 4); // identification
    b.writeUInt16BE(0x4000, ip + 6); // DF
    b[ip + 8] = 64;
    b[ip + 9] = proto;
    b[ip + 10] = 0;
    b[ip + 11] = 0;
    b.writeUInt32BE(src >>> 0, ip + 12);
    b.writeUInt32BE(dst >>> 0, ip + 16);
    b.writeUInt16BE(fold(sum16(b, ip, ip + 20, 0)), ip + 10);
    return ip + 20;
  }

  /** Pseudo-header sum (RFC 768 / RFC 793): addresses, protocol, L4 length. */
  static #pseudo(src, dst, proto, len) {
    return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
  }

  #end(l4, l4Len) {
    this.off = l4 + l4Len;
    this.count++;
    if (this.off >= CHUNK) this.flush();
  }

  /** One UDP datagram carrying `payload` (a Uint8Array). `toServer` only picks the MAC direction. */
  udp(ts, src, sport, dst, dport, payload, toServer) {
    const len = 8 + payload.length;
    const u = this.#begin(ts, src, dst, 17, len, toServer);
    const b = this.buf;
    b.writeUInt16BE(sport, u);
    b.writeUInt16BE(dport, u + 2);
    b.writeUInt16BE(len, u + 4);
    b[u + 6] = 0;
    b[u + 7] = 0;
    b.set(payload, u + 8);
    const c = fold(sum16(b, u, u + len, PcapWriter.#pseudo(src, dst, 17, len)));
    b.writeUInt16BE(c === 0 ? 0xffff : c, u + 6);
    this.#end(u, len);
  }

  /** One TCP segment; a SYN (without ACK: the client's) or SYN-ACK carries an MSS option. */
  tcp(ts, src, sport, dst, dport, seq, ack, flags, payload, toServer) {
    const syn = (flags & TCP_SYN) !== 0;
    const hdr = syn ? 24 : 20;
    const plen = payload ? payload.length : 0;
    const len = hdr + plen;
    const t = this.#begin(ts, src, dst, 6, len, toServer);
    const b = this.buf;
    b.writeUInt16BE(sport, t);
    b.writeUInt16BE(dport, t + 2);
    b.writeUInt32BE(seq >>> 0, t + 4);
    b.writeUInt32BE(ack >>> 0, t + 8);
    b[t + 12] = (hdr / 4) << 4;
    b[t + 13] = flags;
    b.writeUInt16BE(64_240, t + 14);
    b[t + 16] = 0;
    b[t + 17] = 0;
    b[t + 18] = 0;
    b[t + 19] = 0;
    if (syn) {
      b[t + 20] = 2;
      b[t + 21] = 4;
      b.writeUInt16BE(1460, t + 22);
    }
    if (plen) b.set(payload, t + hdr);
    b.writeUInt16BE(fold(sum16(b, t, t + len, PcapWriter.#pseudo(src, dst, 6, len))), t + 16);
    this.#end(t, len);
  }

  /** Writes the buffered frames to every output that still wants bytes (whole frames only, so each file ends on a record). */
  flush() {
    if (this.off === 0) return;
    for (let i = 0; i < this.fds.length; i++) {
      if (this.written[i] >= this.targets[i]) continue;
      writeSync(this.fds[i], this.buf, 0, this.off);
      this.written[i] += this.off;
      this.packets[i] += this.count - this.flushedCount;
      if (this.written[i] >= this.targets[i]) this.statsAt[i] = { ...this.stats };
    }
    this.flushedCount = this.count;
    this.off = 0;
  }

  close() {
    this.flush();
    for (const fd of this.fds) closeSync(fd);
  }
}

/** A small deterministic PRNG (mulberry32), so a generator version always writes the same bytes. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A binary min-heap of [time, seq, item] (seq keeps equal times in insertion order). */
export class Schedule {
  constructor() {
    this.heap = [];
    this.seq = 0;
  }

  get size() {
    return this.heap.length;
  }

  get nextTime() {
    return this.heap[0]?.[0];
  }

  push(time, item) {
    const h = this.heap;
    const e = [time, this.seq++, item];
    let i = h.push(e) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!Schedule.#less(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && Schedule.#less(h[r], h[l]) ? r : l;
        if (!Schedule.#less(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  static #less(a, b) {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
}
