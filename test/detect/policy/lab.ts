/**
 * Test helpers for the DNS, HTTP and policy detectors: a small host catalog with the
 * lab's Go hosts, a minimal attributor (SNI, Host, CONNECT target, else the DNS name
 * that resolved to the flow's server address), and a runner that feeds a lab capture
 * through analyzeCapture into detectors. Independent of src/attribution so these tests
 * exercise the detectors alone.
 */
import { resolve } from 'node:path';
import type { CatalogEntry, FlowAttribution, GoRole } from '../../../src/attribution/types.js';
import type { Detector, Finding } from '../../../src/detect/types.js';
import type { HostLookup } from '../../../src/detect/policy/go-hosts.js';
import type { Endpoint } from '../../../src/flow/types.js';
import { analyzeCapture } from '../../../src/pipeline/analyze.js';
import type { GotapEvent } from '../../../src/protocols/events.js';
import type { FindingScope } from '../../../src/findings/store.js';
import { assessChainFact } from '../../../src/enrich/chain-fact.js';
import { TrustStore } from '../../../src/x509/trust-store.js';
import { repoRoot } from '../../corpus.js';
import { detectorRun } from '../harness.js';

const BUILT_IN: [string, GoRole][] = [
  ['proxy.golang.org', 'module-proxy'],
  ['sum.golang.org', 'checksum-db'],
  ['sum.golang.google.cn', 'checksum-db'],
  ['goproxy.cn', 'mirror'],
  ['github.com', 'vcs'],
];

/** Catalog with the built-in Go hosts; `ranges` adds expected address ranges per host. */
export function testCatalog(ranges: Record<string, string[]> = {}, extra: [string, GoRole][] = []): HostLookup {
  const entries = new Map<string, CatalogEntry>();
  for (const [pattern, role] of [...BUILT_IN, ...extra]) entries.set(pattern, { pattern, role, label: role });
  for (const [host, r] of Object.entries(ranges)) {
    const e = entries.get(host) ?? { pattern: host, role: 'other' as GoRole, label: 'configured' };
    entries.set(host, { ...e, addressRanges: r, configured: true });
  }
  return { lookup: (host) => entries.get(host) };
}

export function attribution(partial: Partial<FlowAttribution> = {}): FlowAttribution {
  return { flowId: 1, host: undefined, nameSource: 'none', address: '192.0.2.1', port: 443, role: 'other', label: 'other', ...partial };
}

export function labCapture(scenario: string): string {
  return resolve(repoRoot, 'captures/lab', scenario, 'capture.pcap');
}

/** Runs a capture through the analyzers and the given detectors; returns every finding. */
export async function runDetectors(capture: string, catalog: HostLookup, make: (scope: FindingScope) => readonly (Detector | undefined)[]): Promise<Finding[]> {
  // First pass: each flow's server endpoint (events do not carry it, the attributor would).
  const servers = new Map<number, Endpoint>();
  await analyzeCapture(capture, { event: () => undefined, flowEnded: (flow) => servers.set(flow.id, flow.server) });

  // Certificates are assessed against the public roots, as `gotap inspect` does without --ca-file.
  const trust = await TrustStore.create();
  const run = detectorRun(make, (certs, at, serverName) => assessChainFact(trust, certs, at, serverName, undefined));
  const names = new Map<number, { host: string; source: FlowAttribution['nameSource']; tunnel?: string }>();
  const dnsNames = new Map<string, string>();

  function attribute(ev: GotapEvent): FlowAttribution {
    if (ev.type === 'dns-response') for (const a of ev.addresses) dnsNames.set(a, ev.questions[0]?.name ?? '');
    const known = names.get(ev.flowId);
    if (ev.type === 'http-request' && ev.method === 'CONNECT' && ev.connectTarget) {
      names.set(ev.flowId, { host: ev.connectTarget.replace(/:\d+$/, ''), source: 'connect', tunnel: ev.connectTarget });
    } else if (!known && ev.type === 'tls-client-hello' && ev.sni) {
      names.set(ev.flowId, { host: ev.sni, source: 'sni' });
    } else if (!known && ev.type === 'http-request' && ev.host) {
      names.set(ev.flowId, { host: ev.host.replace(/:\d+$/, ''), source: 'http-host' });
    }
    const server = servers.get(ev.flowId) ?? { addr: '0.0.0.0', port: 0 };
    const name = names.get(ev.flowId);
    const host = name?.host ?? dnsNames.get(server.addr);
    const entry = host === undefined ? undefined : catalog.lookup(host);
    return {
      flowId: ev.flowId,
      host,
      nameSource: name?.source ?? (host ? 'dns' : 'none'),
      address: server.addr,
      port: server.port,
      role: entry?.role ?? 'other',
      label: entry?.label ?? 'other',
      ...(entry ? { entry } : {}),
      ...(name?.tunnel ? { tunnelTarget: name.tunnel } : {}),
    };
  }

  await analyzeCapture(capture, {
    event(ev) {
      run.event(ev, attribute(ev));
    },
    flowEnded(flow) {
      run.flowEnded(flow, attribution({ flowId: flow.id, address: flow.server.addr, port: flow.server.port }));
    },
  });
  return run.finish();
}

/** id → hosts, for compact assertions. */
export function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.id} ${f.host ?? '-'}`).sort();
}
