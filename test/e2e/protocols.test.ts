/**
 * The protocol analyzers end to end on real captures of real programs (captures/README.md
 * says how each was made): the full ndjson output is compared with a reviewed golden, and
 * the facts each capture exists to show are asserted explicitly, so a golden re-recorded
 * by mistake cannot hide a regression.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { captureOf, gotap, ndjson } from './cli.js';
import { expectGolden } from './golden.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function replay(name: string): Rec[] {
  const r = gotap(['replay', '--format', 'ndjson', `captures/${name}`]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expectGolden(name.replace(/\.pcap(ng)?$/, '.ndjson'), r.stdout);
  return ndjson(r.stdout);
}

const ofType = (recs: Rec[], type: string) => recs.filter((r) => r.type === type);
const flow = (recs: Rec[], id: number) => recs.find((r) => r.type === 'flow' && r.id === id)!;
const frames = (recs: Rec[], id: number): [number, number] => [flow(recs, id).firstFrame, flow(recs, id).lastFrame];

describe('TLS', () => {
  it('TLS 1.2 at MTU 300: a ClientHello over two segments and a three-certificate chain over many', () => {
    const recs = replay('tls12-chain-mtu300.pcap');
    const hello = ofType(recs, 'tls-client-hello')[0]!;
    expect(hello).toMatchObject({ sni: 'proxy.golang.org', alpn: ['h2', 'http/1.1'], supportedVersions: [0x0304, 0x0303, 0x0302, 0x0301] });
    // The ClientHello is reported at the frame carrying its last byte, after the handshake's first data frame.
    expect(hello.packet).toBeGreaterThan(frames(recs, hello.flowId)[0] + 3);
    const server = ofType(recs, 'tls-server-hello')[0]!;
    expect(server).toMatchObject({ version: 0x0303, cipher: 0xc02c, helloRetryRequest: false });
    const certs = ofType(recs, 'tls-certificates')[0]!;
    expect(certs.dir).toBe(1);
    const chain = (certs.certs as string[]).map((b64) => new X509Certificate(Buffer.from(b64, 'base64')));
    expect(chain.map((c) => c.subject.split('\n').find((l) => l.startsWith('CN=')))).toEqual([
      'CN=proxy.golang.org',
      'CN=gotap capture lab Intermediate CA',
      'CN=gotap capture lab Root CA',
    ]);
    expect(chain[0]!.checkIssued(chain[1]!)).toBe(true);
    expect(ofType(recs, 'tls-encrypted-handshake')).toHaveLength(0);
  });

  it('a client that rejects the chain sends a plaintext fatal unknown_ca alert', () => {
    const recs = replay('tls12-alert-unknown-ca.pcap');
    const certs = ofType(recs, 'tls-certificates')[0]!;
    const alert = ofType(recs, 'tls-alert')[0]!;
    expect(alert).toMatchObject({ dir: 0, encrypted: false, levelName: 'fatal', descriptionName: 'unknown_ca', level: 2, description: 48 });
    expect(alert.packet).toBeGreaterThan(certs.packet);
  });

  it('TLS 1.3 at MTU 300: the certificate is encrypted and only its size is reported', () => {
    const recs = replay('tls13-mtu300.pcap');
    expect(ofType(recs, 'tls-server-hello')[0]).toMatchObject({ version: 0x0304 });
    expect(ofType(recs, 'tls-certificates')).toHaveLength(0);
    const enc = ofType(recs, 'tls-encrypted-handshake')[0]!;
    // Leaf + intermediate (ECDSA P-256) plus EncryptedExtensions/CertificateVerify/Finished.
    expect(enc.approxBytes).toBeGreaterThan(900);
    expect(enc.approxBytes).toBeLessThan(2500);
  });

  it('the go command (1.19) is fingerprinted: JA4 and ALPN h2', () => {
    const recs = replay('go-get-tls.pcap');
    expect(ofType(recs, 'tls-client-hello')[0]).toMatchObject({
      sni: 'proxy.golang.org',
      alpn: ['h2', 'http/1.1'],
      ja4: 't13d1910h2_9dc949149365_97f8aa674fd9',
      ja3Hash: '3fed133de60c35724739b913924b6c24',
      grease: false,
    });
  });
});

describe('DNS', () => {
  it('UDP and TCP, NXDOMAIN, CNAME chains, AAAA, HTTPS records, truncation and unanswered queries', () => {
    const recs = replay('dns-mixed.pcap');
    const responses = ofType(recs, 'dns-response');
    const byName = (name: string, type: string) => responses.find((r) => r.questions[0].name === name && r.questions[0].type === type)!;
    expect(byName('nosuchmodule.example.test', 'A').rcode).toBe('NXDOMAIN');
    expect(byName('mirror.example.test', 'A')).toMatchObject({ cnameChain: ['cdn.example.test', 'edge.example.test'], addresses: ['127.0.0.13'] });
    expect(byName('v6.example.test', 'AAAA').addresses).toEqual(['::1']);
    expect(byName('example.test', 'HTTPS').answers[0].svcb).toMatchObject({ priority: 1, params: { alpn: ['h2'], ipv4hint: ['127.0.0.12'] } });
    const big = responses.filter((r) => r.questions[0].name === 'big.example.test');
    expect(big.map((r) => [r.transport, r.flags.tc])).toEqual([
      ['udp', true],
      ['tcp', false],
    ]);
    const unanswered = ofType(recs, 'dns-unanswered');
    expect(unanswered.map((u) => u.server.addr).sort()).toEqual(['127.0.0.54', '127.0.0.55']);
    expect(ofType(recs, 'dns-conflict')).toHaveLength(0);
  });
});

describe('HTTP', () => {
  it('pipelined requests are matched to their responses in order; chunked and HEAD bodies are sized right', () => {
    const recs = replay('http-pipelined.pcap');
    const requests = ofType(recs, 'http-request');
    const responses = ofType(recs, 'http-response');
    const pipelined = requests.filter((r) => r.userAgent === 'pipeline-client/1');
    expect(pipelined.map((r) => r.target)).toEqual(['/a', '/b', '/c']);
    expect(new Set(pipelined.map((r) => r.packet)).size).toBe(1);
    const answers = responses.filter((r) => r.requestPacket === pipelined[0]!.packet);
    expect(answers.map((r) => r.target)).toEqual(['/a', '/b', '/c']);
    expect(responses.find((r) => r.target === '/chunked')).toMatchObject({ status: 200, bodyBytes: 25 });
    expect(responses.find((r) => r.method === 'HEAD')).toMatchObject({ status: 200, bodyBytes: 0 });
    expect(ofType(recs, 'http-error')).toHaveLength(0);
  });

  it('a CONNECT tunnel: the proxy flow carries the target and the TLS inside it is analysed', () => {
    const recs = replay('connect-tunnel.pcap');
    const connect = ofType(recs, 'http-request').find((r) => r.method === 'CONNECT')!;
    expect(connect.connectTarget).toBe('proxy.golang.org:443');
    const tunnel = flow(recs, connect.flowId);
    expect(tunnel).toMatchObject({ app: 'http>tls', server: { port: 3128 } });
    const hellos = ofType(recs, 'tls-client-hello');
    expect(hellos.find((h) => h.flowId === connect.flowId)).toMatchObject({ sni: 'proxy.golang.org' });
    // The proxy's own upstream connection is a second TLS flow with the same ClientHello.
    expect(hellos.filter((h) => h.flowId !== connect.flowId)).toHaveLength(1);
  });

  it('the go command behind HTTPS_PROXY: CONNECT, then its TLS inside the tunnel', () => {
    const recs = replay('go-get-connect.pcap');
    const connect = ofType(recs, 'http-request').find((r) => r.method === 'CONNECT')!;
    expect(connect).toMatchObject({ connectTarget: 'proxy.golang.org:443', userAgent: 'Go-http-client/1.1' });
    expect(ofType(recs, 'tls-client-hello').find((h) => h.flowId === connect.flowId)).toMatchObject({ ja4: 't13d1910h2_9dc949149365_97f8aa674fd9' });
  });
});

describe('Go module protocol', () => {
  it('GOPROXY=http://…: every module-protocol request is decoded', () => {
    const recs = replay('go-get-plain.pcap');
    expect(ofType(recs, 'go-request').map((g) => [g.kind, g.module, g.version ?? null, g.host])).toEqual([
      ['list', 'example.test/hello', null, 'proxy.golang.org'],
      ['info', 'example.test/hello', 'v1.0.0', 'proxy.golang.org'],
      ['mod', 'example.test/hello', 'v1.0.0', 'proxy.golang.org'],
      ['zip', 'example.test/hello', 'v1.0.0', 'proxy.golang.org'],
    ]);
  });
});

describe('pcapng extras', () => {
  it('a Decryption Secrets Block is counted and its key log read into the store; packet comments do not disturb analysis', () => {
    const dsb = replay('pcapng-dsb.pcapng');
    // go-get-tls.keylog: four TLS 1.3 secrets and one EXPORTER_SECRET, which gotap has no use for.
    expect(captureOf(dsb)).toMatchObject({ format: 'pcapng', decryptionSecrets: 1, keyLog: { files: 0, dsbs: 1, lines: 4, ignoredLines: 1, malformedLines: 0 } });
    const comments = replay('pcapng-comments.pcapng');
    expect(captureOf(comments)).toMatchObject({ format: 'pcapng' });
    expect(ofType(comments, 'tls-client-hello')).toHaveLength(1);
  });

  it('--keylog-file loads key logs into the same store (repeatable); the clear events do not change, decrypted ones are added; a missing one is exit 2 with one line', () => {
    const r = gotap(['replay', '--format', 'ndjson', '--keylog-file', 'captures/go-get-tls.keylog', '--keylog-file', 'captures/basic.keylog', 'captures/go-get-tls.pcap']);
    expect(r.code).toBe(0);
    const recs = ndjson(r.stdout);
    expect(captureOf(recs)).toMatchObject({ keyLog: { files: 2, dsbs: 0, malformedLines: 0 } });
    const clear = (rs: typeof recs) => rs.filter((x) => x.decrypted === undefined && /^(dns-|tls-(client|server)-hello)/.test(String(x.type)));
    expect(clear(recs)).toEqual(clear(replay('go-get-tls.pcap')));
    expect(recs.filter((x) => x.decrypted === true && x.type === 'http-request').length).toBeGreaterThan(0);
    for (const cmd of ['replay', 'report']) {
      const missing = gotap([cmd, '--keylog-file', 'captures/nope.keylog', 'captures/basic.pcap']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^gotap: captures\/nope\.keylog: no such file — [^\n]+\n$/);
      expect(missing.stdout).toBe('');
    }
  });
});
