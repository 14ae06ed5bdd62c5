/** The HTTP/2 analyzer on hand-built connections: framing, pairing, errors, gaps and caps. */
import { describe, expect, it } from 'vitest';
import { looksLikeHttp2Preface } from '../../../src/protocols/http2/index.js';
import { MAX_STREAMS } from '../../../src/protocols/http2/analyzer.js';
import { errorCodeName } from '../../../src/protocols/http2/frames.js';
import { block, CLIENT_PREFACE, concat, FLAGS, frame, GET, Harness, headers, hpackInt, hpackString, latin1, settings, u32 } from './helpers.js';

const OK: [string, string][] = [[':status', '200'], ['content-length', '5'], ['content-type', 'text/plain'], ['server', 'test']];

function open(h = new Harness()): Harness {
  h.send(0, concat(CLIENT_PREFACE, settings()));
  h.send(1, settings([5, 32768]));
  return h;
}

describe('looksLikeHttp2Preface', () => {
  it('says yes, no, or needs more', () => {
    expect(looksLikeHttp2Preface(CLIENT_PREFACE)).toBe(true);
    expect(looksLikeHttp2Preface(concat(CLIENT_PREFACE, [0, 0]))).toBe(true);
    expect(looksLikeHttp2Preface(CLIENT_PREFACE.subarray(0, 10))).toBeUndefined();
    expect(looksLikeHttp2Preface(new Uint8Array(0))).toBeUndefined();
    expect(looksLikeHttp2Preface(latin1('PRI * HTTP/1.1'))).toBe(false);
    expect(looksLikeHttp2Preface(latin1('GET / HTTP/1.1\r\n'))).toBe(false);
  });
});

