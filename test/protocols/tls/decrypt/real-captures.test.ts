/**
 * Real captures with their clients' key logs (captures/tls-suites/, made by
 * captures/make-tls-suites.sh with openssl s_server, curl and s_client; plus the repo's
 * TLS 1.3 and TLS 1.2 MTU-300 captures): every protected record authenticates, the
 * decrypted application data is the HTTP exchange, and — when tshark is installed — it
 * is byte-identical to what tshark decrypts with the same key log, as are the TLS 1.3
 * server certificates recovered from the decrypted handshake.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { TlsSecrets } from '../../../../src/secrets/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTls13Certificate } from '../../../../src/protocols/tls/decrypt/handshake13.js';
import { cipherSuiteName, createTlsDecryptSession, FlowDecryptor, HoldBudget } from '../../../../src/protocols/tls/decrypt/index.js';
import { decryptConnection, FakeStore, handshakeMessages, readKeyLog, readTcpStreams, type DecryptedConnection } from './connection.js';

const CAPTURES = path.resolve(__dirname, '../../../../captures');
const SUITES = path.join(CAPTURES, 'tls-suites');
const haveTshark = spawnSync('tshark', ['-v']).status === 0;

interface Case {
  name: string;
  pcap: string;
  keylog: string;
  /** Text the server's decrypted application data contains. */
  response: string;
}

const cases: Case[] = [
  ...readdirSync(SUITES)
    .filter((f) => f.endsWith('.pcap') && f !== 'tls13-early-data.pcap')
    .sort()
    .map((f) => ({
      name: f.replace(/\.pcap$/, ''),
      pcap: path.join(SUITES, f),
      keylog: path.join(SUITES, f.replace(/\.pcap$/, '.keylog')),
      response: 'hello from the gotap tls-suites capture\n',
    })),
  ...['tls13-mtu300', 'tls12-chain-mtu300'].map((n) => ({
    name: n,
    pcap: path.join(CAPTURES, `${n}.pcap`),
    keylog: path.join(CAPTURES, `${n}.keylog`),
    response: 'hello over TLS from the gotap capture lab\n',
  })),
];

async function decryptCase(c: Case, mutate?: Parameters<typeof decryptConnection>[2]): Promise<DecryptedConnection> {
  const flows = (await readTcpStreams(c.pcap)).filter((f) => f.data[0].length > 0);
  expect(flows).toHaveLength(1);
  const conn = decryptConnection(flows[0]!, readKeyLog(c.keylog), mutate);
  expect(conn).toBeDefined();
  return conn!;
}

interface TsharkView {
  /** Decrypted application data [client → server, server → client]. */
  streams: [Buffer, Buffer];
  /** DER (hex) of the certificates in decrypted or clear Certificate messages. */
  certs: string[];
}

/**
 * One tshark run: the Certificate messages' DER as fields, then follow,tls,raw (whose
 * untabbed lines come from "Node 0"; it is the server when its port is the server's).
 */
function tshark(c: Case, serverPort: number): TsharkView {
  const args = ['-n', '-r', c.pcap, '-o', `tls.keylog_file:${c.keylog}`, '-Y', 'tls.handshake.type == 11'];
  const r = spawnSync('tshark', [...args, '-T', 'fields', '-e', 'tls.handshake.certificate', '-z', 'follow,tls,raw,0'], { encoding: 'latin1' });
  expect(r.status).toBe(0);
  const split = r.stdout.indexOf('\n=====');
  const fields = r.stdout.slice(0, split);
  const follow = r.stdout.slice(split);
  const node0IsServer = Number(/Node 0: .*:(\d+)/.exec(follow)?.[1]) === serverPort;
  const parts: [string[], string[]] = [[], []];
  for (const line of follow.split('\n')) {
    const m = /^(\t?)([0-9a-f]+)$/.exec(line);
    if (m) parts[(m[1] === '') === node0IsServer ? 1 : 0].push(m[2]!);
  }
  return {
    streams: [Buffer.from(parts[0].join(''), 'hex'), Buffer.from(parts[1].join(''), 'hex')],
    certs: fields.split(/[,\n]/).map((x) => x.trim().replace(/:/g, '')).filter(Boolean),
  };
}

