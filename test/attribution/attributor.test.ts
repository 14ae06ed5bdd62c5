/**
 * The Attributor on event sequences built in code: each naming source, their precedence,
 * proxies (CONNECT tunnels and absolute-form forwarding), resolvers, the DNS choice by
 * flow start time, name normalisation, and the bounded address map.
 */
import { describe, expect, it } from 'vitest';
import { Attributor } from '../../src/attribution/attributor.js';
import { HostCatalog } from '../../src/attribution/catalog.js';
import type { Flow } from '../../src/flow/types.js';
import type { DnsResponseEvent, HttpRequestEvent, TlsClientHelloEvent } from '../../src/protocols/events.js';
import { emptyDirectionStats } from '../../src/flow/flow-table.js';
import { clientHelloEvent, httpRequestEvent } from '../events.js';

const CLIENT = { addr: '192.168.1.10', port: 50000 };
const RESOLVER = { addr: '192.168.1.1', port: 53 };

function flow(id: number, addr: string, ts: number, port = 443, protocol: 'tcp' | 'udp' = 'tcp'): Flow {
  return {
    id,
    protocol,
    ipVersion: addr.includes(':') ? 6 : 4,
    client: CLIENT,
    server: { addr, port },
    roleBy: 'syn',
    firstTs: ts,
    lastTs: ts,
    firstFrame: Math.round(ts),
    lastFrame: Math.round(ts),
    synSeen: true,
    synAckSeen: true,
    finSeen: [false, false],
    rstSeen: false,
    stats: [emptyDirectionStats(), emptyDirectionStats()],
  };
}

function dns(flowId: number, ts: number, qname: string, addresses: string[], cnameChain: string[] = []): DnsResponseEvent {
  const flags = { qr: true, opcode: 'QUERY', aa: false, tc: false, rd: true, ra: true, ad: false, cd: false };
  return {
    type: 'dns-response',
    ts,
    packet: Math.round(ts),
    flowId,
    transport: 'udp',
    client: CLIENT,
    server: RESOLVER,
    id: 1,
    flags,
    rcode: 'NOERROR',
    questions: [{ name: qname, type: 'A', class: 'IN' }],
    answers: [],
    authorities: [],
    additionals: [],
    cnameChain,
    addresses,
  };
}

function hello(flowId: number, packet: number, sni: string | undefined): TlsClientHelloEvent {
  return clientHelloEvent(flowId, packet, sni);
}

function request(flowId: number, packet: number, method: string, target: string, host?: string): HttpRequestEvent {
  return httpRequestEvent(flowId, packet, method, target, host);
}

const catalog = new HostCatalog([
  { pattern: 'athens.internal', role: 'mirror', label: 'Athens', configured: true },
  { pattern: '10.9.9.9', role: 'mirror', label: 'mirror by address', configured: true },
]);

describe('names from DNS', () => {
  it('names a flow to a bare IP by the answer that resolved to it, with frame and resolver', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 3, 'Proxy.Golang.Org.', ['142.250.1.1', '2a00:1450::1']));
    a.flowStarted(flow(2, '2a00:1450::1', 4));
    expect(a.attributionOf(2)).toEqual({
      flowId: 2,
      host: 'proxy.golang.org',
      nameSource: 'dns',
      namePacket: 3,
      dnsChain: ['proxy.golang.org'],
      dnsResolver: '192.168.1.1',
      address: '2a00:1450::1',
      port: 443,
      role: 'module-proxy',
      label: 'Go module proxy (Google)',
      entry: catalog.lookup('proxy.golang.org'),
    });
  });

  it('keeps the CNAME chain and finds the role along it', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 3, 'goproxy.corp.example', ['10.1.1.1'], ['Athens.Internal.']));
    a.flowStarted(flow(2, '10.1.1.1', 4));
    expect(a.attributionOf(2)).toMatchObject({
      host: 'goproxy.corp.example',
      dnsChain: ['goproxy.corp.example', 'athens.internal'],
      role: 'mirror',
      label: 'Athens',
    });
  });

  it('prefers the question name over the chain when both have entries', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 3, 'proxy.golang.org', ['10.1.1.2'], ['athens.internal']));
    a.flowStarted(flow(2, '10.1.1.2', 4));
    expect(a.attributionOf(2).role).toBe('module-proxy');
  });

  it('uses the latest answer before the flow started, and later answers do not rename it', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'a.example', ['10.1.1.3']));
    a.event(dns(1, 2, 'b.example', ['10.1.1.3']));
    a.flowStarted(flow(2, '10.1.1.3', 3));
    a.event(dns(1, 4, 'sum.golang.org', ['10.1.1.3']));
    expect(a.attributionOf(2)).toMatchObject({ host: 'b.example', namePacket: 2, role: 'other', label: 'not Go' });
    a.flowStarted(flow(3, '10.1.1.3', 5));
    expect(a.attributionOf(3)).toMatchObject({ host: 'sum.golang.org', role: 'checksum-db' });
  });

  it('ignores answers without addresses', () => {
    const a = new Attributor(catalog);
    a.event({ ...dns(1, 1, 'proxy.golang.org', []), rcode: 'NXDOMAIN' });
    a.flowStarted(flow(2, '10.1.1.4', 2));
    expect(a.attributionOf(2)).toMatchObject({ host: undefined, nameSource: 'none', role: 'other' });
    expect(a.names.size).toBe(0);
  });

  it('bounds the address map: the least recently used address is forgotten', () => {
    const a = new Attributor(catalog, { maxAddresses: 2 });
    a.event(dns(1, 1, 'one.example', ['10.0.0.1']));
    a.event(dns(1, 2, 'two.example', ['10.0.0.2']));
    a.event(dns(1, 3, 'three.example', ['10.0.0.3']));
    expect(a.names.size).toBe(2);
    a.flowStarted(flow(2, '10.0.0.1', 4));
    a.flowStarted(flow(3, '10.0.0.3', 4));
    expect(a.attributionOf(2).nameSource).toBe('none');
    expect(a.attributionOf(3).host).toBe('three.example');
  });
});

