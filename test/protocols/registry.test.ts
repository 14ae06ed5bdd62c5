/**
 * The analyzer registry and the generic dispatcher: probing order (HTTP/2 preface before
 * HTTP/1, TLS, DNS over TCP only on DNS ports), waiting for bytes, precedence of a probe
 * that cannot tell yet, child analyzers (CONNECT tunnels, decrypted marking, nesting cap),
 * gap handling, and anomalies counted for every protocol.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Direction, Flow, FlowHandler } from '../../src/flow/types.js';
import type { AnalyzerContext, StreamAnalyzer } from '../../src/protocols/analyzer.js';
import { MAX_CHILD_DEPTH, MAX_SNIFF_BYTES, ProtocolDispatcher, probe } from '../../src/protocols/dispatch.js';
import type { GotapEvent } from '../../src/protocols/events.js';
import { CLIENT_PREFACE, looksLikeHttp2Preface } from '../../src/protocols/http2/detect.js';
import { REGISTRY, type Registration, type StreamRegistration } from '../../src/protocols/registry.js';
import { SecretsStore } from '../../src/secrets/store.js';
import { Counter } from '../../src/util/counter.js';
import { framed, makeFlow, query } from './dns/helpers.js';
import { clientHelloBody, handshake, records, sniExt } from './tls/helpers.js';

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const EMPTY = new Uint8Array(0);
const CLIENT = { addr: '10.0.0.1', port: 50000 };
const tcpFlow = (serverPort: number): Flow => makeFlow('tcp', CLIENT, { addr: '10.0.0.2', port: serverPort });
const clientHello = records(22, handshake(1, clientHelloBody({ ciphers: [0x1301], extensions: [sniExt('proxy.golang.org')] })), 16384, 0x0301);

/** The registration the registry's probing rule picks for these heads (undefined: wait). */
function pick(client: Uint8Array, server: Uint8Array, flow: Flow, final = false): string | undefined {
  const tcp = REGISTRY.filter((r) => r.transport === 'tcp');
  const r = probe(tcp, client, server, flow, final);
  return r === undefined ? undefined : r === 'unknown' ? 'unknown' : r.name;
}

/** A dispatcher over one flow: feed it chunks and gaps, collect events, problems and the flow's app label. */
function harness(flow: Flow, opts: { registry?: readonly Registration[]; secrets?: SecretsStore } = {}) {
  const events: GotapEvent[] = [];
  const problems = new Counter();
  const handler = new ProtocolDispatcher((ev) => events.push(ev), problems, opts).flowStarted(flow) as FlowHandler;
  const offsets = [0, 0];
  let frame = 0;
  return {
    events,
    problems,
    flow,
    send(dir: Direction, data: Uint8Array | string): void {
      const d = typeof data === 'string' ? ascii(data) : data;
      handler.data!(dir, { data: d, offset: offsets[dir]!, frame: ++frame, ts: frame });
      offsets[dir]! += d.length;
    },
    gap(dir: Direction, size: number): void {
      handler.gap!(dir, offsets[dir]!, size, ++frame, frame);
      offsets[dir]! += size;
    },
    datagram(dir: Direction, payload: Uint8Array): void {
      handler.datagram!(dir, payload, ++frame, frame);
    },
    end(): void {
      flow.lastFrame = ++frame;
      handler.end!(flow);
    },
  };
}

