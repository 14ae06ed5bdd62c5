import { describe, expect, it } from 'vitest';
import { looksLikeHttpRequest, looksLikeHttpResponse } from '../../../src/protocols/http/index.js';
import { bytes } from './helpers.js';

describe('sniffing', () => {
  it('recognises requests', () => {
    expect(looksLikeHttpRequest(bytes('GET / HTTP/1.1'))).toBe(true);
    expect(looksLikeHttpRequest(bytes('CONNECT a:443 HTTP/1.1'))).toBe(true);
    expect(looksLikeHttpRequest(bytes('PROPFIND '))).toBe(true);
    expect(looksLikeHttpRequest(bytes('FOO /x'))).toBe(true);
    expect(looksLikeHttpRequest(bytes('FOO http://a/'))).toBe(true);
    expect(looksLikeHttpRequest(bytes('FOO https:/'))).toBeUndefined();
    expect(looksLikeHttpRequest(bytes('GE'))).toBeUndefined();
    expect(looksLikeHttpRequest(bytes(''))).toBeUndefined();
    expect(looksLikeHttpRequest(bytes('FOO '))).toBeUndefined();
    expect(looksLikeHttpRequest(bytes('foo /x'))).toBe(false);
    expect(looksLikeHttpRequest(bytes('FOO bar'))).toBe(false);
    expect(looksLikeHttpRequest(bytes('\x16\x03\x01'))).toBe(false);
    expect(looksLikeHttpRequest(bytes(' GET /'))).toBe(false);
    expect(looksLikeHttpRequest(bytes('A'.repeat(30)))).toBe(false);
  });

  it('recognises responses', () => {
    expect(looksLikeHttpResponse(bytes('HTTP/1.1 200 OK'))).toBe(true);
    expect(looksLikeHttpResponse(bytes('HTTP/1.0'))).toBe(true);
    expect(looksLikeHttpResponse(bytes('HTTP/'))).toBeUndefined();
    expect(looksLikeHttpResponse(bytes('HTTP/2'))).toBe(false);
    expect(looksLikeHttpResponse(bytes('GET /'))).toBe(false);
  });
});
