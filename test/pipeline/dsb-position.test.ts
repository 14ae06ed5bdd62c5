/**
 * pcapng Decryption Secrets Blocks reach the secrets store at their position in the file,
 * so a connection whose keys are written after its handshake (as ptcpdump writes them) is
 * woken in the same streaming pass, between the packets around the block.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { Decoder } from '../../src/decode/decoder.js';
import { FlowTable } from '../../src/flow/flow-table.js';
import { ProtocolDispatcher } from '../../src/protocols/dispatch.js';
import type { StreamRegistration } from '../../src/protocols/registry.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';
import { DSB_TLS_KEY_LOG, SecretsStore } from '../../src/secrets/index.js';
import { Counter } from '../../src/util/counter.js';
import { Pcapng, text } from '../capture/build.js';
import { ethernet, ipv4, tcp } from '../decode/frames.js';

const RANDOM = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const keyLine = (label: string): string => `${label} ${hex(RANDOM)} ${'5a'.repeat(32)}\n`;

const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;

function segment(fromClient: boolean, flags: number, seq: number, ack: number, payload: ArrayLike<number> = []): Uint8Array {
  const ports = fromClient ? { srcPort: 40000, dstPort: 443 } : { srcPort: 443, dstPort: 40000 };
  const ips = fromClient ? { src: '10.0.0.1', dst: '10.0.0.2' } : { src: '10.0.0.2', dst: '10.0.0.1' };
  return ethernet(0x0800, ipv4(tcp(payload, { ...ports, seq, ack, flags }), { ...ips, protocol: 6 }));
}

/** A handshake whose "keys" (one DSB with two TLS 1.3 secrets for RANDOM) come after the server's first flight, then one more packet. */
function capture(): Uint8Array {
  const w = new Pcapng().shb().idb();
  const packets = [
    segment(true, SYN, 100, 0),
    segment(false, SYN | ACK, 500, 101),
    segment(true, PSH_ACK, 101, 501, RANDOM),
    segment(false, PSH_ACK, 501, 133, new Uint8Array(40).fill(7)),
  ];
  packets.forEach((data, i) => w.epb({ ts: BigInt(i + 1), data }));
  w.dsb(DSB_TLS_KEY_LOG, text(keyLine('CLIENT_HANDSHAKE_TRAFFIC_SECRET') + keyLine('SERVER_HANDSHAKE_TRAFFIC_SECRET')));
  w.epb({ ts: 9n, data: segment(true, PSH_ACK, 133, 541, [1, 2, 3]) });
  return w.bytes();
}

function tempFile(bytes: Uint8Array): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gotap-dsb-')), 'late-keys.pcapng');
  writeFileSync(file, bytes);
  return file;
}

describe('Decryption Secrets Blocks at their position', () => {
  it('wake the waiting connection between the packets around the block, exactly once', async () => {
    const log: string[] = [];
    const secrets = new SecretsStore();
    // Stands in for the TLS decryptor: on the client's first bytes (its "random"), look the secrets up or wait for them.
    const waiter: StreamRegistration = {
      name: 'waiter',
      transport: 'tcp',
      probe: () => true,
      sniffDepth: 1,
      acceptsGaps: false,
      create(ctx) {
        let asked = false;
        return {
          data(dir, chunk) {
            if (dir !== 0 || asked) return;
            asked = true;
            const random = chunk.data.slice(0, 32);
            log.push(`lookup: ${ctx.secrets.get(random) ? 'found' : 'not yet'}`);
            ctx.secrets.subscribe(random, (s) => log.push(`woken with ${Object.keys(s).sort().join(', ')}`));
          },
          gap() {},
          end() {},
        };
      },
    };
    const decoder = new Decoder();
    const flows = new FlowTable();
    flows.addObserver(new ProtocolDispatcher(() => undefined, new Counter(), { secrets, registry: [waiter] }));
    await readCapture(tempFile(capture()), {
      packet(rec) {
        log.push(`packet ${rec.frame}`);
        const pkt = decoder.decode(rec);
        if (pkt) flows.packet(pkt);
      },
      secrets(block) {
        log.push(`secrets block after frame ${block.afterFrame}`);
        secrets.decryptionSecretsBlock(block.secretsType, block.data);
      },
    });
    flows.finish();
    expect(log).toEqual([
      'packet 1',
      'packet 2',
      'packet 3',
      'lookup: not yet',
      'packet 4',
      'secrets block after frame 4',
      'woken with clientHandshakeTrafficSecret, serverHandshakeTrafficSecret',
      'packet 5',
    ]);
  });

  it('analyzeCapture feeds the block to its store and reports it with the preloaded key logs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gotap-keylog-'));
    const keylog = path.join(dir, 'keys.log');
    writeFileSync(keylog, `# comment\n${keyLine('CLIENT_TRAFFIC_SECRET_0')}not a key log line\n`);
    const summary = await analyzeCapture(tempFile(capture()), { event() {}, flowEnded() {} }, { keylogFiles: [keylog] });
    expect(summary.keyLogFiles).toBe(1);
    expect(summary.secrets).toMatchObject({ dsbs: 1, keyLogLines: 3, malformedLines: 1, ignoredLines: 0 });
  });
});
