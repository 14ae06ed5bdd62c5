/**
 * The attribution stage on the real pipeline: lab captures of the go command (captures/lab)
 * run through analyzeCapture, with the Attributor fed every event and flow. Checks that
 * every TLS flow is named and given its Go role, that DNS alone would have named them too,
 * and how a CONNECT tunnel through the corporate proxy is presented.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Attributor } from '../../src/attribution/attributor.js';
import { HostCatalog } from '../../src/attribution/catalog.js';
import type { FlowAttribution } from '../../src/attribution/types.js';
import type { Flow } from '../../src/flow/types.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';
import type { GotapEvent } from '../../src/protocols/events.js';
import { repoRoot } from '../corpus.js';

interface Run {
  flows: { flow: Flow; final: FlowAttribution }[];
  /** Attribution of the event's flow right after each event. */
  perEvent: { ev: GotapEvent; attribution: FlowAttribution }[];
}

/** Runs a capture through the pipeline into an Attributor; `keep` filters the events it sees. */
async function run(capture: string, keep: (ev: GotapEvent) => boolean = () => true): Promise<Run> {
  const attributor = new Attributor(new HostCatalog());
  const out: Run = { flows: [], perEvent: [] };
  await analyzeCapture(resolve(repoRoot, capture), {
    flowStarted: (flow) => attributor.flowStarted(flow),
    event(ev) {
      if (!keep(ev)) return;
      attributor.event(ev);
      out.perEvent.push({ ev, attribution: attributor.attributionOf(ev.flowId) });
    },
    flowEnded(flow) {
      out.flows.push({ flow, final: attributor.flowEnded(flow.id) });
    },
  });
  return out;
}

const GO_HOSTS: Record<string, string> = { 'proxy.golang.org': 'module-proxy', 'sum.golang.org': 'checksum-db' };
const LAB_ADDRESSES: Record<string, string> = { 'proxy.golang.org': '127.0.0.2', 'sum.golang.org': '127.0.0.3' };

describe('lab capture: clean', () => {
  it('names every TLS flow by SNI and gives proxy.golang.org / sum.golang.org their roles', async () => {
    const { flows } = await run('captures/lab/clean/capture.pcap');
    const tls = flows.filter((f) => f.flow.app === 'tls');
    expect(tls.length).toBeGreaterThan(3);
    const hosts = new Set<string>();
    for (const { flow, final } of tls) {
      expect(final.nameSource).toBe('sni');
      expect(Object.keys(GO_HOSTS)).toContain(final.host);
      hosts.add(final.host!);
      expect(final.role).toBe(GO_HOSTS[final.host!]);
      expect(final.entry?.google).toBe(true);
      expect(final.address).toBe(flow.server.addr);
      expect(final.address).toBe(LAB_ADDRESSES[final.host!]);
      expect(final.port).toBe(443);
      expect(final.via).toBeUndefined();
    }
    expect([...hosts].sort()).toEqual(['proxy.golang.org', 'sum.golang.org']);
  });

  it('gives DNS flows the resolver role, named by the resolver address', async () => {
    const { flows } = await run('captures/lab/clean/capture.pcap');
    const dns = flows.filter((f) => f.flow.app === 'dns');
    expect(dns.length).toBeGreaterThan(0);
    for (const { final } of dns) expect(final).toMatchObject({ role: 'resolver', host: '127.0.0.53', nameSource: 'none', port: 53 });
  });

  it('without SNI, the DNS answers alone name every TLS flow, with the answer frame and resolver', async () => {
    const { flows } = await run('captures/lab/clean/capture.pcap', (ev) => ev.type !== 'tls-client-hello');
    const tls = flows.filter((f) => f.flow.app === 'tls');
    expect(tls.length).toBeGreaterThan(3);
    for (const { flow, final } of tls) {
      expect(final.nameSource).toBe('dns');
      expect(final.dnsResolver).toBe('127.0.0.53');
      expect(final.dnsChain).toEqual([final.host]);
      expect(final.address).toBe(LAB_ADDRESSES[final.host!]);
      expect(final.role).toBe(GO_HOSTS[final.host!]);
      expect(final.namePacket).toBeLessThan(flow.firstFrame);
    }
  });
});

describe('lab capture: corp-proxy', () => {
  it('attributes each tunnel to the tunnelled host, via the CONNECT proxy', async () => {
    const { flows } = await run('captures/lab/corp-proxy/capture.pcap');
    const tunnels = flows.filter((f) => f.flow.server.port === 3128);
    expect(tunnels.length).toBe(4);
    for (const { flow, final } of tunnels) {
      expect(flow.app).toBe('http>tls');
      expect(final.nameSource).toBe('sni');
      expect(final.role).toBe(GO_HOSTS[final.host!]);
      expect(final.tunnelTarget).toBe(`${final.host}:443`);
      expect(final.address).toBe('127.0.0.9');
      expect(final.port).toBe(3128);
      expect(final.via).toMatchObject({ address: '127.0.0.9', port: 3128, how: 'connect' });
      expect(final.via!.packet).toBeLessThan(final.namePacket!);
    }
    expect(new Set(tunnels.map((t) => t.final.host))).toEqual(new Set(['proxy.golang.org', 'sum.golang.org']));
  });

  it('shows the flow as an http-proxy request after CONNECT, and as the tunnelled host after the inner ClientHello', async () => {
    const { perEvent } = await run('captures/lab/corp-proxy/capture.pcap');
    const connect = perEvent.find((p) => p.ev.type === 'http-request' && p.ev.method === 'CONNECT')!;
    expect(connect.attribution).toMatchObject({
      role: 'http-proxy',
      nameSource: 'connect',
      host: 'proxy.golang.org',
      tunnelTarget: 'proxy.golang.org:443',
      namePacket: connect.ev.packet,
      address: '127.0.0.9',
      port: 3128,
      via: { address: '127.0.0.9', port: 3128, how: 'connect', packet: connect.ev.packet },
    });
    const hello = perEvent.find((p) => p.ev.type === 'tls-client-hello' && p.ev.flowId === connect.ev.flowId)!;
    expect(hello.attribution).toMatchObject({
      role: 'module-proxy',
      nameSource: 'sni',
      host: 'proxy.golang.org',
      tunnelTarget: 'proxy.golang.org:443',
      namePacket: hello.ev.packet,
    });
  });

  it("also names the proxy's own upstream connections (the proxy resolved the names itself)", async () => {
    const { flows } = await run('captures/lab/corp-proxy/capture.pcap', (ev) => ev.type !== 'tls-client-hello');
    const upstream = flows.filter((f) => f.flow.server.port === 443);
    expect(upstream.length).toBe(4);
    for (const { final } of upstream) {
      expect(final.nameSource).toBe('dns');
      expect(final.address).toBe(LAB_ADDRESSES[final.host!]);
    }
  });
});
