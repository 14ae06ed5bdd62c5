/**
 * The HTTP/2 analyzer on real h2c captures (captures/make-h2c.sh): a Node client with
 * prior knowledge against Node's http2 server (padded frames, concurrent streams), and
 * curl's `Upgrade: h2c` against nghttpx. Every stream's method, authority, path and status
 * is compared with tshark's HTTP/2 dissector (skipped when tshark is absent).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { HttpRequestEvent, HttpResponseEvent } from '../../../src/protocols/events.js';
import { afterUpgrade, analyze, recordFlows } from './capture.js';

const haveTshark = spawnSync('tshark', ['-v']).status === 0;

interface StreamFacts {
  method?: string;
  authority?: string;
  path?: string;
  status?: string;
}

/** tshark's view, per stream: PDML keeps each HTTP/2 frame's fields together. */
function tsharkStreams(file: string): Map<number, StreamFacts> {
  const pdml = spawnSync('tshark', ['-r', file, '-Y', 'http2', '-T', 'pdml'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
  const out = new Map<number, StreamFacts>();
  const show = (frame: string, field: string): string | undefined => new RegExp(`name="${field.replace(/\./g, '\\.')}"[^>]*show="([^"]*)"`).exec(frame)?.[1];
  for (const frame of pdml.split('<field name="http2.stream"').slice(1)) {
    const id = Number(show(frame, 'http2.streamid'));
    if (!(id > 0)) continue;
    const facts = out.get(id) ?? {};
    for (const [key, field] of [['method', 'http2.headers.method'], ['authority', 'http2.headers.authority'], ['path', 'http2.headers.path'], ['status', 'http2.headers.status']] as const) {
      const v = show(frame, field);
      if (v !== undefined) facts[key] ??= v;
    }
    out.set(id, facts);
  }
  return out;
}

function ourStreams(events: ReturnType<typeof analyze>['events']): Map<number, StreamFacts> {
  const out = new Map<number, StreamFacts>();
  for (const ev of events) {
    if (ev.type !== 'http-request' && ev.type !== 'http-response') continue;
    const facts = out.get(ev.streamId!) ?? {};
    if (ev.type === 'http-request') Object.assign(facts, { method: ev.method, authority: ev.host, path: ev.target });
    else facts.status = String(ev.status);
    out.set(ev.streamId!, facts);
  }
  return out;
}

const MOD = '/github.com/x/y/@v/';

describe('h2c with prior knowledge (Node client → Node http2 server, padded frames)', async () => {
  const file = 'captures/h2c-prior-knowledge.pcap';
  const flows = await recordFlows(file);

  it('pairs every stream, with exact body sizes, and nothing counted as malformed', () => {
    expect(flows).toHaveLength(1);
    const { events, problems } = analyze(flows[0]!.flow, flows[0]!.items);
    expect(problems.entries()).toEqual([]);
    const requests = events.filter((e): e is HttpRequestEvent => e.type === 'http-request');
    const responses = events.filter((e): e is HttpResponseEvent => e.type === 'http-response');
    expect(requests.map((r) => [r.streamId, r.method, r.target, r.host, r.userAgent, r.version, r.bodyBytes])).toEqual([
      [1, 'GET', `${MOD}list`, 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 0],
      [3, 'GET', `${MOD}v1.0.0.info`, 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 0],
      [5, 'GET', `${MOD}v1.0.0.mod`, 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 0],
      [7, 'GET', `${MOD}v1.0.0.zip`, 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 0],
      [9, 'GET', '/github.com/x/missing/@v/list', 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 0],
      [11, 'POST', '/upload/2024-01-02', 'proxy.golang.org:8080', 'Go-http-client/2.0', 'HTTP/2', 'telemetry-report-body'.length],
    ]);
    const byStream = new Map(responses.map((r) => [r.streamId, r]));
    expect(byStream.get(1)).toMatchObject({ status: 200, bodyBytes: 14, contentLength: 14, method: 'GET', target: `${MOD}list`, requestPacket: requests[0]!.packet, version: 'HTTP/2', reason: '' });
    expect(byStream.get(7)).toMatchObject({ status: 200, bodyBytes: 40000, contentLength: 40000, contentType: 'application/zip' });
    expect(byStream.get(9)).toMatchObject({ status: 404, bodyBytes: 'not found: unknown module\n'.length, target: '/github.com/x/missing/@v/list' });
    expect(byStream.get(11)).toMatchObject({ status: 200, bodyBytes: 'got 21 bytes\n'.length, method: 'POST' });
    // Each response follows its request.
    for (const r of responses) expect(events.indexOf(r)).toBeGreaterThan(events.findIndex((e) => e.type === 'http-request' && e.streamId === r.streamId));
  });

  it.skipIf(!haveTshark)('agrees with tshark on every stream', () => {
    expect(ourStreams(analyze(flows[0]!.flow, flows[0]!.items).events)).toEqual(tsharkStreams(file));
  });
});

describe('h2c via Upgrade (curl --http2 → nghttpx)', async () => {
  const file = 'captures/h2c-upgrade.pcap';
  const flows = await recordFlows(file);
  const { upgrade, items } = afterUpgrade(flows[0]!);

  it('answers the upgraded request on stream 1 and pairs the later streams', () => {
    expect(upgrade).toMatchObject({ method: 'GET', target: `${MOD}list` });
    expect(upgrade.settings).toMatch(/^[A-Za-z0-9_-]+$/);
    const { events, problems } = analyze(flows[0]!.flow, items, upgrade);
    expect(problems.entries()).toEqual([]);
    const responses = events.filter((e): e is HttpResponseEvent => e.type === 'http-response');
    expect(responses.map((r) => [r.streamId, r.status, r.method, r.target, r.bodyBytes])).toEqual([
      [1, 200, 'GET', `${MOD}list`, 14],
      [3, 200, 'GET', `${MOD}v1.0.0.info`, 50],
      [5, 200, 'GET', `${MOD}v1.0.0.mod`, 31],
      [7, 200, 'GET', `${MOD}v1.0.0.zip`, 40000],
      [9, 404, 'GET', '/github.com/x/missing/@v/list', expect.any(Number)],
    ]);
    expect(responses[0]!.requestPacket).toBe(upgrade.requestPacket);
    expect(events.filter((e) => e.type === 'http-request')).toHaveLength(4);
  });

  it.skipIf(!haveTshark)('agrees with tshark on every stream', () => {
    const ours = ourStreams(analyze(flows[0]!.flow, items, upgrade).events);
    expect(ours).toEqual(tsharkStreams(file));
  });
});