describe('precedence', () => {
  it('SNI overrides DNS (and names the flow even when DNS said something else)', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'evil.example', ['10.1.2.3']));
    a.flowStarted(flow(2, '10.1.2.3', 2));
    expect(a.attributionOf(2).host).toBe('evil.example');
    a.event(hello(2, 5, 'proxy.golang.org'));
    expect(a.attributionOf(2)).toMatchObject({ host: 'proxy.golang.org', nameSource: 'sni', namePacket: 5, role: 'module-proxy' });
    expect(a.attributionOf(2).dnsChain).toBeUndefined();
  });

  it('the first SNI of a flow counts; a ClientHello without SNI changes nothing', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.1.2.3', 1));
    a.event(hello(1, 2, undefined));
    expect(a.attributionOf(1).nameSource).toBe('none');
    a.event(hello(1, 3, 'sum.golang.org'));
    a.event(hello(1, 4, 'proxy.golang.org'));
    expect(a.attributionOf(1)).toMatchObject({ host: 'sum.golang.org', namePacket: 3 });
  });

  it('names plain HTTP by its Host header, port stripped, over DNS', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'other.example', ['10.1.2.4']));
    a.flowStarted(flow(2, '10.1.2.4', 2));
    a.event(request(2, 3, 'GET', '/github.com/a/b/@v/list', 'PROXY.golang.org:80'));
    expect(a.attributionOf(2)).toMatchObject({ host: 'proxy.golang.org', nameSource: 'http-host', namePacket: 3, role: 'module-proxy' });
  });

  it("uses the first request's path for host+path mirrors", () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.1.2.5', 1, 80));
    a.event(request(1, 2, 'GET', '/goproxy/github.com/a/b/@v/list?x=1', 'mirrors.aliyun.com'));
    a.event(request(1, 3, 'GET', '/ubuntu/dists/', 'mirrors.aliyun.com'));
    expect(a.attributionOf(1)).toMatchObject({ host: 'mirrors.aliyun.com', role: 'mirror', label: 'Alibaba Cloud Go mirror' });
    const b = new Attributor(catalog);
    b.flowStarted(flow(1, '10.1.2.5', 1, 80));
    b.event(request(1, 2, 'GET', '/ubuntu/dists/', 'mirrors.aliyun.com'));
    expect(b.attributionOf(1)).toMatchObject({ role: 'other', label: 'not Go' });
  });

  it('names an absolute-form request by its target and marks the server as a forwarding proxy', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'squid.corp.example', ['10.0.0.8']));
    a.flowStarted(flow(2, '10.0.0.8', 2, 3128));
    a.event(request(2, 3, 'GET', 'http://proxy.golang.org/github.com/a/b/@v/list', 'proxy.golang.org'));
    expect(a.attributionOf(2)).toMatchObject({
      host: 'proxy.golang.org',
      nameSource: 'http-host',
      role: 'module-proxy',
      address: '10.0.0.8',
      port: 3128,
      via: { address: '10.0.0.8', port: 3128, name: 'squid.corp.example', how: 'absolute-form', packet: 3 },
    });
  });
});

