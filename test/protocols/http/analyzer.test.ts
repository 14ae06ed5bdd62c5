import fc from 'fast-check';
import { testContext } from '../context.js';
import { describe, expect, it } from 'vitest';
import type { GotapEvent } from '../../../src/protocols/events.js';
import { createHttpAnalyzer } from '../../../src/protocols/http/index.js';
import { bytes, Harness, makeFlow } from './helpers.js';

const GET = (path: string, host = 'proxy.golang.org') =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n`;

describe('requests and responses', () => {
  it('parses pipelined requests in one chunk and matches responses FIFO', () => {
    const h = new Harness();
    const f1 = h.send(0, GET('/golang.org/x/mod/@v/list') + GET('/golang.org/x/net/@v/list') + 'HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(h.requests.map((r) => [r.method, r.target, r.packet, r.host, r.userAgent, r.bodyBytes])).toEqual([
      ['GET', '/golang.org/x/mod/@v/list', f1, 'proxy.golang.org', 'Go-http-client/1.1', 0],
      ['GET', '/golang.org/x/net/@v/list', f1, 'proxy.golang.org', 'Go-http-client/1.1', 0],
      ['HEAD', '/x', f1, 'a', undefined, 0],
    ]);
    expect(h.requests[0]!.headers).toEqual([['Host', 'proxy.golang.org'], ['User-Agent', 'Go-http-client/1.1'], ['Accept-Encoding', 'gzip']]);
    const f2 = h.send(1, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\nServer: Google Frontend\r\n\r\nv0.1.0\n');
    const f3 = h.send(1, 'HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n' + 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    expect(h.responses.map((r) => [r.status, r.reason, r.packet, r.requestPacket, r.target, r.bodyBytes, r.contentLength])).toEqual([
      [200, 'OK', f2, f1, '/golang.org/x/mod/@v/list', 7, 7],
      [404, 'Not Found', f3, f1, '/golang.org/x/net/@v/list', 3, 3],
      [200, 'OK', f3, f1, '/x', 0, 100], // HEAD: no body despite Content-Length
    ]);
    expect(h.responses[0]).toMatchObject({ version: 'HTTP/1.1', contentType: 'text/plain; charset=utf-8', server: 'Google Frontend', method: 'GET', flowId: 7, ts: 1000 + f2 });
    expect(h.errors).toEqual([]);
  });

  it('emits after the body, with the frame that ended the header section', () => {
    const h = new Harness();
    h.send(0, GET('/a'));
    const f = h.send(1, 'HTTP/1.1 200 OK\r\nLocation: /b\r\nContent-Length: 10\r\n\r\n12345');
    expect(h.responses).toEqual([]);
    h.send(1, '67890');
    expect(h.responses).toHaveLength(1);
    expect(h.responses[0]).toMatchObject({ packet: f, bodyBytes: 10, location: '/b' });
  });

  it('skips request bodies and reports the content type', () => {
    const h = new Harness();
    h.send(0, 'POST /upload/2024-06-01 HTTP/1.1\r\nHost: telemetry.go.dev\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{}\r\n' + GET('/next'));
    expect(h.requests.map((r) => [r.method, r.contentType, r.bodyBytes])).toEqual([
      ['POST', 'application/json', 4],
      ['GET', undefined, 0],
    ]);
  });

  it('keeps latin1 header bytes exactly and tolerates bare LF', () => {
    const h = new Harness();
    h.send(0, 'GET /caf\xe9 HTTP/1.0\nHost: h\xe9\xa0\x85\nX-Empty:\nX-Spaces:  a b \t\n\n');
    expect(h.requests[0]).toMatchObject({ target: '/caf\xe9', version: 'HTTP/1.0', host: 'h\xe9\xa0\x85' });
    expect(h.requests[0]!.headers).toEqual([['Host', 'h\xe9\xa0\x85'], ['X-Empty', ''], ['X-Spaces', 'a b']]);
    h.send(1, 'HTTP/1.0 200\nContent-Length: 0\n\n');
    expect(h.responses[0]).toMatchObject({ status: 200, reason: '', version: 'HTTP/1.0' });
  });

  it('treats responses on the client side as responses (roles are per message)', () => {
    const h = new Harness();
    h.send(1, GET('/from-server-side'));
    h.send(0, 'HTTP/1.1 204 No Content\r\n\r\n');
    expect(h.responses[0]).toMatchObject({ status: 204, target: '/from-server-side', bodyBytes: 0 });
  });

  it('accepts leading empty lines between messages', () => {
    const h = new Harness();
    h.send(0, `${GET('/a')}\r\n\r\n${GET('/b')}`);
    expect(h.requests.map((r) => r.target)).toEqual(['/a', '/b']);
    expect(h.errors).toEqual([]);
  });
});

describe('chunking invariance', () => {
  const response =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/zip\r\n\r\n' +
    '5;name=value\r\nhello\r\n10 ; ext\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc' +
    'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n';

  const summary = (events: GotapEvent[]) =>
    events.map((e) => (e.type === 'http-response' ? `${e.status} ${e.bodyBytes} ${e.target} ${e.headers.length}` : e.type));

  it('gives the same events for a response split at every byte offset', () => {
    const whole = new Harness();
    whole.send(0, GET('/1') + GET('/2') + GET('/3'));
    whole.send(1, response);
    expect(summary(whole.responses)).toEqual(['200 21 /1 2', '200 3 /2 1', '304 0 /3 1']);
    const data = bytes(response);
    for (let cut = 1; cut < data.length; cut++) {
      const h = new Harness();
      h.send(0, GET('/1') + GET('/2') + GET('/3'));
      h.send(1, data.subarray(0, cut));
      h.send(1, data.subarray(cut));
      expect(summary(h.events), `cut at ${cut}`).toEqual(summary(whole.events));
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    const h = new Harness();
    for (const b of bytes(GET('/1') + GET('/2') + GET('/3'))) h.send(0, Uint8Array.of(b));
    for (const b of bytes(response)) h.send(1, Uint8Array.of(b));
    expect(h.requests).toHaveLength(3);
    expect(summary(h.responses)).toEqual(['200 21 /1 2', '200 3 /2 1', '304 0 /3 1']);
  });
});

describe('body framing', () => {
  it('reports an overflowing Content-Length as an error', () => {
    const h = new Harness();
    h.send(0, GET('/a'));
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n');
    expect(h.errors).toMatchObject([{ dir: 1, reason: 'Content-Length overflow' }]);
    h.send(1, 'HTTP/1.1 200 OK\r\n\r\n'); // the direction stopped
    expect(h.responses).toEqual([]);
  });

  it('rejects non-numeric and conflicting Content-Length, accepts equal duplicates', () => {
    const h1 = new Harness();
    h1.send(0, 'POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n');
    expect(h1.errors).toMatchObject([{ dir: 0, reason: 'non-numeric Content-Length' }]);
    const h2 = new Harness();
    h2.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd');
    expect(h2.errors).toMatchObject([{ reason: 'conflicting Content-Length values' }]);
    const h3 = new Harness();
    h3.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc');
    expect(h3.responses).toMatchObject([{ bodyBytes: 3, contentLength: 3 }]);
    const h4 = new Harness();
    h4.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 9007199254740991\r\n\r\nabc');
    h4.end();
    expect(h4.responses).toMatchObject([{ bodyBytes: 3, contentLength: 9007199254740991 }]);
  });

  it('reports a chunk size overflow and invalid chunk framing', () => {
    const h = new Harness();
    h.send(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20000000000000\r\n');
    expect(h.errors).toMatchObject([{ reason: 'chunk size overflow' }]);
    expect(h.responses).toMatchObject([{ status: 200, bodyBytes: 0 }]);
    const h2 = new Harness();
    h2.send(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX');
    expect(h2.errors).toMatchObject([{ reason: 'missing CRLF after chunk data' }]);
    const h3 = new Harness();
    h3.send(1, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\nzz\r\n');
    expect(h3.errors).toMatchObject([{ reason: 'invalid chunk size' }]);
    const h4 = new Harness();
    h4.send(1, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'x'.repeat(5000)}\r\n`);
    expect(h4.errors).toMatchObject([{ reason: 'chunk-size line too long' }]);
  });

  it('gives no body to 1xx, 204 and 304 and keeps the request for the final response', () => {
    const h = new Harness();
    h.send(0, 'POST /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi' + GET('/q'));
    h.send(1, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
    h.send(1, 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n');
    expect(h.responses.map((r) => [r.status, r.target, r.bodyBytes])).toEqual([
      [100, '/p', 0],
      [204, '/p', 0],
      [304, '/q', 0],
    ]);
  });

  it('reads a body without length until the connection ends', () => {
    const h = new Harness();
    h.send(0, GET('/a'));
    const f = h.send(1, 'HTTP/1.0 200 OK\r\nServer: old\r\n\r\nsome');
    h.send(1, ' more bytes');
    expect(h.responses).toEqual([]);
    h.end();
    expect(h.responses).toMatchObject([{ packet: f, bodyBytes: 15, server: 'old' }]);
  });

  it('refuses a request Transfer-Encoding that does not end in chunked', () => {
    const h = new Harness();
    h.send(0, 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n');
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'request Transfer-Encoding without final chunked' }]);
  });
});

