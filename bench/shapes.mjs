// The two packets-per-second shapes of the benchmark, written with the record
// writer (bench/pcap-writer.mjs; why a record writer: see there):
//
// - DNS storm: stub clients asking many resolvers about many names, one
//   fresh source port per query (as glibc and Go do), with CNAME chains,
//   NXDOMAIN (+ SOA), AAAA, retransmissions and unanswered queries. Messages
//   are encoded by dns-packet once per (name, type) and reused with a new ID.
// - Short flows: TCP connections of ~50,000 clients to 4,096 servers on 443
//   (SYN, SYN-ACK, ACK, a ClientHello, FIN), some never answered (SYN and
//   its retransmissions), some refused (RST), some stalled after the
//   ClientHello. The ClientHello is the Go client's from
//   captures/go-get-tls.pcap with its server_name extension (RFC 6066 §3)
//   rewritten per connection and a fresh random.
//
// Both are a stream of transactions started at a fixed rate whose packets go
// through a time-ordered schedule, so transactions interleave as on a real
// link and timestamps only grow. Everything comes from a seeded PRNG: a
// generator version always writes the same bytes, and a smaller file is a
// prefix of a larger one.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { PcapWriter, prng, Schedule, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from './pcap-writer.mjs';

const EPOCH_US = 1_700_000_000 * 1e6;
const SECOND = 1e6;
const ip = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Runs transactions started every `interval` µs until the writer has written all its outputs. */
function drive(writer, interval, start, emit) {
  const schedule = new Schedule();
  let next = EPOCH_US;
  while (!writer.done) {
    if (schedule.size === 0 || next <= schedule.nextTime) {
      start(next, schedule);
      next += interval;
    } else {
      const [t, , item] = schedule.pop();
      emit(t, item);
    }
  }
}

// ---- DNS storm --------------------------------------------------------------

const DNS_NAMES = 200_000;
const DNS_CLIENTS = 20_000;
const DNS_RESOLVERS = 256;
const WORDS = ['api', 'cdn', 'mail', 'static', 'auth', 'img', 'login', 'metrics', 'ws', 'edge', 'gw', 'db', 'proxy', 'sum', 'index', 'git'];

const nameHash = (i) => Math.imul(i + 1, 2_654_435_761) >>> 0;

function dnsName(i) {
  const h = nameHash(i);
  return `${WORDS[h & 15]}-${i}.${WORDS[(h >>> 4) & 15]}${h % 3001}.example${(h >>> 8) % 50}.test`;
}

/** Query and response for name i and type A/AAAA, by the name's fixed kind: answer, CNAME chain, or NXDOMAIN. */
function dnsMessages(i, type) {
  const name = dnsName(i);
  const h = nameHash(i);
  const kind = h % 100;
  const questions = [{ type, name }];
  const flags = dnsPacket.RECURSION_DESIRED;
  const query = dnsPacket.encode({ type: 'query', id: 0, flags, questions });
  const answers = [];
  const authorities = [];
  let rcode = 0;
  const zone = name.slice(name.indexOf('.') + 1);
  const address = (k) => (type === 'A'
    ? `198.${18 + (k & 1)}.${(h >>> 8) & 255}.${(h + k) & 255}`
    : `2001:db8:${(h >>> 16).toString(16)}:${(h & 0xffff).toString(16)}::${k + 1}`);
  if (kind < 12) {
    rcode = 3; // NXDOMAIN with the zone's SOA (RFC 2308 §2.1)
    authorities.push({ type: 'SOA', name: zone, ttl: 300, data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 2024010101, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 } });
  } else {
    let owner = name;
    if (kind < 30) {
      const links = 1 + (h >>> 20) % 3; // a CNAME chain of 1–3 links
      for (let k = 0; k < links; k++) {
        const target = `${WORDS[(h >>> (k * 4)) & 15]}${k}.cdn${h % 97}.example-cdn.test`;
        answers.push({ type: 'CNAME', name: owner, ttl: 300, data: target });
        owner = target;
      }
    }
    const count = 1 + (h >>> 12) % 4;
    for (let k = 0; k < count; k++) answers.push({ type, name: owner, ttl: 60, data: address(k) });
  }
  const response = dnsPacket.encode({ type: 'response', id: 0, flags: flags | dnsPacket.RECURSION_AVAILABLE | rcode, questions, answers, authorities });
  return [query, response];
}

/**
 * Writes the DNS storm. Per transaction: 1 % unanswered (query and two
 * retransmissions at 1 s and 3 s), 3 % answered after one retransmission at
 * 1 s, the rest answered in 0.2–20 ms. 70 % ask for A, 30 % for AAAA; names
 * are skewed towards the first ones (popular names asked often).
 */
