#!/usr/bin/env node
/**
 * Writes a lab capture (classic pcap) as ptcpdump would have written it: a pcapng whose
 * packets carry ptcpdump's per-packet process comments ("PID: n\nCmd: …\nArgs: …",
 * "ParentPID: …", internal/writer/pcapng.go). ptcpdump needs eBPF and is not installable
 * here, so this is a documented stand-in: the process of each packet is chosen by its
 * client port, which is assigned to the process of the rule matching the server address.
 *
 *   node ptcpdump-format.mjs in.pcap out.pcapng \
 *     --process '127.0.0.2,127.0.0.3=4712:/usr/bin/gopls:gopls' \
 *     --process '*=4711:/usr/local/go/bin/go:go mod download'
 */
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output, ...rest] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: ptcpdump-format.mjs in.pcap out.pcapng --process ADDRS=PID:CMD:ARGS …');
const rules = [];
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] !== '--process') throw new Error(`unknown argument ${rest[i]}`);
  const [addrs, spec] = rest[i + 1].split('=');
  const [pid, cmd, args] = spec.split(':');
  rules.push({ addrs: addrs === '*' ? undefined : new Set(addrs.split(',')), comment: `PID: ${pid}\nCmd: ${cmd}\nArgs: ${args}`, parent: `ParentPID: 1\nParentCmd: /sbin/init\nParentArgs: /sbin/init` });
}

const buf = readFileSync(input);
const magic = buf.readUInt32LE(0);
if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('expected a little-endian classic pcap');
const nanos = magic === 0xa1b23c4d;
const snaplen = buf.readUInt32LE(16);
const linkType = buf.readUInt32LE(20);
if (linkType !== 1 && linkType !== 113 && linkType !== 276) throw new Error(`link type ${linkType} not handled`);

/** IPv4 TCP/UDP endpoints of a frame (Ethernet, SLL, SLL2), or undefined. */
function endpoints(d) {
  const off = linkType === 1 ? 14 : linkType === 113 ? 16 : 20;
  const etherType = linkType === 1 ? d.readUInt16BE(12) : linkType === 113 ? d.readUInt16BE(14) : d.readUInt16BE(0);
  if (etherType !== 0x0800 || d.length < off + 24) return undefined;
  const proto = d[off + 9];
  if (proto !== 6 && proto !== 17) return undefined;
  const ihl = (d[off] & 15) * 4;
  const ip = (o) => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
  return { src: ip(off + 12), dst: ip(off + 16), sport: d.readUInt16BE(off + ihl), dport: d.readUInt16BE(off + ihl + 2) };
}

const portProcess = new Map();
const blocks = [];
const block = (type, body) => {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
};
const option = (code, value) => {
  const v = Buffer.from(value, 'utf8');
  const b = Buffer.alloc(4 + ((v.length + 3) & ~3));
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(v.length, 2);
  v.copy(b, 4);
  return b;
};
const shb = Buffer.alloc(16);
shb.writeUInt32LE(0x1a2b3c4d, 0);
shb.writeUInt16LE(1, 4);
shb.writeBigInt64LE(-1n, 8);
blocks.push(block(0x0a0d0d0a, shb));
const idb = Buffer.alloc(8);
idb.writeUInt16LE(linkType, 0);
idb.writeUInt32LE(snaplen, 4);
blocks.push(block(1, Buffer.concat([idb, option(9, '\x09'), Buffer.alloc(4)]))); // if_tsresol 9: nanoseconds

for (let at = 24; at + 16 <= buf.length; ) {
  const sec = buf.readUInt32LE(at);
  const frac = buf.readUInt32LE(at + 4);
  const incl = buf.readUInt32LE(at + 8);
  const orig = buf.readUInt32LE(at + 12);
  const data = buf.subarray(at + 16, at + 16 + incl);
  at += 16 + incl;
  const ep = endpoints(data);
  let comments = [];
  if (ep) {
    // The client is the side with the higher (ephemeral) port.
    const [clientPort, server] = ep.sport > ep.dport ? [ep.sport, ep.dst] : [ep.dport, ep.src];
    if (!portProcess.has(clientPort)) portProcess.set(clientPort, rules.find((r) => r.addrs === undefined || r.addrs.has(server)));
    const rule = portProcess.get(clientPort);
    if (rule) comments = [rule.comment, rule.parent];
  }
  const ts = BigInt(sec) * 1_000_000_000n + BigInt(frac) * (nanos ? 1n : 1000n);
  const head = Buffer.alloc(20);
  head.writeUInt32LE(0, 0);
  head.writeUInt32LE(Number(ts >> 32n), 4);
  head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  head.writeUInt32LE(incl, 12);
  head.writeUInt32LE(orig, 16);
  const padded = Buffer.alloc((incl + 3) & ~3);
  data.copy(padded);
  const opts = comments.length ? Buffer.concat([...comments.map((c) => option(1, c)), Buffer.alloc(4)]) : Buffer.alloc(0);
  blocks.push(block(6, Buffer.concat([head, padded, opts])));
}
writeFileSync(output, Buffer.concat(blocks));