describe('requests and responses', () => {
  it('pairs a GET with its response; body bytes exclude padding; events carry the header-block frame', () => {
    const h = open();
    const reqFrame = h.send(0, headers(1, GET('/github.com/x/y/@v/list')));
    const respFrame = h.send(1, frame(1, FLAGS.END_HEADERS | FLAGS.PADDED, 1, concat([3], block(OK), [0, 0, 0])));
    h.send(1, frame(0, FLAGS.PADDED, 1, concat([2], latin1('abc'), [0, 0])));
    h.send(1, frame(0, FLAGS.END_STREAM, 1, latin1('de')));
    h.end();
    expect(h.requests).toEqual([
      {
        type: 'http-request', ts: 1000 + reqFrame, packet: reqFrame, flowId: 7, method: 'GET', target: '/github.com/x/y/@v/list', version: 'HTTP/2',
        host: 'proxy.golang.org', userAgent: 'Go-http-client/2.0', contentType: undefined, bodyBytes: 0, headers: GET('/github.com/x/y/@v/list'), streamId: 1,
      },
    ]);
    expect(h.responses).toEqual([
      {
        type: 'http-response', ts: 1000 + respFrame, packet: respFrame, flowId: 7, version: 'HTTP/2', status: 200, reason: '', location: undefined,
        contentType: 'text/plain', contentLength: 5, bodyBytes: 5, server: 'test', requestPacket: reqFrame, method: 'GET', target: '/github.com/x/y/@v/list',
        headers: OK, streamId: 1,
      },
    ]);
    expect(h.problems.entries()).toEqual([]);
  });

  it('reassembles HEADERS + CONTINUATION with priority and padding; END_STREAM applies after the block', () => {
    const h = open();
    const b = block([[':method', 'POST'], [':scheme', 'https'], [':path', '/upload/2024-01-02'], [':authority', 'telemetry.go.dev'], ['content-type', 'application/json']]);
    h.send(0, frame(1, FLAGS.PRIORITY | FLAGS.PADDED, 1, concat([4], u32(0), [15], b.subarray(0, 10), [0, 0, 0, 0])));
    h.send(0, frame(9, 0, 1, b.subarray(10, 20)));
    expect(h.requests).toHaveLength(0);
    h.send(0, frame(9, FLAGS.END_HEADERS, 1, b.subarray(20)));
    h.send(0, frame(0, 0, 1, latin1('{"a":')));
    h.send(0, frame(0, FLAGS.END_STREAM, 1, latin1('1}')));
    expect(h.requests).toMatchObject([{ method: 'POST', target: '/upload/2024-01-02', host: 'telemetry.go.dev', contentType: 'application/json', bodyBytes: 7 }]);
    h.send(1, headers(1, [[':status', '204']]));
    expect(h.responses).toMatchObject([{ status: 204, method: 'POST', bodyBytes: 0 }]);
  });

  it('CONNECT targets :authority; host falls back to the host field', () => {
    const h = open();
    h.send(0, headers(1, [[':method', 'CONNECT'], [':authority', 'proxy.golang.org:443']], false));
    h.send(0, headers(3, [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], ['host', 'example.test']]));
    expect(h.requests.map((r) => [r.method, r.target, r.host, r.connectTarget])).toEqual([['GET', '/', 'example.test', undefined]]);
    h.send(1, headers(1, [[':status', '200']], false));
    h.end();
    expect(h.requests.map((r) => [r.method, r.target, r.connectTarget])).toEqual([['GET', '/', undefined], ['CONNECT', 'proxy.golang.org:443', 'proxy.golang.org:443']]);
    expect(h.responses).toMatchObject([{ status: 200, method: 'CONNECT', streamId: 1 }]);
  });

  it('emits an interim 100 at once and the final response at END_STREAM; trailers are not a response', () => {
    const h = open();
    h.send(0, headers(1, GET('/'), false));
    h.send(1, headers(1, [[':status', '100']], false));
    expect(h.events.map((e) => e.type)).toEqual(['http-request', 'http-response']);
    h.send(0, frame(0, FLAGS.END_STREAM, 1, latin1('xyz')));
    h.send(1, headers(1, OK, false));
    h.send(1, frame(0, 0, 1, latin1('12345')));
    h.send(1, headers(1, [['grpc-status', '0']], true));
    expect(h.responses.map((r) => [r.status, r.bodyBytes])).toEqual([[100, 0], [200, 5]]);
    expect(h.requests[0]!.bodyBytes).toBe(0);
  });

  it('a response that ends before its request flushes the request first', () => {
    const h = open();
    h.send(0, headers(1, GET('/big'), false));
    h.send(0, frame(0, 0, 1, latin1('part')));
    h.send(1, headers(1, [[':status', '413']]));
    expect(h.events.map((e) => e.type)).toEqual(['http-request', 'http-response']);
    expect(h.requests[0]!.bodyBytes).toBe(4);
  });

  it('pairs a pushed response with its PUSH_PROMISE and emits no request for it', () => {
    const h = open();
    h.send(0, headers(1, GET('/')));
    const promise = h.send(1, frame(5, FLAGS.END_HEADERS, 1, concat(u32(2), block(GET('/style.css')))));
    h.send(1, headers(1, OK, false));
    h.send(1, headers(2, [[':status', '200']]));
    h.send(1, frame(0, FLAGS.END_STREAM, 1, latin1('12345')));
    expect(h.requests).toHaveLength(1);
    expect(h.responses.map((r) => [r.streamId, r.target, r.requestPacket])).toEqual([[2, '/style.css', promise], [1, '/', h.requests[0]!.packet]]);
  });

  it('an upgraded connection (h2c Upgrade): stream 1 answers the HTTP/1.1 request', () => {
    const clientSettings = Buffer.from(Uint8Array.from([0, 1, ...u32(8192)])).toString('base64url');
    const h = new Harness({ upgrade: { requestPacket: 3, method: 'GET', target: '/github.com/x/y/@v/list', settings: clientSettings } });
    h.send(1, settings());
    h.send(0, concat(CLIENT_PREFACE, settings()));
    // The client's HTTP2-Settings allowed an 8 KiB table: the server may resize to it.
    h.send(1, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 1, concat(hpackInt(8192, 5, 0x20), block([[':status', '404']]))));
    h.send(0, headers(3, GET('/next')));
    h.end();
    expect(h.responses.map((r) => [r.streamId, r.status, r.method, r.target, r.requestPacket])).toEqual([[1, 404, 'GET', '/github.com/x/y/@v/list', 3]]);
    expect(h.requests.map((r) => r.streamId)).toEqual([3]);
    expect(h.problems.entries()).toEqual([]);
  });
});