describe('the registry', () => {
  it('states one probing order: DNS over TCP, HTTP/2, TLS, HTTP/1; then DNS over UDP', () => {
    expect(REGISTRY.map((r) => `${r.transport}/${r.name}`)).toEqual(['tcp/dns', 'tcp/http2', 'tcp/tls', 'tcp/http', 'udp/dns']);
  });

  it('gives the HTTP/2 preface to http2, not to the HTTP/1 sniffer that would take "PRI * HTTP/2.0" for a request', () => {
    const flow = tcpFlow(8080);
    expect(pick(CLIENT_PREFACE, EMPTY, flow)).toBe('http2');
    // A prefix of the preface: HTTP/1 would say yes already, but http2 comes first and cannot tell yet.
    expect(pick(ascii('PRI * HTTP/2.0\r\n'), EMPTY, flow)).toBeUndefined();
    // At the end of the flow "cannot tell" counts as no: the HTTP/1 sniffer gets it.
    expect(pick(ascii('PRI * HTTP/2.0\r\n'), EMPTY, flow, true)).toBe('http');
    expect(pick(ascii('PRI * HTTP/1.1\r\n'), EMPTY, flow)).toBe('http');
  });

  it('gives GET / to http, a ClientHello to tls (either direction), a status line to http', () => {
    const flow = tcpFlow(443);
    expect(pick(ascii('GET / HTTP/1.1\r\n'), EMPTY, flow)).toBe('http');
    expect(pick(clientHello, EMPTY, flow)).toBe('tls');
    expect(pick(EMPTY, clientHello, flow)).toBe('tls');
    expect(pick(EMPTY, ascii('HTTP/1.1 200 OK\r\n'), flow)).toBe('http');
    expect(pick(ascii('SSH-2.0-OpenSSH_9.6\r\n'), EMPTY, flow)).toBe('unknown');
  });

  it('believes DNS over TCP only on a DNS port', () => {
    const msg = framed(query(1, 'proxy.golang.org'));
    expect(pick(msg, EMPTY, tcpFlow(53))).toBe('dns');
    expect(pick(msg, EMPTY, makeFlow('tcp', { addr: '10.0.0.1', port: 5353 }, { addr: '10.0.0.2', port: 9999 }))).toBe('dns');
    expect(pick(msg, EMPTY, tcpFlow(8053))).toBe('unknown');
  });

  it('waits while a probe needs more bytes, and an earlier undecided probe keeps precedence', () => {
    const flow = tcpFlow(443);
    expect(pick(Uint8Array.of(0x16, 0x03), EMPTY, flow)).toBeUndefined();
    expect(pick(ascii('GE'), EMPTY, flow)).toBeUndefined();
    // On a DNS port a half-read length prefix holds back the TLS verdict until DNS can decide.
    const dnsPort = tcpFlow(53);
    expect(pick(Uint8Array.of(0x00), EMPTY, dnsPort)).toBeUndefined();
    expect(pick(clientHello, EMPTY, dnsPort)).toBe('tls');
  });

  it('looksLikeHttp2Preface: true for the whole preface, undefined for every proper prefix, false on any wrong byte', () => {
    const preface = CLIENT_PREFACE;
    for (let n = 0; n < preface.length; n++) expect(looksLikeHttp2Preface(preface.subarray(0, n))).toBeUndefined();
    expect(looksLikeHttp2Preface(preface)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: preface.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const b = preface.slice();
        b[at] = (b[at]! + delta) & 0xff;
        expect(looksLikeHttp2Preface(b)).toBe(false);
      }),
    );
  });
});

