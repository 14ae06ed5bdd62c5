import { describe, expect, it } from 'vitest';
import { bypassesProxy, bypassesSumdb, parseGoPolicy, parseGoProxy, parseGoSumdb, PolicyError } from '../../../src/detect/policy/policy.js';

const LAB_KEY = 'sum.golang.org+b0066865+AWq1E4bVPwhmKJo19gXRTNlz5uzlO3Owt8jukSm2BCqn';
const GO_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

describe('parseGoProxy (cmd/go proxyList)', () => {
  it('reads "," and "|" as the separator after each entry', () => {
    const list = parseGoProxy('https://a.example|https://b.example,direct');
    expect(list.map((e) => [e.kind, e.host, e.fallbackOnError, e.index])).toEqual([
      ['url', 'a.example', true, 1],
      ['url', 'b.example', false, 2],
      ['direct', undefined, false, 3],
    ]);
  });

  it('adds https:// to a bare host, keeps explicit schemes and ports', () => {
    expect(parseGoProxy('goproxy.cn')[0]).toMatchObject({ url: 'https://goproxy.cn', scheme: 'https', host: 'goproxy.cn' });
    expect(parseGoProxy('localhost:3000')[0]).toMatchObject({ url: 'https://localhost:3000', host: 'localhost', port: 3000 });
    expect(parseGoProxy('http://Proxy.Corp:8080/artifactory/api/go/golang/')[0]).toMatchObject({
      scheme: 'http',
      host: 'proxy.corp',
      port: 8080,
      path: '/artifactory/api/go/golang',
    });
    expect(parseGoProxy('file:///srv/goproxy')[0]).toMatchObject({ scheme: 'file', path: '/srv/goproxy' });
  });

  it('stops at direct and off, skips empty elements and trims spaces', () => {
    expect(parseGoProxy(' , https://a.example , off, https://ignored.example').map((e) => e.kind)).toEqual(['url', 'off']);
    expect(parseGoProxy('direct,https://ignored.example').map((e) => e.kind)).toEqual(['direct']);
  });

  it.each([
    [',', 'GOPROXY list is not the empty string, but contains no entries'],
    ['  ', 'GOPROXY list is not the empty string, but contains no entries'],
    ['foo', 'invalid proxy URL missing scheme: foo'],
    ['/srv/proxy', 'invalid proxy URL missing scheme: /srv/proxy'],
    ['ftp://x.example', 'invalid proxy URL scheme (must be https, http, file): ftp://x.example'],
    ['file://host/x', 'invalid file:// proxy URL with non-path elements'],
  ])('rejects %j', (value, message) => {
    expect(() => parseGoProxy(value)).toThrow(PolicyError);
    expect(() => parseGoProxy(value)).toThrow(message);
  });
});

describe('parseGoSumdb (cmd/go dbDial + note.NewVerifier)', () => {
  it('knows sum.golang.org by name and checks a full key', () => {
    expect(parseGoSumdb('sum.golang.org')).toEqual({ off: false, name: 'sum.golang.org', key: GO_KEY, host: 'sum.golang.org' });
    expect(parseGoSumdb(LAB_KEY)).toMatchObject({ name: 'sum.golang.org', host: 'sum.golang.org' });
  });

  it('treats sum.golang.google.cn as sum.golang.org at another URL', () => {
    expect(parseGoSumdb('sum.golang.google.cn')).toMatchObject({ name: 'sum.golang.org', host: 'sum.golang.google.cn', url: 'https://sum.golang.google.cn' });
  });

  it('reads the "key url" form and off', () => {
    expect(parseGoSumdb(`${GO_KEY} https://sumdb.corp.example/x`)).toMatchObject({ name: 'sum.golang.org', url: 'https://sumdb.corp.example/x', host: 'sumdb.corp.example' });
    expect(parseGoSumdb('off')).toEqual({ off: true });
  });

  it.each([
    ['sumdb.corp.example', 'malformed verifier id'],
    ['sum.golang.org+00000000+AWq1E4bVPwhmKJo19gXRTNlz5uzlO3Owt8jukSm2BCqn', 'invalid verifier hash'],
    ['sum.golang.org+b0066865+AWq1E4bVPwhmKJo19gXRTNlz5uzlO3Owt8jukSm2BCq', 'malformed verifier id'],
    [`${GO_KEY} https://a https://b`, 'too many fields'],
  ])('rejects %j', (value, message) => {
    expect(() => parseGoSumdb(value)).toThrow(message);
  });
});

