import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyGoRequest } from '../../../src/protocols/goproxy/classify.js';

const get = (target: string, host?: string) => classifyGoRequest('GET', target, host);

describe('module proxy requests', () => {
  it('classifies list, info, mod, zip and latest', () => {
    expect(get('/github.com/!azure/azure-sdk-for-go/@v/list', 'proxy.golang.org')).toEqual({
      kind: 'list', host: 'proxy.golang.org', module: 'github.com/Azure/azure-sdk-for-go', method: 'GET', target: '/github.com/!azure/azure-sdk-for-go/@v/list',
    });
    expect(get('/golang.org/x/mod/@v/v0.14.0.info')).toMatchObject({ kind: 'info', module: 'golang.org/x/mod', version: 'v0.14.0' });
    expect(get('/golang.org/x/mod/@v/v0.14.0.mod')).toMatchObject({ kind: 'mod', version: 'v0.14.0' });
    expect(get('/golang.org/x/mod/@v/v0.14.0.zip')).toMatchObject({ kind: 'zip', version: 'v0.14.0' });
    expect(get('/golang.org/x/mod/@latest')).toMatchObject({ kind: 'latest', module: 'golang.org/x/mod' });
    expect(get('/golang.org/x/mod/@v/master.info')).toMatchObject({ kind: 'info', version: 'master' });
    expect(get('/golang.org/x/mod/@v/master.zip')).toBeUndefined();
  });

  it('keeps pseudo-versions and +incompatible, case-decoded', () => {
    expect(get('/golang.org/x/net/@v/v0.0.0-20191109021931-daa7c04131f5.mod')).toMatchObject({ version: 'v0.0.0-20191109021931-daa7c04131f5' });
    expect(get('/example.com/m/@v/v1.2.4-pre.0.20191109021931-daa7c04131f5.zip')).toMatchObject({ version: 'v1.2.4-pre.0.20191109021931-daa7c04131f5' });
    expect(get('/github.com/docker/docker/@v/v20.10.24+incompatible.info')).toMatchObject({ version: 'v20.10.24+incompatible' });
    expect(get('/github.com/docker/docker/@v/v20.10.24%2Bincompatible.mod')).toMatchObject({ version: 'v20.10.24+incompatible' });
    expect(get('/example.com/m/@v/v1.0.0-!r!c1.zip')).toMatchObject({ version: 'v1.0.0-RC1' });
    expect(get('/example.com/m/@v/v1.0.0-RC1.zip')).toBeUndefined();
  });

  it('handles absolute-form targets and query strings', () => {
    expect(get('https://goproxy.cn/golang.org/x/mod/@v/list?x=1', 'ignored.example')).toMatchObject({
      kind: 'list', host: 'goproxy.cn', module: 'golang.org/x/mod',
    });
  });

  it('splits repository-manager and mirror prefixes', () => {
    expect(get('/artifactory/api/go/golang-remote/github.com/!azure/go-autorest/@v/list')).toMatchObject({
      kind: 'list', prefix: '/artifactory/api/go/golang-remote', module: 'github.com/Azure/go-autorest',
    });
    expect(get('/artifactory/api/go/go.virtual/github.com/x/y/@v/list')).toMatchObject({ prefix: '/artifactory/api/go/go.virtual', module: 'github.com/x/y' });
    expect(get('/repository/go.proxy/golang.org/x/mod/@v/v0.14.0.zip')).toMatchObject({ prefix: '/repository/go.proxy', module: 'golang.org/x/mod' });
    expect(get('/goproxy/golang.org/x/mod/@latest', 'mirrors.aliyun.com')).toMatchObject({ prefix: '/goproxy', module: 'golang.org/x/mod' });
    expect(get('/go/golang.org/x/mod/@v/list', 'mirrors.cloud.tencent.com')).toMatchObject({ prefix: '/go', module: 'golang.org/x/mod' });
    // Shortest prefix that leaves a valid module path.
    expect(get('/a/b/example.com/c/@v/list')).toMatchObject({ prefix: '/a/b', module: 'example.com/c' });
  });

  it('classifies the toolchain and telemetry config modules', () => {
    expect(get('/golang.org/toolchain/@v/v0.0.1-go1.22.0.linux-amd64.zip', 'proxy.golang.org')).toMatchObject({
      kind: 'toolchain', module: 'golang.org/toolchain', version: 'v0.0.1-go1.22.0.linux-amd64',
    });
    expect(get('/golang.org/x/telemetry/config/@v/list')).toMatchObject({ kind: 'telemetry', module: 'golang.org/x/telemetry/config' });
  });
});

