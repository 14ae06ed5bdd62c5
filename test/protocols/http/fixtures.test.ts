/**
 * Real bytes: the fixtures were recorded by fixtures/record.mjs (curl and a raw
 * Python socket talking to a Node http server through a recording relay).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Harness } from './helpers.js';

function load(name: string): [Uint8Array, Uint8Array] {
  const read = (d: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}.${d}.bin`, import.meta.url)));
  return [read('c2s'), read('s2c')];
}

/** Feeds both directions in pieces of `size` bytes, requests first, then ends the flow. */
function replay(name: string, size: number): Harness {
  const h = new Harness();
  const [c2s, s2c] = load(name);
  for (const [dir, data] of [[0, c2s], [1, s2c]] as const) {
    for (let k = 0; k < data.length; k += size) h.send(dir, data.subarray(k, k + size));
  }
  h.end();
  return h;
}

const INFO_LENGTH = '{"Version":"v0.2.0","Time":"2023-01-01T00:00:00Z"}'.length;
const SIZES = [1, 7, 100, 1460, 1 << 20];

describe('recorded HTTP/1.1 traffic', () => {
  it.each(SIZES)('curl keep-alive connection (pieces of %i bytes)', (size) => {
    const h = replay('curl-keepalive', size);
    expect(h.errors).toEqual([]);
    expect(h.requests.map((r) => [r.method, r.target, r.bodyBytes])).toEqual([
      ['GET', '/golang.org/x/mod/@v/list', 0],
      ['GET', '/golang.org/x/mod/@v/v0.2.0.zip', 0],
      ['GET', '/missing', 0],
      ['GET', '/cached', 0],
      ['POST', '/upload/2024-06-01', 21],
      ['HEAD', '/golang.org/x/mod/@v/v0.2.0.info', 0],
    ]);
    expect(h.requests[0]!.host).toMatch(/^127\.0\.0\.1:[0-9]+$/);
    expect(h.requests[0]!.userAgent).toMatch(/^curl\//);
    expect(h.requests[4]!.contentType).toBe('application/json');
    expect(h.responses.map((r) => [r.status, r.method, r.target, r.bodyBytes, r.contentLength])).toEqual([
      [200, 'GET', '/golang.org/x/mod/@v/list', 14, 14],
      [200, 'GET', '/golang.org/x/mod/@v/v0.2.0.zip', 3005, undefined],
      [404, 'GET', '/missing', 10, 10],
      [304, 'GET', '/cached', 0, undefined],
      [200, 'POST', '/upload/2024-06-01', 0, 0],
      [200, 'HEAD', '/golang.org/x/mod/@v/v0.2.0.info', 0, INFO_LENGTH],
    ]);
  });

  it.each(SIZES)('pipelined requests from a raw socket (pieces of %i bytes)', (size) => {
    const h = replay('python-pipelined', size);
    expect(h.errors).toEqual([]);
    expect(h.requests.map((r) => [r.method, r.userAgent])).toEqual([['GET', 'Go-http-client/1.1'], ['HEAD', undefined], ['GET', undefined]]);
    expect(h.responses.map((r) => [r.status, r.method, r.bodyBytes, r.contentType])).toEqual([
      [200, 'GET', 14, 'text/plain; charset=utf-8'],
      [200, 'HEAD', 0, 'application/json'],
      [200, 'GET', 3005, 'application/zip'],
    ]);
  });

  it.each(SIZES)('HTTP/1.0 request answered until close (pieces of %i bytes)', (size) => {
    const h = replay('python-http10', size);
    expect(h.errors).toEqual([]);
    expect(h.requests).toMatchObject([{ version: 'HTTP/1.0', target: '/golang.org/x/mod/@v/v0.2.0.zip' }]);
    expect(h.responses).toMatchObject([{ status: 200, bodyBytes: 3005, contentLength: undefined }]);
  });
});
