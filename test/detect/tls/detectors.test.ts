/**
 * The TLS detectors on real lab captures, through the real pipeline and Attributor:
 * intercept (Zscaler-named CA, TLS 1.2, leaf reuses the CA key), intercept-rejected (the go
 * command's fatal alert), and tls12-chain-mtu300 (a 3-certificate lab chain over TLS 1.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostCatalog } from '../../../src/attribution/catalog.js';
import type { FlowAttribution } from '../../../src/attribution/types.js';
import { createCertificateChainDetector } from '../../../src/detect/tls/certificate-chain.js';
import { createInterceptionDetector } from '../../../src/detect/tls/interception.js';
import { TrustStore } from '../../../src/x509/trust-store.js';
import type { Finding } from '../../../src/detect/types.js';
import type { TlsCertificatesEvent } from '../../../src/protocols/events.js';
import { assessChainFact } from '../../../src/enrich/chain-fact.js';
import type { ChainAssessor } from '../../../src/enrich/enricher.js';
import { detectorRun } from '../harness.js';
import { makePki, type TestPki } from './pki.js';
import { runTls } from './helpers.js';

const ids = (fs: Finding[]): string[] => fs.map((f) => `${f.host} ${f.id} ${f.severity}`).sort();

describe('lab intercept (Zscaler Root CA, TLS 1.2, leaf reuses the CA key)', () => {
  it('without the CA: untrusted chain and Zscaler interception (critical) on both Go hosts, plus the downgrade', async () => {
    const { findings, summaries } = await runTls('captures/lab/intercept/capture.pcap');
    expect(ids(findings)).toEqual([
      'proxy.golang.org tls-downgrade warn',
      'proxy.golang.org tls-interception critical',
      'proxy.golang.org tls-untrusted-chain critical',
      'sum.golang.org tls-downgrade warn',
      'sum.golang.org tls-interception critical',
      'sum.golang.org tls-untrusted-chain critical',
    ]);
    const proxy = findings.find((f) => f.id === 'tls-interception' && f.host === 'proxy.golang.org')!;
    expect(proxy.title).toBe('TLS to proxy.golang.org is intercepted by Zscaler');
    expect(proxy.detail).toContain("the leaf reuses its issuer's public key");
    expect(proxy.detail).toContain('where proxy.golang.org is served by Google Trust Services');
    expect(proxy.detail).toMatch(/minted \d+ (s|min) before the capture/);
    expect(proxy.fix).toContain('`Zscaler Root CA`');
    expect(proxy.evidence.map((e) => e.packet)).toEqual([13, 15, 15, 11, 17, 17]);
    const sum = findings.find((f) => f.id === 'tls-interception' && f.host === 'sum.golang.org')!;
    expect(sum.detail).toContain('the same leaf key was presented for proxy.golang.org');
    expect(summaries[0]).toMatchObject({ subject: 'CN=proxy.golang.org', issuerOrg: 'Zscaler Inc.', verdict: 'untrusted', interceptionProduct: 'Zscaler', chainLength: 2, packet: 15 });
  });

  it('with the CA trusted via --ca-file: inspected by Zscaler, trusted via your CA file (warn)', async () => {
    const { findings, summaries } = await runTls('captures/lab/intercept/capture.pcap', { caFiles: ['captures/lab/intercept/trusted-ca.pem'] });
    expect(ids(findings)).toEqual([
      'proxy.golang.org tls-downgrade warn',
      'proxy.golang.org tls-interception warn',
      'proxy.golang.org tls-trusted-by-user-ca warn',
      'sum.golang.org tls-downgrade warn',
      'sum.golang.org tls-interception warn',
      'sum.golang.org tls-trusted-by-user-ca warn',
    ]);
    expect(findings.find((f) => f.id === 'tls-trusted-by-user-ca')?.title).toBe('TLS to proxy.golang.org is inspected by Zscaler, trusted via your CA file');
    expect(summaries.every((s) => s.verdict === 'trusted-by-user-ca')).toBe(true);
  });

  it('accepted in the config: the interception becomes info', async () => {
    const { findings } = await runTls('captures/lab/intercept/capture.pcap', {
      caFiles: ['captures/lab/intercept/trusted-ca.pem'],
      accepted: [{ product: 'Zscaler' }],
    });
    const byId = new Map(findings.filter((f) => f.host === 'proxy.golang.org').map((f) => [f.id, f.severity]));
    expect(byId.get('tls-interception')).toBe('info');
    expect(byId.get('tls-trusted-by-user-ca')).toBe('info');
  });
});

describe('lab intercept-rejected', () => {
  it('the go command rejected the certificate: critical, with ClientHello, ServerHello, Certificate and Alert frames', async () => {
    const { findings } = await runTls('captures/lab/intercept-rejected/capture.pcap');
    const rejected = findings.filter((f) => f.id === 'tls-client-rejected-certificate');
    expect(rejected).toHaveLength(1);
    const f = rejected[0]!;
    expect(f).toMatchObject({ severity: 'critical', host: 'proxy.golang.org', title: 'The client rejected the certificate of proxy.golang.org (fatal alert bad_certificate)' });
    expect(f.evidence.slice(0, 4).map((e) => [e.packet, e.what])).toEqual([
      [13, 'ClientHello SNI proxy.golang.org offered TLS 1.3'],
      [15, 'ServerHello chose TLS 1.2'],
      [15, 'Certificate (2 certificate(s))'],
      [19, 'client fatal alert bad_certificate'],
    ]);
    expect(f.detail).toContain('Seen in 4 connections');
    expect(ids(findings)).toEqual([
      'proxy.golang.org tls-client-rejected-certificate critical',
      'proxy.golang.org tls-downgrade warn',
      'proxy.golang.org tls-interception critical',
      'proxy.golang.org tls-untrusted-chain critical',
    ]);
  });
});

describe('captures/tls12-chain-mtu300.pcap (lab root → intermediate → leaf, sent in full)', () => {
  it('trusted via captures/capture-ca.pem: no warning about the chain itself, only info and the downgrade', async () => {
    const { findings, summaries } = await runTls('captures/tls12-chain-mtu300.pcap', { caFiles: ['captures/capture-ca.pem'] });
    expect(ids(findings)).toEqual([
      'proxy.golang.org tls-downgrade warn',
      'proxy.golang.org tls-trusted-by-user-ca info',
      'proxy.golang.org tls-unexpected-issuer info',
    ]);
    expect(summaries).toEqual([expect.objectContaining({ verdict: 'trusted-by-user-ca', chainLength: 3, packet: 21 })]);
  });

  it('without it: untrusted, not from Google Trust Services, freshly minted', async () => {
    const { findings } = await runTls('captures/tls12-chain-mtu300.pcap');
    expect(ids(findings)).toEqual([
      'proxy.golang.org tls-downgrade warn',
      'proxy.golang.org tls-fresh-leaf warn',
      'proxy.golang.org tls-unexpected-issuer critical',
      'proxy.golang.org tls-untrusted-chain critical',
    ]);
  });
});

describe('chain findings from synthetic events', () => {
  let pki: TestPki;
  let trust: TrustStore;
  const catalog = new HostCatalog();
  beforeAll(async () => {
    pki = makePki();
    trust = await TrustStore.create({ caFiles: [pki.files.root] });
  });
  afterAll(() => pki.cleanup());

  const attribution = (host: string): FlowAttribution => ({
    flowId: 1, host, nameSource: 'sni', address: '127.0.0.2', port: 443, role: 'module-proxy', label: 'Go module proxy', entry: catalog.lookup(host),
  });
  const certs = (list: Uint8Array[], packet: number, ts = Date.now() / 1000 + 2): TlsCertificatesEvent => ({ type: 'tls-certificates', ts, packet, flowId: packet, dir: 1, certs: list });

  const assess: ChainAssessor = (list, at, serverName) => assessChainFact(trust, list, at, serverName, undefined);

  function run(list: Uint8Array[], host = 'proxy.golang.org', ts?: number): Finding[] {
    const r = detectorRun((scope) => [createCertificateChainDetector({ catalog }, scope), createInterceptionDetector({ catalog }, scope)], assess);
    r.event(certs(list, 7, ts), attribution(host));
    return r.finish();
  }

  it('self-signed, expired, hostname mismatch and incomplete chains each get their id', () => {
    expect(run([pki.der.selfSigned]).map((f) => f.id)).toContain('tls-self-signed');
    expect(run([pki.der.expired]).map((f) => `${f.id} ${f.severity}`)).toContain('tls-expired critical');
    expect(run([pki.der.leaf, pki.der.inter], 'goproxy.cn').map((f) => f.id)).toContain('tls-hostname-mismatch');
    const incomplete = run([pki.der.leaf]);
    expect(incomplete.find((f) => f.id === 'tls-incomplete-chain')).toMatchObject({ severity: 'warn', title: 'proxy.golang.org does not send the intermediate certificate its chain needs' });
    expect(incomplete.find((f) => f.id === 'tls-incomplete-chain')?.detail).toContain('not evidence of interception');
    expect(incomplete.map((f) => f.id)).not.toContain('tls-untrusted-chain');
  });

  it('a leaf reusing an unnamed CA key is its own finding, and makes user-CA trust a warning', () => {
    const fs = run([pki.der.rootKeyLeaf]);
    expect(fs.map((f) => `${f.id} ${f.severity}`).sort()).toEqual(['tls-leaf-key-reuse warn', 'tls-trusted-by-user-ca warn', 'tls-unexpected-issuer info']);
    expect(run([pki.der.leaf, pki.der.inter]).map((f) => `${f.id} ${f.severity}`).sort()).toEqual(['tls-trusted-by-user-ca info', 'tls-unexpected-issuer info']);
  });

  it('one leaf key for unrelated hosts is noticed across flows', () => {
    const r = detectorRun((scope) => createInterceptionDetector({ catalog }, scope), assess);
    const ts = Date.now() / 1000 + 2;
    r.event(certs([pki.der.zscalerLeaf], 7, ts), attribution('proxy.golang.org'));
    r.event(certs([pki.der.zscalerLeafSum], 9, ts), attribution('sum.golang.org'));
    const out = r.finish();
    expect(out.find((f) => f.host === 'sum.golang.org')?.detail).toContain('the same leaf key was presented for proxy.golang.org');
  });
});