describe('the dispatcher', () => {
  it('labels the flow and feeds the analyzer the held bytes, whatever the chunking', () => {
    const stream = ascii('GET /github.com/x/@v/list HTTP/1.1\r\nHost: proxy.golang.org\r\n\r\n');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        const h = harness(tcpFlow(80));
        let off = 0;
        for (let i = 0; off < stream.length; i++) {
          const n = sizes[i % sizes.length]!;
          h.send(0, stream.subarray(off, off + n));
          off += n;
        }
        h.end();
        expect(h.flow.app).toBe('http');
        expect(h.events.map((e) => e.type)).toEqual(['http-request']);
      }),
      { numRuns: 100 },
    );
  });

  it('decides at the end of the flow with what it has, and gives up on what nobody claims', () => {
    const h = harness(tcpFlow(8080));
    h.send(0, 'PRI * HTTP/2.0\r\n');
    h.end();
    expect(h.flow.app).toBe('http');
    const u = harness(tcpFlow(22));
    u.send(0, 'SSH-2.0-OpenSSH_9.6\r\n');
    u.end();
    expect(u.flow.app).toBeUndefined();
  });

  it('holds at most MAX_SNIFF_BYTES: then "cannot tell" counts as no, and the held bytes are replayed', () => {
    let got = 0;
    const undecided: StreamRegistration = { name: 'never-sure', transport: 'tcp', probe: () => undefined, sniffDepth: Infinity, acceptsGaps: true, create: () => ({ data() {}, gap() {}, end() {} }) };
    const eager: StreamRegistration = { ...undecided, name: 'eager', probe: () => true, create: () => ({ data: (_d, c) => void (got += c.data.length), gap() {}, end() {} }) };
    const h = harness(tcpFlow(1), { registry: [undecided, eager] });
    for (let sent = 0; sent < MAX_SNIFF_BYTES - 100; sent += 100) h.send(0, new Uint8Array(100));
    expect(h.flow.app).toBeUndefined();
    h.send(1, new Uint8Array(100));
    expect(h.flow.app).toBe('eager');
    expect(got).toBe(Math.ceil((MAX_SNIFF_BYTES - 100) / 100) * 100 + 100);
  });

  it('sends the HTTP/2 preface to the http2 analyzer (no HTTP/1 request event, no error)', () => {
    const h = harness(tcpFlow(80));
    h.send(0, CLIENT_PREFACE);
    h.send(0, Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 0, 0));
    h.end();
    expect(h.flow.app).toBe('http2');
    expect(h.events).toEqual([]);
    expect(h.problems.toJSON()).toEqual({});
  });

  it('counts TLS and HTTP errors in problems as well as emitting their events', () => {
    const t = harness(tcpFlow(443));
    t.send(0, clientHello);
    t.send(0, Uint8Array.of(0x16, 0x03, 0x03, 0xff, 0xff));
    t.gap(1, 100);
    t.end();
    expect(t.events.filter((e) => e.type === 'tls-error').map((e) => e.dir)).toEqual([0, 1]);
    expect(t.problems.toJSON()).toEqual({ 'tls: record too long': 1, 'tls: gap in the stream': 1 });
    const hh = harness(tcpFlow(80));
    hh.send(1, 'HTTP/1.1 2x0 OK\r\n\r\n');
    expect(hh.events.map((e) => e.type)).toEqual(['http-error']);
    expect(hh.problems.toJSON()).toEqual({ 'http: malformed status line': 1 });
  });

  it('tells an analyzer that does not accept gaps about the first gap of a direction only', () => {
    const seen: string[] = [];
    const recorder: StreamRegistration = {
      name: 'rec',
      transport: 'tcp',
      probe: () => true,
      sniffDepth: 1,
      acceptsGaps: false,
      create: () => ({
        data: (dir, c) => seen.push(`data ${dir} ${c.data.length}`),
        gap: (dir, size) => seen.push(`gap ${dir} ${size}`),
        end: () => seen.push('end'),
      }),
    };
    const h = harness(tcpFlow(1), { registry: [recorder] });
    h.send(0, 'ab');
    h.gap(0, 5);
    h.send(0, 'cd');
    h.gap(0, 6);
    h.send(1, 'ef');
    h.end();
    expect(seen).toEqual(['data 0 2', 'gap 0 5', 'data 1 2', 'end']);
  });

  it('probes UDP datagrams one by one: DNS anywhere on a DNS port, elsewhere only if one of the first three parses as DNS', () => {
    const onPort = harness(makeFlow('udp'));
    onPort.datagram(0, Uint8Array.of(1, 2, 3));
    expect(onPort.flow.app).toBe('dns');
    expect(onPort.problems.toJSON()).toEqual({ 'dns: truncated header': 1 });
    const off = harness(makeFlow('udp', CLIENT, { addr: '10.0.0.2', port: 9999 }));
    for (let i = 0; i < 3; i++) off.datagram(0, Uint8Array.of(i));
    off.datagram(0, query(1, 'proxy.golang.org'));
    expect(off.flow.app).toBeUndefined();
    const late = harness(makeFlow('udp', CLIENT, { addr: '10.0.0.2', port: 9999 }));
    late.datagram(0, Uint8Array.of(0));
    late.datagram(0, query(1, 'proxy.golang.org'));
    expect(late.flow.app).toBe('dns');
    expect(late.events.map((e) => e.type)).toEqual(['dns-query']);
  });
});

