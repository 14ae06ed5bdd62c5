import { describe, expect, it } from 'vitest';
import { HostCatalog } from '../../src/attribution/catalog.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { clientHelloEvent } from '../events.js';
import { flow } from '../detect/policy/events.js';

async function enricher(): Promise<Enricher> {
  return new Enricher({ catalog: new HostCatalog(), trust: await TrustStore.create() });
}

describe('FlowContext lifetime', () => {
  it('lives from flow start to flow end: 10,000 flows leave no context behind', async () => {
    const e = await enricher();
    let max = 0;
    for (let id = 1; id <= 10_000; id++) {
      const f = flow(id, '192.0.2.1', 443, id);
      e.flowStarted(f);
      const ctx = e.event(clientHelloEvent(id, id, 'proxy.golang.org'));
      expect(ctx.handshake.clientHello?.sni).toBe('proxy.golang.org');
      expect(ctx.tls).toBe(true);
      max = Math.max(max, e.size);
      e.flowEnded(f);
      e.drop(id);
    }
    expect(max).toBe(1);
    expect(e.size).toBe(0);
  });

  it('events of flows no table announced get bounded contexts', async () => {
    const e = await enricher();
    for (let id = 1; id <= 70_000; id++) e.event(clientHelloEvent(id, id, 'h.example'));
    expect(e.size).toBeLessThanOrEqual(65_536);
  });

  it('pairs responses with their requests, pipelining-aware', async () => {
    const e = await enricher();
    const base = { ts: 1, flowId: 1, version: 'HTTP/1.1', bodyBytes: 0, headers: [] as [string, string][] };
    e.event({ ...base, type: 'http-request', packet: 3, method: 'GET', target: '/a/@v/list', host: 'proxy.golang.org' });
    e.event({ ...base, type: 'http-request', packet: 4, method: 'GET', target: '/b/@v/list', host: 'proxy.golang.org' });
    const ctx = e.event({ ...base, type: 'http-response', packet: 6, status: 404, reason: 'Not Found', requestPacket: 4 });
    expect(ctx.transaction?.request.target).toBe('/b/@v/list');
    expect(e.event({ ...base, type: 'http-response', packet: 7, status: 200, reason: 'OK', requestPacket: 3 }).transaction?.request.target).toBe('/a/@v/list');
    expect(e.event({ ...base, type: 'http-response', packet: 8, status: 200, reason: 'OK', requestPacket: 3 }).transaction).toBeUndefined();
  });
});

describe('the chain fact', () => {
  it('is assessed once per server Certificate message and reaches the model with no detector registered', async () => {
    const { resolve } = await import('node:path');
    const { repoRoot } = await import('../corpus.js');
    const { inspectCapture } = await import('../../src/pipeline/inspect.js');
    const trust = await TrustStore.create();
    let assessments = 0;
    const assess = trust.assessChain.bind(trust);
    trust.assessChain = (...args) => {
      assessments++;
      return assess(...args);
    };
    let certificates = 0;
    const { model } = await inspectCapture(resolve(repoRoot, 'captures/lab/intercept/capture.pcap'), { trust, detectors: [] }, { event: (ev) => void (ev.type === 'tls-certificates' && ev.dir === 1 && certificates++) });
    expect(certificates).toBeGreaterThan(0);
    expect(assessments).toBe(certificates);
    expect(model.hosts.find((h) => h.key === 'proxy.golang.org')?.certificate?.interceptionProduct).toBe('Zscaler');
  });
});
