#!/usr/bin/env -S node --expose-gc
// Memory per open flow: the other axis of gotap's memory (the file size is
// covered by run.mjs). Takes the first TCP connection to PORT in a capture, up
// to its first FIN or RST, copies it N times with a different client address
// each, so all N flows are open at the end, and measures the JS heap plus
// array buffers just before the flow table ends them, against the heap before
// reading. Uses the built pipeline (dist/), not the CLI, so start-up is not
// counted.
//
// Usage: node --expose-gc bench/flow-memory.mjs [CAPTURE] [PORT] [N]
//   default: captures/lab/clean/capture.pcap 443 20000 (TLS 1.3, h2)
//   e.g. captures/lab/intercept/capture.pcap 443 (TLS 1.2), captures/lab/plaintext/capture.pcap 80 (HTTP/1.1)
import { Buffer } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [capture = join(REPO, 'captures/lab/clean/capture.pcap'), port = '443', count = '20000'] = process.argv.slice(2);
const N = Number(count);
const gc = globalThis.gc;
if (typeof gc !== 'function') {
  process.stderr.write('run with node --expose-gc bench/flow-memory.mjs …\n');
  process.exit(1);
}

/** Classic pcap, Ethernet, IPv4 only (the lab captures): offsets of the fields rewritten. */
function tcpOf(rec) {
  const eth = 16;
  if (rec.readUInt16BE(eth + 12) !== 0x0800 || rec[eth + 23] !== 6) return undefined;
  const ip = eth + 14;
  const tcp = ip + (rec[ip] & 15) * 4;
  return { ip, sport: rec.readUInt16BE(tcp), dport: rec.readUInt16BE(tcp + 2), flags: rec[tcp + 13] };
}

function replicate(file) {
  const b = readFileSync(file);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file}: only little-endian µs pcap is supported here`);
  const flow = [];
  let client;
  for (let o = 24; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8)) {
    const rec = b.subarray(o, o + 16 + b.readUInt32LE(o + 8));
    const t = tcpOf(rec);
    if (!t) continue;
    if (client === undefined && t.dport === Number(port) && (t.flags & 0x12) === 0x02) client = t.sport;
    if (client === undefined || (t.sport !== client && t.dport !== client)) continue;
    if (t.flags & 0x05) break;
    flow.push({ rec, clientIsSrc: t.sport === client, ip: t.ip });
  }
  if (flow.length === 0) throw new Error(`${file}: no TCP connection to port ${port}`);
  const out = [b.subarray(0, 24)];
  for (let i = 0; i < N; i++) {
    for (const { rec, clientIsSrc, ip } of flow) {
      const copy = Buffer.from(rec);
      copy.set([10, (i >> 16) & 255, (i >> 8) & 255, i & 255], ip + (clientIsSrc ? 12 : 16));
      out.push(copy);
    }
  }
  return { bytes: Buffer.concat(out), packets: flow.length };
}

/** Writes the copies to `file`; nothing of them stays referenced, so it is not counted. */
function writeCopies(file) {
  const { bytes, packets } = replicate(capture);
  writeFileSync(file, bytes);
  return packets;
}

const { analyzeCapture } = await import(join(REPO, 'dist/pipeline/analyze.js'));
const { FlowTable } = await import(join(REPO, 'dist/flow/flow-table.js'));
const dir = mkdtempSync(join(tmpdir(), 'gotap-flow-memory-'));
try {
  const file = join(dir, 'flows.pcap');
  const packets = writeCopies(file);
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let atEnd = 0;
  let open = 0;
  const finish = FlowTable.prototype.finish;
  FlowTable.prototype.finish = function measured() {
    open = this.size;
    atEnd = used();
    return finish.call(this);
  };
  // Array buffers are freed by a concurrent sweeper after gc(): give it a moment, twice.
  for (let i = 0; i < 2; i++) {
    gc();
    await sleep(200);
  }
  const before = used();
  await analyzeCapture(file, { event() {}, flowEnded() {} });
  const perFlow = (atEnd - before) / open;
  process.stdout.write(`${capture} port ${port}: ${packets} packets per flow, ${open} flows open: ` +
    `${((atEnd - before) / 1e6).toFixed(1)} MB, ${perFlow.toFixed(0)} bytes per open flow\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