export function writeDnsStorm(paths, targets, seed = 1) {
  const writer = new PcapWriter(paths, targets);
  const rand = prng(seed);
  const cache = new Map();
  const stats = writer.stats;
  stats.transactions = 0;
  const messages = (i, type) => {
    const key = type === 'A' ? i : -1 - i;
    let m = cache.get(key);
    if (!m) cache.set(key, (m = dnsMessages(i, type)));
    return m;
  };
  drive(writer, 20, (t, schedule) => {
    stats.transactions++;
    const r = rand();
    const name = Math.floor(DNS_NAMES * rand() * rand());
    const [query, response] = messages(name, rand() < 0.7 ? 'A' : 'AAAA');
    const c = Math.floor(rand() * DNS_CLIENTS);
    const tx = {
      client: ip(10, 2, c >> 8, c & 255),
      resolver: ip(10, 53, Math.floor(rand() * DNS_RESOLVERS), 53),
      port: 1024 + Math.floor(rand() * 64_000),
      id: Math.floor(rand() * 65_536),
      query,
      response,
    };
    schedule.push(t, [tx, 0]);
    if (r < 0.01) {
      schedule.push(t + SECOND, [tx, 0]);
      schedule.push(t + 3 * SECOND, [tx, 0]);
    } else if (r < 0.04) {
      schedule.push(t + SECOND, [tx, 0]);
      schedule.push(t + SECOND + 300 + Math.floor(rand() * 2000), [tx, 1]);
    } else {
      schedule.push(t + 200 + Math.floor(rand() * 20_000), [tx, 1]);
    }
  }, (t, [tx, isResponse]) => {
    const msg = isResponse ? tx.response : tx.query;
    msg[0] = tx.id >> 8;
    msg[1] = tx.id & 255;
    if (isResponse) writer.udp(t, tx.resolver, 53, tx.client, tx.port, msg, false);
    else writer.udp(t, tx.client, tx.port, tx.resolver, 53, msg, true);
  });
  writer.close();
  return writer;
}

// ---- short flows --------------------------------------------------------------

const FLOW_CLIENTS = 50_000;
const FLOW_SERVERS = 4_096;
const SNI_NAMES = 100_000;

/** The first ClientHello record in a classic pcap file (found by its TLS record and handshake headers). */
export function clientHelloFrom(file) {
  const pcap = readFileSync(file);
  const le = pcap.readUInt32LE(0) === 0xa1b2c3d4 || pcap.readUInt32LE(0) === 0xa1b23c4d;
  for (let o = 24; o + 16 <= pcap.length;) {
    const caplen = le ? pcap.readUInt32LE(o + 8) : pcap.readUInt32BE(o + 8);
    const frame = pcap.subarray(o + 16, o + 16 + caplen);
    for (let i = 0; i + 9 < frame.length; i++) {
      if (frame[i] !== 0x16 || frame[i + 1] !== 0x03 || frame[i + 5] !== 0x01) continue;
      const len = frame.readUInt16BE(i + 3);
      if (i + 5 + len === frame.length && frame.readUIntBE(i + 6, 3) === len - 4) return Buffer.from(frame.subarray(i));
    }
    o += 16 + caplen;
  }
  throw new Error(`no ClientHello in ${file}`);
}

/**
 * Splits a ClientHello record around its server_name extension (RFC 8446
 * §4.1.2 layout): `build(sni)` returns the record with that SNI and all
 * lengths fixed; `randomAt` is the offset of the 32-byte random.
 */
export function clientHelloTemplate(record) {
  let o = 5 + 4 + 2;
  const randomAt = o;
  o += 32;
  o += 1 + record[o]; // session id
  o += 2 + record.readUInt16BE(o); // cipher suites
  o += 1 + record[o]; // compression methods
  const extStart = o + 2;
  const extEnd = extStart + record.readUInt16BE(o);
  let sniAt = -1;
  let sniEnd = -1;
  for (let e = extStart; e + 4 <= extEnd; e += 4 + record.readUInt16BE(e + 2)) {
    if (record.readUInt16BE(e) === 0) {
      sniAt = e;
      sniEnd = e + 4 + record.readUInt16BE(e + 2);
    }
  }
  if (sniAt < 0) throw new Error('ClientHello has no server_name extension');
  const head = record.subarray(0, sniAt);
  const tail = record.subarray(sniEnd, extEnd);
  return {
    randomAt,
    build(sni) {
      const name = Buffer.from(sni, 'ascii');
      const ext = Buffer.alloc(9 + name.length);
      ext.writeUInt16BE(0, 0);
      ext.writeUInt16BE(5 + name.length, 2);
      ext.writeUInt16BE(3 + name.length, 4); // server_name_list
      ext[6] = 0; // host_name
      ext.writeUInt16BE(name.length, 7);
      name.copy(ext, 9);
      const out = Buffer.concat([head, ext, tail]);
      out.writeUInt16BE(out.length - 5, 3);
      out.writeUIntBE(out.length - 9, 6, 3);
      out.writeUInt16BE(out.length - extStart, extStart - 2);
      return out;
    },
  };
}