describe('CONNECT tunnels', () => {
  it('is an http-proxy request to the target until the inner ClientHello names the tunnelled host', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'squid.corp.example', ['10.0.0.8']));
    a.flowStarted(flow(2, '10.0.0.8', 2, 3128));
    a.event(request(2, 3, 'CONNECT', 'proxy.golang.org:443', 'proxy.golang.org:443'));
    const via = { address: '10.0.0.8', port: 3128, name: 'squid.corp.example', how: 'connect', packet: 3 };
    expect(a.attributionOf(2)).toEqual({
      flowId: 2,
      host: 'proxy.golang.org',
      nameSource: 'connect',
      namePacket: 3,
      address: '10.0.0.8',
      port: 3128,
      role: 'http-proxy',
      label: 'HTTP proxy',
      tunnelTarget: 'proxy.golang.org:443',
      via,
    });
    a.event(hello(2, 6, 'proxy.golang.org'));
    expect(a.attributionOf(2)).toMatchObject({
      host: 'proxy.golang.org',
      nameSource: 'sni',
      namePacket: 6,
      role: 'module-proxy',
      entry: { pattern: 'proxy.golang.org' },
      tunnelTarget: 'proxy.golang.org:443',
      via,
    });
  });

  it('shows the inner SNI when it differs from the CONNECT target', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.0.0.8', 1, 3128));
    a.event(request(1, 2, 'CONNECT', 'innocent.example:443'));
    a.event(hello(1, 4, 'sum.golang.org'));
    expect(a.attributionOf(1)).toMatchObject({ host: 'sum.golang.org', role: 'checksum-db', tunnelTarget: 'innocent.example:443' });
  });

  it('takes the role of the target once plain HTTP shows inside the tunnel', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.0.0.8', 1, 3128));
    a.event(request(1, 2, 'CONNECT', '[2001:db8::1]:80'));
    expect(a.attributionOf(1)).toMatchObject({ host: '2001:db8::1', role: 'http-proxy' });
    a.event(request(1, 4, 'GET', '/x', 'proxy.golang.org'));
    expect(a.attributionOf(1)).toMatchObject({ host: '2001:db8::1', nameSource: 'connect', role: 'other', tunnelTarget: '[2001:db8::1]:80' });
  });
});

describe('resolvers and unnamed flows', () => {
  it('gives DNS flows the resolver role named by its address, from the port or from DNS events', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '192.168.1.1', 1, 53, 'udp'));
    expect(a.attributionOf(1)).toMatchObject({ host: '192.168.1.1', nameSource: 'none', role: 'resolver', label: 'DNS resolver', port: 53 });
    a.event({ ...dns(7, 2, 'a.example', ['10.0.0.1']), server: { addr: '192.168.1.1', port: 5353 } });
    expect(a.attributionOf(7)).toMatchObject({ host: '192.168.1.1', role: 'resolver', address: '192.168.1.1', port: 5353 });
  });

  it('looks an unnamed flow up by address, else calls it other', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.9.9.9', 1));
    a.flowStarted(flow(2, '10.9.9.8', 1));
    expect(a.attributionOf(1)).toMatchObject({ host: undefined, nameSource: 'none', role: 'mirror', label: 'mirror by address' });
    expect(a.attributionOf(2)).toEqual({ flowId: 2, host: undefined, nameSource: 'none', address: '10.9.9.8', port: 443, role: 'other', label: 'not Go' });
  });
});

describe('state and names', () => {
  it('keeps attacker names exact apart from ASCII case and the root dot', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.0.0.1', 1));
    a.event(hello(1, 2, 'ÉVIL\u001b]8;;x\u0007.Example.'));
    expect(a.attributionOf(1).host).toBe('Évil\u001b]8;;x\u0007.example');
  });

  it('caches the attribution until the flow changes, and forgets the flow at its end', () => {
    const a = new Attributor(catalog);
    a.flowStarted(flow(1, '10.0.0.1', 1));
    const first = a.attributionOf(1);
    a.event(dns(9, 2, 'x.example', ['10.0.0.2']));
    expect(a.attributionOf(1)).toBe(first);
    a.event(hello(1, 3, 'proxy.golang.org'));
    const named = a.attributionOf(1);
    expect(named).not.toBe(first);
    expect(a.flowEnded(1)).toBe(named);
    expect(a.attributionOf(1)).toEqual({ flowId: 1, host: undefined, nameSource: 'none', address: '', port: 0, role: 'other', label: 'not Go' });
  });

  it('completes a flow first seen through its events when flowStarted comes late', () => {
    const a = new Attributor(catalog);
    a.event(dns(1, 1, 'sum.golang.org', ['10.0.0.3']));
    a.event(hello(2, 3, undefined));
    expect(a.attributionOf(2).address).toBe('');
    a.event(dns(1, 5, 'proxy.golang.org', ['10.0.0.3']));
    a.flowStarted(flow(2, '10.0.0.3', 2));
    expect(a.attributionOf(2)).toMatchObject({ host: 'sum.golang.org', namePacket: 1, address: '10.0.0.3' });
  });
});
