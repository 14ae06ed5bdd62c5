import { describe, expect, it } from 'vitest';
import { HostCatalog } from '../../../src/attribution/catalog.js';
import type { FlowAttribution } from '../../../src/attribution/types.js';
import { createCertificateNotVisibleDetector } from '../../../src/detect/tls/not-visible.js';
import { createServerHelloShapeDetector } from '../../../src/detect/tls/server-hello-shape.js';
import type { Finding } from '../../../src/findings/types.js';
import { verdictOf } from '../../../src/model/verdict.js';
import type { ModelSnapshot } from '../../../src/model/types.js';
import type { TlsServerHelloEvent } from '../../../src/protocols/events.js';
import { detectorRun } from '../harness.js';

const catalog = new HostCatalog();
const attribution = (host: string, flowId: number): FlowAttribution => ({
  flowId, host, nameSource: 'sni', address: '127.0.0.2', port: 443, role: catalog.lookup(host)?.role ?? 'other', label: '', entry: catalog.lookup(host),
});
const hello = (flowId: number, version: number): TlsServerHelloEvent => ({
  type: 'tls-server-hello', ts: 1, packet: flowId * 10, flowId, dir: 1, helloRetryRequest: false, recordVersion: 0x0303, legacyVersion: 0x0303, version, cipher: 0x1301, extensions: [43, 51], ja3s: '', ja3sHash: '',
} as TlsServerHelloEvent);

function run(events: [string, number, number][]): Finding[] {
  const r = detectorRun((scope) => createCertificateNotVisibleDetector({ catalog }, scope));
  for (const [host, flowId, version] of events) r.event(hello(flowId, version), attribution(host, flowId));
  return r.finish();
}

describe('tls-certificate-not-visible', () => {
  it('one info finding per Go host reached only over TLS 1.3', () => {
    const fs = run([['proxy.golang.org', 1, 0x0304], ['proxy.golang.org', 2, 0x0304], ['sum.golang.org', 3, 0x0304]]);
    expect(fs.map((f) => `${f.host} ${f.id} ${f.severity}`).sort()).toEqual([
      'proxy.golang.org tls-certificate-not-visible info',
      'sum.golang.org tls-certificate-not-visible info',
    ]);
    expect(fs[0]?.title).toContain('certificate not visible (TLS 1.3); interception not ruled out');
    expect(fs[0]?.fix).toContain('--keylog-file');
  });
  it('nothing for TLS 1.2, for hosts without a Go role', () => {
    expect(run([['proxy.golang.org', 1, 0x0303], ['example.com', 2, 0x0304]])).toEqual([]);
  });
});

describe('verdict wording', () => {
  const snapshot = (ids: string[]): ModelSnapshot =>
    ({
      counts: { flows: 2, findingsBySeverity: { critical: 0, warn: 0, info: ids.length } },
      findings: ids.map((id) => ({ id, title: `t ${id}`, severity: 'info' })),
      hosts: [],
    }) as unknown as ModelSnapshot;
  it('does not say "No problems found" when Go hosts were not visible', () => {
    expect(verdictOf(snapshot(['tls-certificate-not-visible'])).sentence).toBe("No problems seen; 1 Go host's certificate not visible (TLS 1.3)");
    expect(verdictOf(snapshot(['tls-certificate-not-visible', 'tls-certificate-not-visible', 'policy-contact-explained'])).sentence).toBe(
      "No problems seen; 2 Go hosts' certificates not visible (TLS 1.3); 1 note",
    );
    expect(verdictOf(snapshot(['policy-contact-explained'])).sentence).toMatch(/^No problems found; 1 note/);
  });
});

describe('tls-server-hello-shape', () => {
  const shape = (host: string, cipher: number, extensions: number[]): Finding[] => {
    const r = detectorRun((scope) => createServerHelloShapeDetector({ catalog }, scope));
    r.event({ ...hello(1, 0x0304), cipher, extensions }, attribution(host, 1));
    return r.finish();
  };
  it('flags an extra extension or a non-TLS-1.3 suite at a Google host', () => {
    expect(shape('proxy.golang.org', 0x1301, [43, 51, 16]).map((f) => `${f.id} ${f.severity}`)).toEqual(['tls-server-hello-shape info']);
    expect(shape('sum.golang.org', 0xc02f, [43, 51])).toHaveLength(1);
  });
  it('is quiet for the shape Google sends and for hosts not operated by Google', () => {
    expect(shape('proxy.golang.org', 0x1301, [51, 43])).toEqual([]);
    expect(shape('proxy.golang.org', 0x1303, [43, 51, 41])).toEqual([]);
    expect(shape('example.com', 0x1301, [43, 51, 16])).toEqual([]);
  });
});