describe('HTTP/0.9, CONNECT and upgrades', () => {
  it('parses a simple request and its raw response', () => {
    const h = new Harness();
    const f = h.send(0, 'GET /old/page\r\n');
    expect(h.requests).toMatchObject([{ method: 'GET', target: '/old/page', version: 'HTTP/0.9', packet: f, headers: [] }]);
    h.send(1, '\n<html>hello</html>');
    h.end();
    expect(h.responses).toMatchObject([{ version: 'HTTP/0.9', status: 0, requestPacket: f, target: '/old/page', bodyBytes: 19 }]);
  });

  it('forwards every byte after CONNECT 200 to the tunnel analyzer', () => {
    const h = new Harness();
    const f = h.send(0, 'CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\n\r\n');
    h.send(0, 'early'); // sent before the proxy answered: held until it does
    h.send(1, 'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01');
    h.send(0, '\x16\x03\x01hello');
    h.gap(1, 10);
    h.end();
    expect(h.requests).toMatchObject([{ method: 'CONNECT', connectTarget: 'proxy.golang.org:443', target: 'proxy.golang.org:443' }]);
    expect(h.responses).toMatchObject([{ status: 200, method: 'CONNECT', requestPacket: f, bodyBytes: 0 }]);
    expect(h.tunnels).toEqual(['http']);
    const responseHead = 'HTTP/1.1 200 Connection established\r\n\r\n'.length;
    expect(h.tunnel!.calls).toEqual([
      'data 0 @69 f2 early',
      `data 1 @${responseHead} f3 \x16\x03\x01`,
      'data 0 @74 f4 \x16\x03\x01hello',
      'gap 1 10 f5',
      'end f6',
    ]);
    expect(h.errors).toEqual([]);
  });

  it('keeps parsing HTTP after CONNECT 407', () => {
    const h = new Harness();
    const first = 'CONNECT a:443 HTTP/1.1\r\n\r\n';
    const retry = 'CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n';
    h.send(0, first);
    h.send(1, 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 4\r\n\r\ndeny');
    h.send(0, retry);
    h.send(1, 'HTTP/1.1 200 OK\r\n\r\n');
    h.send(0, 'tls');
    expect(h.responses.map((r) => [r.status, r.bodyBytes])).toEqual([[407, 4], [200, 0]]);
    expect(h.requests).toHaveLength(2);
    expect(h.tunnels).toEqual(['http']);
    expect(h.tunnel!.calls).toEqual([`data 0 @${first.length + retry.length} f5 tls`]);
  });

  it('bounds bytes held while waiting for the CONNECT answer', () => {
    const h = new Harness();
    h.send(0, 'CONNECT a:443 HTTP/1.1\r\n\r\n');
    h.send(0, new Uint8Array(70_000));
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'too much data before the CONNECT response' }]);
  });

  it('reports 101 Switching Protocols and stops', () => {
    const h = new Harness();
    h.send(0, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    h.send(1, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello');
    h.send(0, '\x81\x85garbage');
    h.end();
    expect(h.responses).toMatchObject([{ status: 101, target: '/ws', bodyBytes: 0 }]);
    expect(h.errors).toEqual([]);
  });
});