describe.each(cases)('$name', (c) => {
  it('decrypts every protected record of both directions', async () => {
    const conn = await decryptCase(c);
    expect(conn.session.unsupported).toBeUndefined();
    for (const dir of [0, 1] as const) {
      expect(conn.results[dir].length).toBeGreaterThan(0);
      expect(conn.results[dir].filter((r) => !r.ok)).toEqual([]);
      expect(conn.session.failed(dir)).toBe(false);
    }
    expect(conn.appData[0].toString('latin1')).toMatch(/^GET \/hello\.txt HTTP\/1\.[01]\r\n/);
    expect(conn.appData[1].toString('latin1')).toMatch(/^HTTP\/1\.[01] 200 /);
    expect(conn.appData[1].toString('latin1').endsWith(c.response)).toBe(true);
  });

  it('never yields plaintext with a wrong key', async () => {
    const flip = (b: Uint8Array | undefined) => (b === undefined ? undefined : Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x)));
    const conn = await decryptCase(c, (s) => ({
      masterSecret: flip(s.masterSecret),
      clientHandshakeTrafficSecret: flip(s.clientHandshakeTrafficSecret),
      serverHandshakeTrafficSecret: flip(s.serverHandshakeTrafficSecret),
      clientTrafficSecret0: flip(s.clientTrafficSecret0),
      serverTrafficSecret0: flip(s.serverTrafficSecret0),
    }));
    for (const dir of [0, 1] as const) {
      expect(conn.results[dir].every((r) => !r.ok)).toBe(true);
      expect(conn.session.failed(dir)).toBe(true);
    }
  });

  it('gives the same plaintext when the secrets arrive late, one by one, in any interleaving of the directions', async () => {
    const conn = await decryptCase(c);
    const [c2s, s2c] = conn.protectedRecords;
    const total = c2s.length + s2c.length;
    const fields = Object.entries(conn.secrets) as [keyof TlsSecrets, Uint8Array][];
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: total, maxLength: total }), fc.nat({ max: total }), (serverFirst, arriveAt) => {
        const store = new FakeStore();
        const app: [Buffer[], Buffer[]] = [[], []];
        const d = new FlowDecryptor({
          params: conn.params,
          secrets: store,
          budget: new HoldBudget(),
          onResult: (dir, r) => {
            expect(r.ok).toBe(true);
            if (r.ok && r.contentType === 23) app[dir].push(Buffer.from(r.plaintext));
          },
        });
        const next = [0, 0];
        for (let i = 0; i < total; i++) {
          if (i === arriveAt) for (const [k, v] of fields) store.arrive({ [k]: v });
          const dir = (serverFirst[i] && next[1]! < s2c.length) || next[0]! >= c2s.length ? 1 : 0;
          const r = conn.protectedRecords[dir][next[dir]!++]!;
          d.record(dir, r.type, r.version, r.fragment, i, i);
        }
        if (arriveAt === total) for (const [k, v] of fields) store.arrive({ [k]: v });
        expect(d.end()).toEqual({ noKeys: 0, dropped: 0 });
        expect(Buffer.concat(app[0]).equals(conn.appData[0])).toBe(true);
        expect(Buffer.concat(app[1]).equals(conn.appData[1])).toBe(true);
      }),
      { numRuns: 8 },
    );
  });

  it.skipIf(!haveTshark)('matches tshark byte for byte', async () => {
    const conn = await decryptCase(c);
    const flows = (await readTcpStreams(c.pcap)).filter((f) => f.data[0].length > 0);
    const view = tshark(c, flows[0]!.serverPort);
    const [toServer, toClient] = view.streams;
    expect(toServer.length).toBeGreaterThan(0);
    expect(toClient.length).toBeGreaterThan(0);
    expect(conn.appData[0].equals(toServer)).toBe(true);
    expect(conn.appData[1].equals(toClient)).toBe(true);
    if (conn.version === 0x0304) {
      const cert = handshakeMessages(conn.handshake[1]).find((m) => m.type === 11);
      const parsed = parseTls13Certificate(cert!.body);
      expect(parsed.ok).toBe(true);
      const ours = parsed.ok ? parsed.value.certs.map((d) => Buffer.from(d).toString('hex')) : [];
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(view.certs);
    }
  });
});

describe('what the captures exercise', () => {
  const find = (name: string) => cases.find((c) => c.name === name)!;

  it('covers every suite the captures were made for', async () => {
    const seen = new Set<string>();
    for (const c of cases) seen.add(cipherSuiteName((await decryptCase(c)).cipher));
    expect([...seen].sort()).toEqual(
      [
        'TLS_AES_128_GCM_SHA256',
        'TLS_AES_256_GCM_SHA384',
        'TLS_CHACHA20_POLY1305_SHA256',
        'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
        'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
        'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_RSA_WITH_AES_256_CBC_SHA256',
      ].sort(),
    );
  });

  it('follows a KeyUpdate in both directions', async () => {
    const conn = await decryptCase(find('tls13-keyupdate'));
    expect(conn.session.stats(0).keyUpdates).toBe(1);
    expect(conn.session.stats(1).keyUpdates).toBe(1);
    expect(conn.results[0].filter((r) => r.ok && r.keyChange === 'key-update')).toHaveLength(1);
  });

  it('skips 0-RTT records under the (ignored) early traffic secret, then decrypts the client Finished', async () => {
    const c = { name: 'tls13-early-data', pcap: path.join(SUITES, 'tls13-early-data.pcap'), keylog: path.join(SUITES, 'tls13-early-data.keylog'), response: '' };
    const flows = (await readTcpStreams(c.pcap)).filter((f) => f.data[0].length > 0);
    const keys = readKeyLog(c.keylog);
    const conn = decryptConnection(flows[0]!, keys)!;
    // Without the early_data offer known, the early-data records fail.
    expect(conn.results[0][0]).toEqual({ ok: false, reason: 'auth-failed' });
    const session = createTlsDecryptSession({ ...conn.params, clientOfferedEarlyData: true, secrets: conn.secrets });
    const reasons = conn.protectedRecords[0].map((r) => {
      const res = session.decrypt(0, r.type, r.version, r.fragment);
      return res.ok ? `${res.contentType}${res.keyChange ? ' ' + res.keyChange : ''}` : res.reason;
    });
    // The 0-RTT record (sent before the ServerHello), EndOfEarlyData, Finished, close_notify.
    expect(reasons).toEqual(['early-data-skipped', 'early-data-skipped', '22 application', '21']);
    expect(session.failed(0)).toBe(false);
    expect(session.stats(0).earlyDataSkipped).toBe(2);
  });

  it('keeps the keys across a HelloRetryRequest', async () => {
    const conn = await decryptCase(find('tls13-hrr'));
    expect(conn.serverHellos).toBe(2);
  });

  it('decrypts TLS 1.0 empty-fragment records (chained CBC IVs)', async () => {
    const conn = await decryptCase(find('tls10-cbc-sha'));
    expect(conn.version).toBe(0x0301);
    const empty = conn.results[1].filter((r) => r.ok && r.contentType === 23 && r.plaintext.length === 0);
    expect(empty.length).toBeGreaterThan(0);
  });
});