describe('errors', () => {
  it('a client that does not send the preface stops that direction', () => {
    const h = new Harness();
    h.send(0, latin1('GET / HTTP/1.1\r\n\r\n'));
    expect(h.errors.map((e) => [e.dir, e.reason])).toEqual([[0, 'not an HTTP/2 client connection preface']]);
  });

  it('names RST_STREAM and GOAWAY codes; NO_ERROR is not an error', () => {
    const h = open();
    h.send(0, headers(1, GET('/slow'), true));
    h.send(0, frame(3, 0, 1, u32(8)));
    h.send(1, frame(3, 0, 3, u32(0)));
    h.send(1, frame(7, 0, 0, concat(u32(1), u32(1), latin1('bad frame'))));
    h.send(1, frame(7, 0, 0, concat(u32(1), u32(0))));
    expect(h.errors.map((e) => [e.dir, e.reason])).toEqual([
      [0, 'HTTP/2 stream 1 reset by the client: CANCEL'],
      [1, 'HTTP/2 GOAWAY from the server: PROTOCOL_ERROR (last stream 1): bad frame'],
    ]);
    expect(h.requests).toHaveLength(1);
    expect(errorCodeName(0xd)).toBe('HTTP_1_1_REQUIRED');
    expect(errorCodeName(0x99)).toBe('0x99');
  });

  it('counts malformed frames and skips unknown types without losing sync', () => {
    const h = open();
    h.send(0, concat(frame(0xfa, 0xff, 1, new Uint8Array(100)), frame(6, 0, 0, [1, 2, 3]), frame(8, 0, 0, [0, 0, 1]), frame(2, 0, 0, [0, 0, 0, 0, 0]), frame(4, 0, 0, [0, 1, 0])));
    h.send(0, concat(frame(4, 1, 0, [0]), frame(0, 0, 0, [1]), frame(3, 0, 0, u32(1)), frame(1, FLAGS.END_HEADERS, 2, block(GET('/')))));
    h.send(0, headers(5, GET('/still-in-sync')));
    expect(h.requests.map((r) => r.target)).toEqual(['/still-in-sync']);
    expect(Object.keys(h.problems.toJSON()).sort()).toEqual([
      'http2: DATA on stream 0', 'http2: HEADERS from the client on a closed or server stream', 'http2: SETTINGS ACK with a payload',
      'http2: SETTINGS length not a multiple of 6', 'http2: malformed PING', 'http2: malformed PRIORITY', 'http2: malformed RST_STREAM', 'http2: malformed WINDOW_UPDATE',
    ]);
  });

  it('an interrupted header block is lost and the HPACK context with it', () => {
    const h = open();
    const b = concat([0x40], hpackString('x-table'), hpackString('entry'), block(GET('/lost')));
    h.send(0, frame(1, FLAGS.END_STREAM, 1, b.subarray(0, 5)));
    h.send(0, frame(6, 0, 0, new Uint8Array(8)));
    h.send(0, frame(9, FLAGS.END_HEADERS, 1, b.subarray(5)));
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 3, concat(block(GET('/next')), [0x80 | 62])));
    h.send(0, headers(5, GET('/literal-only')));
    // Stream 3's unknown field is left out; its known fields still make a request.
    expect(h.requests.map((r) => [r.target, r.headers.length])).toEqual([['/next', 5], ['/literal-only', 5]]);
    expect(h.problems.toJSON()).toMatchObject({
      'http2: header block interrupted by another frame': 1,
      'http2: CONTINUATION without a header block': 1,
      'http2: header field refers to a table entry lost earlier': 1,
    });
  });

  it('HPACK errors are counted: a table update above what the peer allowed, an index out of range', () => {
    const h = open();
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 1, concat(hpackInt(8192, 5, 0x20), block(GET('/')))));
    // After an error the peer's table cannot be followed: older entries are unknown, not wrong.
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 3, [0x80 | 70]));
    const fresh = open();
    fresh.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 1, [0x80 | 70]));
    expect([...h.requests, ...fresh.requests]).toHaveLength(0);
    expect(h.problems.toJSON()).toEqual({
      "http2: HPACK: dynamic table size above the peer's limit": 1,
      'http2: header field refers to a table entry lost earlier': 1,
      'http2: request without :method or :path': 1,
    });
    expect(fresh.problems.toJSON()).toEqual({ 'http2: HPACK: index beyond the dynamic table': 1 });
  });

  it('a frame above the peer’s SETTINGS_MAX_FRAME_SIZE is counted; the server allowed 32 KiB', () => {
    const h = open();
    h.send(0, headers(1, GET('/'), false));
    h.send(0, frame(0, FLAGS.END_STREAM, 1, new Uint8Array(20000)));
    expect(h.problems.toJSON()).toEqual({});
    h.send(0, headers(3, GET('/'), false));
    h.send(0, frame(0, FLAGS.END_STREAM, 3, new Uint8Array(40000)));
    expect(h.problems.toJSON()).toEqual({ 'http2: frame larger than SETTINGS_MAX_FRAME_SIZE': 1 });
    expect(h.requests.map((r) => r.bodyBytes)).toEqual([20000, 40000]);
  });
});

