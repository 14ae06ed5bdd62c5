/**
 * ptcpdump writes a connection's Decryption Secrets Block only after the packet that
 * carried its ServerHello. gotap must decrypt that connection in the same streaming pass:
 * this takes a real TLS 1.3 capture and its real key log, writes them as a pcapng with the
 * DSB placed right after the ServerHello's frame, and runs the real CLI on it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { DSB_TLS_KEY_LOG } from '../../src/secrets/index.js';
import { Pcapng, text } from '../capture/build.js';
import { gotap, ndjson } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gotap-late-dsb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(file: string): Promise<{ ts: bigint; data: Uint8Array }[]> {
  const out: { ts: bigint; data: Uint8Array }[] = [];
  await readCapture(file, { packet: (r) => void out.push({ ts: BigInt(r.tsSec) * 1_000_000n + BigInt(Math.floor(r.tsNsec / 1000)), data: r.data.slice() }) });
  return out;
}

describe('a DSB written after the ServerHello (ptcpdump style)', () => {
  it('still decrypts that connection in one pass: its certificate chain and requests appear, marked decrypted', async () => {
    const clear = ndjson(gotap(['replay', '--format', 'ndjson', 'captures/tls13-mtu300.pcap']).stdout);
    const serverHello = clear.find((r) => r.type === 'tls-server-hello') as { packet: number } | undefined;
    expect(serverHello).toBeDefined();
    const w = new Pcapng().shb().idb();
    (await records('captures/tls13-mtu300.pcap')).forEach((p, i) => {
      w.epb(p);
      if (i + 1 === serverHello!.packet) w.dsb(DSB_TLS_KEY_LOG, text(readFileSync('captures/tls13-mtu300.keylog', 'utf8')));
    });
    const file = join(dir, 'late.pcapng');
    writeFileSync(file, w.bytes());
    const keyed = ndjson(gotap(['replay', '--format', 'ndjson', file]).stdout);
    const certs = keyed.filter((r) => r.type === 'tls-certificates');
    expect(certs.length).toBeGreaterThan(0);
    expect(certs.every((r) => r.decrypted === true)).toBe(true);
    expect(clear.filter((r) => r.type === 'tls-certificates')).toEqual([]);
    const capture = keyed.find((r) => r.type === 'capture') as { keyLog?: { dsbs: number; decryption?: { flowsDecrypted: number } } };
    expect(capture.keyLog).toMatchObject({ dsbs: 1, decryption: { flowsDecrypted: 1 } });
  });
});