describe('hostile input through the dispatcher', () => {
  const pieces = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\n', 'CONNECT a:443 HTTP/1.1\r\n\r\n', 'PRI * HTTP/2.0\r\n').map(ascii),
    fc.constant(clientHello),
    fc.constant(framed(query(1, 'proxy.golang.org'))),
  );
  const step = fc.tuple(fc.constantFrom<Direction>(0, 1), fc.oneof(pieces, fc.integer({ min: 1, max: 3000 })));

  it('never throws, and every problem it counts is a protocol anomaly kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(53, 80, 443, 3128), fc.array(step, { maxLength: 25 }), (port, steps) => {
        const h = harness(tcpFlow(port));
        for (const [dir, p] of steps) {
          if (typeof p === 'number') h.gap(dir, p);
          else h.send(dir, p);
        }
        h.end();
        for (const kind of Object.keys(h.problems.toJSON())) expect(kind).toMatch(/^(dns|tls|http|http2|analyzer): [a-zA-Z]/);
      }),
      { numRuns: 1500 },
    );
  });

  it('costs linear time on a flow nobody claims fed one byte at a time', () => {
    const h = harness(tcpFlow(53));
    const start = process.hrtime.bigint();
    // A DNS-over-TCP length prefix announcing a long message keeps the DNS probe undecided the longest.
    h.send(0, Uint8Array.of(0x0f, 0xff, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
    for (let i = 0; i < 20_000; i++) h.send(0, Uint8Array.of(0x3f));
    h.end();
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(2000);
  });
});

describe('child analyzers', () => {
  const connect = 'CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\n\r\n';

  it('a CONNECT tunnel is sniffed by a child: TLS inside labels the flow http>tls', () => {
    const h = harness(tcpFlow(3128));
    h.send(0, connect);
    h.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n');
    h.send(0, clientHello);
    h.end();
    expect(h.flow.app).toBe('http>tls');
    expect(h.events.map((e) => e.type)).toEqual(['http-request', 'http-response', 'tls-client-hello']);
    expect(h.events.every((e) => e.decrypted === undefined)).toBe(true);
  });

  /** A registration whose analyzer opens one child for everything it gets (as a decryptor will). */
  function wrapper(decrypted: boolean): StreamRegistration {
    return {
      name: 'wrap',
      transport: 'tcp',
      probe: (c) => (c.length === 0 ? undefined : c[0] === 0x57),
      sniffDepth: 1,
      acceptsGaps: false,
      create(ctx: AnalyzerContext): StreamAnalyzer {
        let child: StreamAnalyzer | undefined;
        return {
          data(dir, chunk) {
            child ??= ctx.openChild('wrap', { decrypted });
            child.data(dir, { ...chunk, data: chunk.data.subarray(1) });
          },
          gap() {},
          end: (ts, frame) => child?.end(ts, frame),
        };
      },
    };
  }

  it('marks every event from a child opened with decrypted: true (and from its children), and only those', () => {
    const registry = [wrapper(true), ...REGISTRY];
    const h = harness(tcpFlow(9000), { registry });
    h.send(0, concat(ascii('W'), ascii(connect)));
    h.send(1, concat(ascii('W'), ascii('HTTP/1.1 200 OK\r\n\r\n')));
    h.send(0, concat(ascii('W'), clientHello));
    h.end();
    expect(h.flow.app).toBe('wrap>http>tls');
    expect(h.events.map((e) => [e.type, e.decrypted])).toEqual([
      ['http-request', true],
      ['http-response', true],
      ['tls-client-hello', true],
    ]);
  });

  it('bounds nesting: a tunnel in a tunnel … beyond MAX_CHILD_DEPTH discards its bytes, counted once per refusal', () => {
    const h = harness(tcpFlow(3128));
    const answer = 'HTTP/1.1 200 OK\r\n\r\n';
    // Each level is an HTTP proxy answering CONNECT inside the previous tunnel.
    for (let level = 0; level <= MAX_CHILD_DEPTH + 1; level++) {
      h.send(0, connect);
      h.send(1, answer);
    }
    h.send(0, clientHello);
    h.end();
    expect(h.flow.app).toBe(Array.from({ length: MAX_CHILD_DEPTH + 1 }, () => 'http').join('>'));
    expect(h.problems.toJSON()).toEqual({ 'analyzer: child analyzers nested too deep': 1 });
    expect(h.events.filter((e) => e.type === 'http-request')).toHaveLength(MAX_CHILD_DEPTH + 1);
    expect(h.events.some((e) => e.type === 'tls-client-hello')).toBe(false);
  });

  it('gives every analyzer the flow\'s secrets store', () => {
    const secrets = new SecretsStore();
    let seen: unknown;
    const spy: StreamRegistration = { name: 'spy', transport: 'tcp', probe: () => true, sniffDepth: 1, acceptsGaps: true, create: (ctx) => ((seen = ctx.secrets), { data() {}, gap() {}, end() {} }) };
    harness(tcpFlow(1), { registry: [spy], secrets }).send(0, 'x');
    expect(seen).toBe(secrets);
  });
});

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
