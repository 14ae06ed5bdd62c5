/**
 * `gotap probe` against lab TLS servers on 127.0.0.1 (the real CLI, built by `npm test`):
 * a lab chain trusted via --ca-file, a "Zscaler Root CA" leaf reusing the CA key served
 * with TLS 1.2 only, an expired certificate, a local DNS server for --resolver, and
 * network failures as per-host results. `probeHost` is also called in-process.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCatalog } from '../../src/attribution/catalog.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { probeHost } from '../../src/probe/probe.js';
import { repoRoot } from '../corpus.js';
import { makePki, type TestPki } from '../detect/tls/pki.js';
import { gotap } from '../e2e/cli.js';
import { startLabServers, type LabServers } from './servers.js';

let pki: TestPki;
let servers: LabServers;

beforeAll(async () => {
  pki = makePki();
  servers = await startLabServers(
    [
      { name: 'lab', cert: pki.pem.leaf + pki.pem.inter, key: pki.keys.leaf },
      { name: 'zscaler', cert: pki.pem.zscalerLeaf + pki.pem.zscaler, key: pki.keys.zscaler, maxVersion: 'TLSv1.2' },
      { name: 'expired', cert: pki.pem.expired, key: pki.keys.expired },
    ],
    repoRoot,
  );
});

afterAll(() => {
  servers?.stop();
  pki?.cleanup();
});

const probe = (port: number, ...extra: string[]) => gotap(['probe', 'proxy.golang.org', '--connect', '127.0.0.1', '--port', String(port), ...extra]);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('gotap probe (CLI)', () => {
  it('a lab chain trusted via --ca-file: trusted-by-user-ca, TLS 1.3 and h2, no warning', () => {
    const r = probe(servers.ports.lab!, '--ca-file', pki.files.root, '--fail-on', 'warn');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`proxy.golang.org:${servers.ports.lab} (module-proxy)`);
    expect(r.stdout).toContain('resolver given (--connect): 127.0.0.1');
    expect(r.stdout).toMatch(/127\.0\.0\.1: TLSv1\.3, ALPN h2, issuer O=gotap test, CN=gotap test Intermediate CA, verdict trusted-by-user-ca/);
    expect(r.stdout).toContain('[info] tls-trusted-by-user-ca');
    expect(probe(servers.ports.lab!, '--ca-file', pki.files.root, '--fail-on', 'info').code).toBe(1);
  });

  it('the same server without the CA: the missing root is reported, --fail-on warn fails', () => {
    const r = probe(servers.ports.lab!, '--fail-on', 'warn', '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { version: number; hosts: { findings: { id: string }[]; connections: { certificate: { verdict: string } }[] }[] };
    expect(doc.version).toBe(1);
    expect(doc.hosts[0]!.connections[0]!.certificate.verdict).toBe('incomplete');
    expect(doc.hosts[0]!.findings.map((f) => f.id)).toContain('tls-incomplete-chain');
  });

  it('a Zscaler-issued leaf reusing the CA key over TLS 1.2: interception named, untrusted, downgrade', () => {
    const r = probe(servers.ports.zscaler!);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/127\.0\.0\.1: TLSv1\.2, ALPN h2, issuer C=US, O=Zscaler Inc\., OU=Zscaler Inc\., CN=Zscaler Root CA, verdict untrusted \(Zscaler\)/);
    expect(r.stdout).toContain('[critical] tls-untrusted-chain');
    expect(r.stdout).toContain('[critical] tls-interception: TLS to proxy.golang.org is intercepted by Zscaler');
    expect(r.stdout).toContain("the leaf reuses its issuer's public key");
    expect(r.stdout).toContain('[warn] tls-downgrade');
    expect(r.stdout).toContain('fix: your network re-signs TLS with `Zscaler Root CA`');
    expect(probe(servers.ports.zscaler!, '--fail-on', 'critical').code).toBe(1);
  });

  it('with the Zscaler CA trusted: inspected by Zscaler, trusted via your CA file', () => {
    const r = probe(servers.ports.zscaler!, '--ca-file', pki.files.zscaler);
    expect(r.stdout).toContain('[warn] tls-trusted-by-user-ca: TLS to proxy.golang.org is inspected by Zscaler, trusted via your CA file');
    expect(r.stdout).not.toContain('[critical]');
  });

  it('--config supplies trusted CAs and accepted interception', () => {
    const config = join(pki.dir, 'gotap.json');
    writeFileSync(config, JSON.stringify({ caFiles: [pki.files.zscaler], acceptedInterception: [{ product: 'Zscaler' }] }));
    const r = probe(servers.ports.zscaler!, '--config', config, '--fail-on', 'critical');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[info] tls-interception: TLS to proxy.golang.org is inspected by Zscaler (accepted in your config)');
    const bad = probe(servers.ports.zscaler!, '--config', join(pki.dir, 'missing.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^gotap: .*missing\.json: cannot read: ENOENT\n$/);
  });

  it('an expired certificate is expired at probe time', () => {
    const r = probe(servers.ports.expired!, '--ca-file', pki.files.root);
    expect(r.stdout).toContain('[critical] tls-expired');
    expect(r.stdout).toContain('expired 2020-02-01T00:00:00.000Z');
  });

  it('resolves through --resolver (and the system resolver) and connects to each address', () => {
    const r = gotap(['probe', 'proxy.golang.org', '--resolver', `127.0.0.1:${servers.dnsPort}`, '--port', String(servers.ports.lab), '--ca-file', pki.files.root, '--timeout', '3000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`resolver 127.0.0.1:${servers.dnsPort}: 127.0.0.1`);
    expect(r.stdout).toMatch(/resolver system: /);
    expect(r.stdout).toContain('verdict trusted-by-user-ca');
  });

  it('network failures are per-host results, not crashes', async () => {
    const r = probe(await closedPort());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('127.0.0.1: ECONNREFUSED');
  });

  it('host names are sanitised in text output', () => {
    const r = gotap(['probe', 'evil\u001b]8;;http://x\u0007.example', '--connect', '127.0.0.1', '--port', String(servers.ports.lab)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).not.toContain('\u0007');
    expect(r.stdout).toContain('evil\\x1b]8;;http://x\\x07.example');
  });

  it('a bad --ca-file is one line on stderr and exit 2', () => {
    const r = probe(servers.ports.lab!, '--ca-file', `${pki.dir}/missing.pem`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gotap: cannot read CA file .*missing\.pem: ENOENT\n$/);
  });
});

describe('probeHost', () => {
  it('times out on a server that never answers the handshake', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const trust = await TrustStore.create();
      const r = await probeHost('proxy.golang.org', { address: '127.0.0.1', port, timeoutMs: 300, trust, catalog: new HostCatalog() });
      expect(r.connections).toEqual([{ address: '127.0.0.1', port, error: 'ETIMEDOUT' }]);
      expect(r.findings).toEqual([]);
    } finally {
      silent.close();
    }
  });
});