function sniName(i) {
  if (i % 50 === 0) return ['proxy.golang.org', 'sum.golang.org', 'goproxy.cn', 'storage.googleapis.com', 'golang.org'][(i / 50) % 5];
  const h = nameHash(i);
  return `${WORDS[h & 15]}${i}.${WORDS[(h >>> 4) & 15]}-${h % 1999}.example${(h >>> 8) % 40}.test`;
}

/**
 * Writes the short-flow shape, one connection started every 40 µs. Per
 * connection: 6 % never answered (SYN, retransmitted at 1 s and 3 s), 4 %
 * refused (SYN, RST-ACK), 5 % stalled (handshake and ClientHello, then
 * nothing), the rest SYN, SYN-ACK, ACK, ClientHello, FIN.
 */
export function writeShortFlows(paths, targets, helloCapture, seed = 2) {
  const writer = new PcapWriter(paths, targets);
  const rand = prng(seed);
  const hello = clientHelloTemplate(clientHelloFrom(helloCapture));
  const hellos = new Map();
  const ports = new Uint16Array(FLOW_CLIENTS);
  const stats = writer.stats;
  stats.connections = 0;
  drive(writer, 40, (t, schedule) => {
    stats.connections++;
    const c = Math.floor(rand() * FLOW_CLIENTS);
    const s = Math.floor(rand() * FLOW_SERVERS);
    ports[c] = ports[c] < 32_768 || ports[c] >= 60_999 ? 32_768 + (c % 1000) : ports[c] + 1;
    const sni = Math.floor(SNI_NAMES * rand() * rand());
    let ch = hellos.get(sni);
    if (!ch) hellos.set(sni, (ch = hello.build(sniName(sni))));
    const conn = {
      client: ip(10, 1, 1 + (c >> 8), c & 255),
      server: ip(172, 16 + (s >> 8), s & 255, 10),
      port: ports[c],
      cseq: Math.floor(rand() * 2 ** 32),
      sseq: Math.floor(rand() * 2 ** 32),
      ch,
      random: Math.floor(rand() * 2 ** 32),
    };
    const rtt = 300 + Math.floor(rand() * 30_000);
    const r = rand();
    schedule.push(t, [conn, 'syn']);
    if (r < 0.06) {
      schedule.push(t + SECOND, [conn, 'syn']);
      schedule.push(t + 3 * SECOND, [conn, 'syn']);
      return;
    }
    if (r < 0.10) {
      schedule.push(t + rtt, [conn, 'rst']);
      return;
    }
    schedule.push(t + rtt, [conn, 'synack']);
    schedule.push(t + rtt + 20, [conn, 'ack']);
    schedule.push(t + rtt + 40, [conn, 'hello']);
    if (r >= 0.15) schedule.push(t + rtt + 40 + 2 * rtt, [conn, 'fin']);
  }, (t, [k, step]) => {
    const { client, server, port } = k;
    const c1 = (k.cseq + 1) >>> 0;
    const s1 = (k.sseq + 1) >>> 0;
    switch (step) {
      case 'syn': return writer.tcp(t, client, port, server, 443, k.cseq, 0, TCP_SYN, null, true);
      case 'rst': return writer.tcp(t, server, 443, client, port, 0, c1, TCP_RST | TCP_ACK, null, false);
      case 'synack': return writer.tcp(t, server, 443, client, port, k.sseq, c1, TCP_SYN | TCP_ACK, null, false);
      case 'ack': return writer.tcp(t, client, port, server, 443, c1, s1, TCP_ACK, null, true);
      case 'hello':
        k.ch.writeUInt32BE(k.random, hello.randomAt);
        return writer.tcp(t, client, port, server, 443, c1, s1, TCP_PSH | TCP_ACK, k.ch, true);
      default: return writer.tcp(t, client, port, server, 443, (c1 + k.ch.length) >>> 0, s1, TCP_FIN | TCP_ACK, null, true);
    }
  });
  writer.close();
  return writer;
}
