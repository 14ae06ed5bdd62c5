/**
 * Name normalisation and request-target parsing: only ASCII case and the root dot change,
 * ports and brackets are split off, userinfo counts only inside absolute URLs, and no
 * input makes these helpers throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostOfAuthority, normalizeName, parseHostPattern, parseRequestTarget } from '../../src/attribution/host-name.js';

describe('normalizeName', () => {
  it('folds ASCII case and drops one trailing dot, nothing else', () => {
    expect(normalizeName('Proxy.Golang.ORG.')).toBe('proxy.golang.org');
    expect(normalizeName('a..')).toBe('a.');
    expect(normalizeName('ÀÉ.İ.Example')).toBe('ÀÉ.İ.example');
    expect(normalizeName('x\u202eY\u001b')).toBe('x\u202ey\u001b');
  });
});

describe('hostOfAuthority', () => {
  it('splits ports and IPv6 brackets', () => {
    expect(hostOfAuthority('Proxy.Golang.Org:443')).toBe('proxy.golang.org');
    expect(hostOfAuthority('proxy.golang.org:')).toBe('proxy.golang.org');
    expect(hostOfAuthority('[2001:DB8::1]:8080')).toBe('2001:db8::1');
    expect(hostOfAuthority('2001:db8::1')).toBe('2001:db8::1');
    expect(hostOfAuthority('host:abc')).toBe('host:abc');
    expect(hostOfAuthority(':80')).toBeUndefined();
    expect(hostOfAuthority('')).toBeUndefined();
  });

  it('keeps "@" in a Host header or CONNECT target (userinfo is not legal there)', () => {
    expect(hostOfAuthority('x@proxy.golang.org:443')).toBe('x@proxy.golang.org');
  });
});

describe('parseRequestTarget', () => {
  it('reads origin-form paths without the query', () => {
    expect(parseRequestTarget('/goproxy/a/@v/list?x#y')).toEqual({ path: '/goproxy/a/@v/list', absolute: false });
  });

  it("reads absolute-form hosts (userinfo dropped) and paths", () => {
    expect(parseRequestTarget('http://user:pw@Proxy.Golang.Org:80/github.com/a/@v/list?q')).toEqual({
      host: 'proxy.golang.org',
      path: '/github.com/a/@v/list',
      absolute: true,
    });
    expect(parseRequestTarget('HTTP://example.test?x')).toEqual({ host: 'example.test', path: '/', absolute: true });
  });

  it('names nothing for asterisk and authority forms', () => {
    expect(parseRequestTarget('*')).toEqual({ absolute: false });
    expect(parseRequestTarget('proxy.golang.org:443')).toEqual({ absolute: false });
  });
});

describe('parseHostPattern', () => {
  it('parses hosts, wildcards, paths and addresses', () => {
    expect(parseHostPattern('Goproxy.CN.')).toEqual({ host: 'goproxy.cn', wildcard: false });
    expect(parseHostPattern('*.goskope.com')).toEqual({ host: 'goskope.com', wildcard: true });
    expect(parseHostPattern('mirrors.aliyun.com/goproxy//')).toEqual({ host: 'mirrors.aliyun.com', wildcard: false, path: '/goproxy' });
    expect(parseHostPattern('10.0.0.1')).toEqual({ host: '10.0.0.1', wildcard: false });
    expect(parseHostPattern('FD00::1')).toEqual({ host: 'fd00::1', wildcard: false });
  });

  it('rejects ports, spaces, inner wildcards and wildcard paths', () => {
    for (const bad of ['a:80', 'a b', 'a.*.b', '*', '*.', '*.a/b', '/path', 'a/b c', 'a/b?x', '-a.example']) {
      expect(parseHostPattern(bad)).toBeUndefined();
    }
  });
});

describe('on any input', () => {
  it('never throws, and hosts come back without ASCII upper case', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const h = hostOfAuthority(s);
        if (h !== undefined) expect(h).not.toMatch(/[A-Z]/);
        parseRequestTarget(s);
        parseHostPattern(s);
      }),
    );
  });
});
