/**
 * A second independent JA3 implementation: Wireshark's (tshark ≥ 3.6 computes
 * tls.handshake.ja3 / ja3_full). The recorded real ClientHellos are written into a
 * pcap (one synthetic loopback TCP flow each) and tshark's JA3 and SNI are compared
 * with the analyzer's. Skipped when tshark is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, fixture, run, session, u16, u8 } from './helpers.js';

const haveTshark = spawnSync('tshark', ['-v']).status === 0;

const HELLOS: Record<string, Uint8Array> = {
  'hello-go119.bin': fixture('hello-go119.bin'),
  'hello-curl-tls13.bin': fixture('hello-curl-tls13.bin'),
  'hello-openssl-tls12.bin': fixture('hello-openssl-tls12.bin'),
  'hello-openssl-default.bin': fixture('hello-openssl-default.bin'),
  'session-tls13.bin': session('session-tls13.bin')[0]![1],
};

const u32 = (v: number): Uint8Array => concat(u16(v >>> 16), u16(v & 0xffff));
const le32 = (v: number): Uint8Array => u8(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);

/** Ethernet/IPv4/TCP frame 127.0.0.1:sport → 127.0.0.1:443 carrying payload (checksums left 0: tshark does not verify them by default). */
function frame(sport: number, payload: Uint8Array): Uint8Array {
  const tcp = concat(u16(sport, 443), u32(1), u32(1), u8(0x50, 0x18), u16(65535, 0, 0), payload);
  const ip = concat(u8(0x45, 0), u16(20 + tcp.length, 1, 0x4000), u8(64, 6), u16(0), u8(127, 0, 0, 1, 127, 0, 0, 1), tcp);
  return concat(new Uint8Array(12), u16(0x0800), ip);
}

function pcap(payloads: Uint8Array[]): Uint8Array {
  const header = concat(le32(0xa1b2c3d4), u8(2, 0, 4, 0), le32(0), le32(0), le32(65535), le32(1));
  const records = payloads.map((p, i) => {
    const f = frame(40000 + i, p);
    return concat(le32(1_700_000_000 + i), le32(0), le32(f.length), le32(f.length), f);
  });
  return concat(header, ...records);
}

describe.skipIf(!haveTshark)('JA3 against tshark', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gotap-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same JA3 text, JA3 hash and SNI as tshark for every real hello', () => {
    const names = Object.keys(HELLOS);
    const file = path.join(dir, 'hellos.pcap');
    writeFileSync(file, pcap(names.map((n) => HELLOS[n]!)));
    const out = spawnSync('tshark', ['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tls.handshake.ja3_full', '-e', 'tls.handshake.ja3', '-e', 'tls.handshake.extensions_server_name'], { encoding: 'utf8' }).stdout;
    const theirs = new Map(out.trim().split('\n').map((line) => {
      const [port, full, hash, sni] = line.split('\t');
      return [Number(port) - 40000, { full, hash, sni }] as const;
    }));
    expect(theirs.size).toBe(names.length);
    names.forEach((name, i) => {
      const ours = run([[0, HELLOS[name]!]]).find((e) => e.type === 'tls-client-hello');
      expect({ name, full: ours?.ja3, hash: ours?.ja3Hash, sni: ours?.sni }).toEqual({ name, ...theirs.get(i) });
    });
  });
});