describe('gaps', () => {
  it('inside a DATA payload: resynchronised, the lost bytes still counted', () => {
    const h = open();
    h.send(0, headers(1, GET('/')));
    h.send(1, headers(1, OK, false));
    const data = frame(0, FLAGS.END_STREAM, 1, new Uint8Array(1000));
    h.send(1, data.subarray(0, 100));
    h.gap(1, 500);
    h.send(1, data.subarray(600));
    h.send(0, headers(3, GET('/after')));
    h.send(1, headers(3, [[':status', '404']]));
    expect(h.responses.map((r) => [r.status, r.bodyBytes])).toEqual([[200, 1000], [404, 0]]);
    expect(h.errors).toHaveLength(0);
  });

  it('across frames: the next boundary is found by a chain of three plausible frames', () => {
    const h = open();
    h.send(0, headers(1, GET('/a')));
    h.send(0, headers(3, GET('/b')));
    h.gap(1, 50);
    // The bytes after the gap start inside a frame: its tail, then frames again.
    h.send(1, concat(Uint8Array.from({ length: 37 }, (_, i) => (i * 7) & 0xff), headers(1, OK, false), frame(0, 0, 1, new Uint8Array(5))));
    expect(h.responses).toHaveLength(0);
    h.send(1, concat(frame(0, FLAGS.END_STREAM, 1, new Uint8Array(0)), headers(3, [[':status', '404']])));
    expect(h.responses.map((r) => [r.streamId, r.status, r.target, r.bodyBytes])).toEqual([[1, 200, '/a', 5], [3, 404, '/b', 0]]);
    expect(h.errors).toHaveLength(0);
    expect(h.problems.toJSON()).toEqual({ 'http2: gap across a frame boundary': 1, 'http2: resynchronised after a gap': 1 });
  });

  it('across frames with no boundary after it: that direction stops, counted', () => {
    const h = open();
    h.send(0, headers(1, GET('/')));
    h.gap(1, 50);
    for (let k = 0; k < 40; k++) h.send(1, Uint8Array.from({ length: 2000 }, (_, i) => 0xff ^ (i & 0x7f)));
    h.send(0, headers(3, GET('/client-goes-on')));
    expect(h.errors.map((e) => [e.dir, e.reason])).toEqual([[1, 'gap in the stream and no frame boundary found after it']]);
    expect(h.problems.toJSON()).toEqual({ 'http2: gap across a frame boundary': 1 });
    expect(h.requests.map((r) => r.target)).toEqual(['/', '/client-goes-on']);
  });

  it('inside a header block: the block is lost, later literal blocks still decode, old table entries are unknown', () => {
    const h = open();
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 1, block(GET('/indexed'), { index: true })));
    const b = frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 3, block(GET('/cut')));
    h.send(0, b.subarray(0, 20));
    h.gap(0, 10);
    h.send(0, b.subarray(30));
    h.send(0, headers(5, GET('/literal')));
    // :path from the table as it was before the gap: unknown, so no request (never a wrong one).
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 7, [0x82, 0x86, 0x80 | 63]));
    // :authority unknown, :path a literal: the request is reported without a host.
    h.send(0, frame(1, FLAGS.END_HEADERS | FLAGS.END_STREAM, 9, concat([0x82, 0x86, 0x80 | 63], block([[':path', '/no-host']]))));
    expect(h.requests.map((r) => [r.target, r.host])).toEqual([['/indexed', 'proxy.golang.org'], ['/literal', 'proxy.golang.org'], ['/no-host', undefined]]);
    expect(h.problems.toJSON()).toEqual({
      'http2: header block cut by a gap': 1,
      'http2: header field refers to a table entry lost earlier': 2,
      'http2: request without :method or :path': 1,
    });
  });
});

describe('caps', () => {
  it(`tracks at most ${MAX_STREAMS} open streams: the oldest are flushed and dropped`, () => {
    const h = open();
    const frames: Uint8Array[] = [];
    for (let id = 1; id < 2 * (MAX_STREAMS + 10); id += 2) frames.push(headers(id, GET(`/${id}`), false));
    h.send(0, concat(...frames));
    expect(h.problems.get('http2: too many open streams (oldest dropped)')).toBe(10);
    expect(h.requests.map((r) => r.streamId)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    // A response for a dropped stream pairs with nothing; the newest streams still pair.
    h.send(1, headers(1, [[':status', '200']]));
    h.send(1, headers(2 * (MAX_STREAMS + 10) - 1, [[':status', '200']]));
    h.end();
    expect(h.requests).toHaveLength(MAX_STREAMS + 10);
    expect(h.responses.map((r) => r.target)).toEqual([`/${2 * (MAX_STREAMS + 10) - 1}`]);
    expect(h.problems.get('http2: HEADERS from the server on an unknown stream')).toBe(1);
  });
});