describe('errors and bounds', () => {
  it('reports garbage after a message and stops that direction only', () => {
    const h = new Harness();
    h.send(0, `${GET('/a')}\x16\x03\x01garbage`);
    h.send(0, GET('/b'));
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(h.requests.map((r) => r.target)).toEqual(['/a']);
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'data after a message is not HTTP' }]);
    expect(h.responses).toHaveLength(1);
  });

  it('reports a non-HTTP stream and a malformed start line', () => {
    const h = new Harness();
    h.send(0, '\x16\x03\x01\x02\x00');
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'not an HTTP message' }]);
    const h2 = new Harness();
    h2.send(0, 'GET / HTTP/1.1 extra\r\n\r\n');
    expect(h2.errors).toMatchObject([{ reason: 'malformed request line' }]);
    const h3 = new Harness();
    h3.send(1, 'HTTP/1.1 2000 OK\r\n\r\n');
    expect(h3.errors).toMatchObject([{ dir: 1, reason: 'malformed status line' }]);
    const h4 = new Harness();
    h4.send(0, 'GET / HTTP/1.1\r\nno colon here\r\n\r\n');
    expect(h4.errors).toMatchObject([{ reason: 'malformed header field line' }]);
  });

  it('bounds the header section size and the number of fields', () => {
    const h = new Harness();
    h.send(0, `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}`);
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'header section larger than 65536 bytes' }]);
    const h2 = new Harness();
    h2.send(0, `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(201)}\r\n`);
    expect(h2.errors).toMatchObject([{ reason: 'more than 200 header fields' }]);
    const h3 = new Harness();
    h3.send(0, `GET / HTTP/1.1\r\n${'X: y\r\n'.repeat(200)}\r\n`);
    expect(h3.requests[0]!.headers).toHaveLength(200);
  });

  it('accounts for a gap inside a body of known length', () => {
    const h = new Harness();
    h.send(0, GET('/a') + GET('/b'));
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc');
    h.gap(1, 994);
    h.send(1, 'xyzHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n');
    h.gap(1, 0x400);
    h.send(1, '\r\n0\r\n\r\n');
    expect(h.responses.map((r) => [r.target, r.bodyBytes])).toEqual([['/a', 1000], ['/b', 0x400]]);
    expect(h.errors).toEqual([]);
  });

  it('stops a direction at a gap outside a body of known length', () => {
    const h = new Harness();
    h.send(0, GET('/a'));
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    const f = h.gap(1, 50);
    expect(h.responses).toMatchObject([{ bodyBytes: 3 }]);
    expect(h.errors).toMatchObject([{ dir: 1, packet: f, reason: 'gap in the stream outside a body of known length' }]);
    h.gap(0, 5);
    expect(h.errors).toHaveLength(2);
    const h2 = new Harness();
    h2.send(1, 'HTTP/1.1 200 OK\r\n\r\nabc');
    h2.gap(1, 50);
    h2.end();
    expect(h2.responses).toMatchObject([{ bodyBytes: 53 }]);
  });

  it('reports a connection that ends inside a header section', () => {
    const h = new Harness();
    h.send(0, 'GET / HTTP/1.1\r\nHost: a');
    h.end();
    h.end();
    expect(h.errors).toMatchObject([{ dir: 0, reason: 'connection ended inside a header section' }]);
  });

  it('never throws on random bytes, in random chunks, with gaps', () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.constantFrom('GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', '\r\n', '5\r\nhello\r\n', '0\r\n\r\n', 'CONNECT a:1 HTTP/1.1\r\n\r\n', 'HTTP/1.1 101 X\r\n\r\n', 'GET /x\r\n').map(bytes),
    );
    const step = fc.tuple(fc.constantFrom(0 as const, 1 as const), fc.oneof(piece, fc.integer({ min: 0, max: 100 })));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const h = new Harness();
        for (const [dir, p] of steps) {
          if (typeof p === 'number') h.gap(dir, p);
          else h.send(dir, p);
        }
        h.end();
        for (const e of h.events) expect(['http-request', 'http-response', 'http-error']).toContain(e.type);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps memory bounded by its caps on a long header-free stream', () => {
    const events: GotapEvent[] = [];
    const a = createHttpAnalyzer(testContext(makeFlow(), (e) => events.push(e)));
    const body = new Uint8Array(1 << 20).fill(0x61);
    a.data(1, { data: bytes('HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n'), offset: 0, frame: 1, ts: 1 });
    for (let k = 0; k < 100; k++) a.data(1, { data: body, offset: 0, frame: 2 + k, ts: 1 });
    expect(events).toMatchObject([{ type: 'http-response', bodyBytes: 104857600 }]);
  });
});