describe('checksum database', () => {
  it('through a proxy: supported, lookup, tile, latest', () => {
    expect(get('/sumdb/sum.golang.org/supported', 'goproxy.cn')).toMatchObject({ kind: 'sumdb-supported', sumdb: 'sum.golang.org' });
    expect(get('/sumdb/sum.golang.org/lookup/github.com/!azure/go-autorest@v14.2.0+incompatible')).toMatchObject({
      kind: 'lookup', sumdb: 'sum.golang.org', module: 'github.com/Azure/go-autorest', version: 'v14.2.0+incompatible',
    });
    expect(get('/sumdb/sum.golang.org/latest')).toMatchObject({ kind: 'sumdb-latest', sumdb: 'sum.golang.org' });
    expect(get('/artifactory/api/go/remote/sumdb/sum.golang.org/tile/8/1/002')).toMatchObject({
      kind: 'tile', sumdb: 'sum.golang.org', prefix: '/artifactory/api/go/remote', tile: { height: 8, level: 1, index: 2 },
    });
  });

  it('directly: lookup, tiles with groups, data level and partial widths, latest', () => {
    expect(get('/lookup/golang.org/x/mod@v0.14.0', 'sum.golang.org')).toEqual({
      kind: 'lookup', host: 'sum.golang.org', module: 'golang.org/x/mod', version: 'v0.14.0', method: 'GET', target: '/lookup/golang.org/x/mod@v0.14.0',
    });
    expect(get('/tile/8/0/x001/x234/067.p/5')).toMatchObject({ kind: 'tile', tile: { height: 8, level: 0, index: 1234067, width: 5 } });
    expect(get('/tile/8/data/x005/123')).toMatchObject({ tile: { height: 8, level: 'data', index: 5123 } });
    expect(get('/tile/8/2/000.p/255')?.tile).toEqual({ height: 8, level: 2, index: 0, width: 255 });
    expect(get('/latest', 'sum.golang.org:443')).toMatchObject({ kind: 'sumdb-latest' });
    expect(get('/latest', 'www.example.com')).toBeUndefined();
    expect(get('/tile/8/0/001.p/256')).toBeUndefined(); // width must be < 2^8
    expect(get('/tile/8/0/1234')).toBeUndefined();
    expect(get('/tile/8/0/001/002')).toBeUndefined(); // missing x prefix
    expect(get('/tile/31/0/001')).toBeUndefined();
    expect(get('/lookup/golang.org/x/mod')).toBeUndefined();
  });
});

describe('other Go endpoints', () => {
  it('go-get meta lookups', () => {
    expect(get('/foo/bar?go-get=1', 'git.corp.example')).toMatchObject({ kind: 'go-get', module: 'git.corp.example/foo/bar' });
    expect(get('/toolchain?go-get=1', 'golang.org')).toMatchObject({ kind: 'toolchain', module: 'golang.org/toolchain' });
    expect(get('/foo?go-get=1')).toBeUndefined(); // no host: module path unknown
  });

  it('release downloads', () => {
    expect(get('/go/go1.22.0.linux-amd64.tar.gz', 'dl.google.com')).toMatchObject({ kind: 'toolchain', version: 'go1.22.0' });
    expect(get('/dl/go1.21rc2.darwin-arm64.pkg', 'go.dev')).toMatchObject({ kind: 'toolchain', version: 'go1.21rc2' });
    expect(get('/dl/?mode=json', 'go.dev')).toMatchObject({ kind: 'toolchain' });
    expect(get('/go/go1.22.0.linux-amd64.tar.gz', 'example.com')).toBeUndefined();
  });

  it('telemetry uploads', () => {
    expect(classifyGoRequest('POST', '/upload/2024-06-01', 'telemetry.go.dev')).toMatchObject({ kind: 'telemetry', method: 'POST' });
    expect(classifyGoRequest('GET', '/upload/2024-06-01', 'telemetry.go.dev')).toBeUndefined();
    expect(classifyGoRequest('POST', '/upload/2024-06-01', 'example.com')).toBeUndefined();
  });

  it('vulnerability database', () => {
    for (const p of ['/index/db.json', '/index/modules.json', '/ID/GO-2023-1234.json', '/index.json', '/ID/GO-2024-12345.json.gz']) {
      expect(get(p, 'vuln.go.dev'), p).toMatchObject({ kind: 'vulndb' });
    }
    expect(get('/golang.org/x/net.json', 'vuln.go.dev')).toMatchObject({ kind: 'vulndb', module: 'golang.org/x/net' });
    expect(get('/index.html', 'vuln.go.dev')).toBeUndefined();
  });
});

describe('non-Go paths', () => {
  it('are rejected', () => {
    for (const t of ['/', '/index.html', '/api/v1/users', '/@v/list', '/../@v/list', '/golang.org/../@v/list', '/golang.org/x/%2e%2e/@v/list',
      '/a%2Fb.com/c/@v/list', '/golang.org/x/mod/@v/', '/golang.org//mod/@v/list', '/%zz/@v/list', '*', 'example.com:443', '/golang.org/x/mod/@v/v1.0.0.tar']) {
      expect(get(t, 'proxy.golang.org'), t).toBeUndefined();
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.option(fc.string(), { nil: undefined }), (m, t, h) => {
        const r = classifyGoRequest(m, t, h);
        expect(r === undefined || r.target === t).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a.com', 'b', '@v', 'list', '@latest', 'sumdb', 'tile', '8', 'x001', '..', '', '!a', 'A', 'v1.0.0.zip', 'lookup', 'm@v1.0.0', '%'), { maxLength: 8 }), (parts) => {
        const r = get(`/${parts.join('/')}`);
        expect(r === undefined || typeof r.kind === 'string').toBe(true);
      }),
    );
  });
});