describe('parseGoPolicy', () => {
  it("defaults to Go's GOPROXY and GOSUMDB", () => {
    const p = parseGoPolicy({});
    expect(p.values.GOPROXY).toBe('https://proxy.golang.org,direct');
    expect(p.goproxy.map((e) => e.host ?? e.kind)).toEqual(['proxy.golang.org', 'direct']);
    expect(p.gosumdb.name).toBe('sum.golang.org');
    expect(p.sources.GOPROXY).toBe('default');
  });

  it('treats an empty environment value as unset, as Go does', () => {
    expect(parseGoPolicy({ env: { GOPROXY: '' } }).values.GOPROXY).toBe('https://proxy.golang.org,direct');
  });

  it('GONOPROXY and GONOSUMDB default to GOPRIVATE', () => {
    const p = parseGoPolicy({ env: { GOPRIVATE: '*.corp.example,example.test/private' } });
    expect(p.gonoproxy).toEqual(['*.corp.example', 'example.test/private']);
    expect(p.gonosumdb).toEqual(p.goprivate);
    expect(bypassesProxy(p, 'git.corp.example/team/mod')).toBe(true);
    expect(bypassesSumdb(p, 'example.test/private/sub')).toBe(true);
    expect(bypassesProxy(p, 'example.test/public')).toBe(false);
  });

  it('keeps an explicit GONOSUMDB apart from GOPRIVATE', () => {
    const p = parseGoPolicy({ env: { GOPRIVATE: 'a.example', GONOSUMDB: 'b.example' } });
    expect(p.gonosumdb).toEqual(['b.example']);
    expect(p.gonoproxy).toEqual(['a.example']);
  });

  it('precedence: flag > go env -json > environment > default', () => {
    const goEnvJson = JSON.stringify({ GOPROXY: 'https://goproxy.cn,direct', GOSUMDB: 'sum.golang.org', GOPRIVATE: 'x.example', GONOPROXY: 'x.example' });
    const env = { GOPROXY: 'https://env.example', GOINSECURE: 'insecure.example' };
    const p = parseGoPolicy({ flags: { GOPROXY: 'off' }, env, goEnvJson });
    expect(p.values.GOPROXY).toBe('off');
    expect(p.sources).toMatchObject({ GOPROXY: 'flag', GOSUMDB: 'go-env', GOINSECURE: 'env', GOPRIVATE: 'go-env' });
    const q = parseGoPolicy({ env, goEnvJson });
    expect(q.values.GOPROXY).toBe('https://goproxy.cn,direct');
  });

  it('a GOPRIVATE flag replaces GONOPROXY/GONOSUMDB from lower-precedence sources', () => {
    const p = parseGoPolicy({ flags: { GOPRIVATE: 'new.example' }, goEnvJson: JSON.stringify({ GOPRIVATE: 'old.example', GONOPROXY: 'old.example' }) });
    expect(p.gonoproxy).toEqual(['new.example']);
    expect(p.sources.GONOPROXY).toBe('flag');
  });

  it('warns about malformed globs, which Go silently ignores', () => {
    const p = parseGoPolicy({ env: { GOPRIVATE: 'ok.example,[bad' } });
    expect(p.warnings).toEqual(['GOPRIVATE: pattern "[bad" is malformed; Go ignores it, so it matches no module']);
    expect(bypassesProxy(p, 'ok.example/x')).toBe(true);
  });

  it('GOSUMDB=off bypasses the checksum database for every module', () => {
    expect(bypassesSumdb(parseGoPolicy({ env: { GOSUMDB: 'off' } }), 'rsc.io/quote')).toBe(true);
  });

  it('rejects invalid input with a one-line PolicyError', () => {
    for (const input of [{ goEnvJson: '{' }, { goEnvJson: '[]' }, { goEnvJson: '{"GOPROXY": 1}' }, { env: { GOPROXY: 'ftp://x' } }, { env: { GOSUMDB: 'a b c' } }]) {
      let err: unknown;
      try {
        parseGoPolicy(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PolicyError);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
