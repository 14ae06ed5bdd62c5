/**
 * Host catalog lookups: normalisation of what packets carry (case, trailing dot, port,
 * brackets), wildcards, host+path mirrors and shared hosts, configured precedence and
 * the probe's default host list.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG, HostCatalog } from '../../src/attribution/catalog.js';
import type { CatalogEntry } from '../../src/attribution/types.js';
import { repoRoot } from '../corpus.js';

const catalog = new HostCatalog();
const role = (c: HostCatalog, host: string, path?: string) => c.lookup(host, path)?.role;

describe('built-in lookups', () => {
  it('matches exact hosts with their roles and Google issuer expectation', () => {
    expect(catalog.lookup('proxy.golang.org')).toMatchObject({
      role: 'module-proxy',
      google: true,
      expectedIssuerOrgs: ['Google Trust Services'],
    });
    expect(role(catalog, 'sum.golang.org')).toBe('checksum-db');
    expect(role(catalog, 'sum.golang.google.cn')).toBe('checksum-db');
    expect(role(catalog, 'dl.google.com')).toBe('toolchain');
    expect(role(catalog, 'telemetry.go.dev')).toBe('telemetry');
    expect(role(catalog, 'vuln.go.dev')).toBe('vulndb');
    expect(role(catalog, 'goproxy.cn')).toBe('mirror');
    expect(role(catalog, 'github.com')).toBe('vcs');
    expect(role(catalog, 'index.golang.org')).toBe('other');
    expect(catalog.lookup('example.com')).toBeUndefined();
  });

  it('normalises case, the trailing dot, ports and IPv6 brackets', () => {
    expect(role(catalog, 'PROXY.Golang.ORG')).toBe('module-proxy');
    expect(role(catalog, 'proxy.golang.org.')).toBe('module-proxy');
    expect(role(catalog, 'proxy.golang.org:443')).toBe('module-proxy');
    expect(role(catalog, 'Proxy.Golang.Org.:8443')).toBe('module-proxy');
    expect(catalog.lookup('')).toBeUndefined();
    expect(catalog.lookup(':443')).toBeUndefined();
    const v6 = new HostCatalog([{ pattern: '2001:db8::5', role: 'mirror', label: 'v6 mirror' }]);
    expect(role(v6, '[2001:DB8::5]:443')).toBe('mirror');
    expect(role(v6, '2001:db8::5')).toBe('mirror');
  });

  it('does not confuse look-alike names', () => {
    expect(catalog.lookup('proxy.golang.org.evil.example')).toBeUndefined();
    expect(catalog.lookup('xproxy.golang.org')).toBeUndefined();
    expect(catalog.lookup('notgithub.com')).toBeUndefined();
  });

  it('matches wildcards at any depth below the suffix, not the suffix itself', () => {
    expect(role(catalog, 'raw.githubusercontent.com')).toBe('vcs');
    expect(role(catalog, 'a.b.githubusercontent.com')).toBe('vcs');
    expect(catalog.lookup('githubusercontent.com')).toBeUndefined();
    expect(catalog.lookup('evilgithubusercontent.com')).toBeUndefined();
  });

  it('prefers the longest wildcard', () => {
    const c = new HostCatalog([
      { pattern: '*.corp.example', role: 'other', label: 'corp' },
      { pattern: '*.go.corp.example', role: 'mirror', label: 'corp go' },
    ]);
    expect(role(c, 'athens.go.corp.example')).toBe('mirror');
    expect(role(c, 'www.corp.example')).toBe('other');
  });

  it('matches host+path mirrors on path segment boundaries, ignoring the query', () => {
    expect(role(catalog, 'mirrors.aliyun.com', '/goproxy/github.com/x/y/@v/list')).toBe('mirror');
    expect(role(catalog, 'mirrors.aliyun.com', '/goproxy')).toBe('mirror');
    expect(role(catalog, 'mirrors.aliyun.com', 'goproxy/')).toBe('mirror');
    expect(role(catalog, 'mirrors.aliyun.com', '/goproxy/?go-get=1')).toBe('mirror');
    expect(catalog.lookup('mirrors.aliyun.com', '/goproxyx/a')).toBeUndefined();
    expect(catalog.lookup('mirrors.aliyun.com', '/ubuntu/dists')).toBeUndefined();
    expect(role(catalog, 'mirrors.cloud.tencent.com', '/go/golang.org/x/mod/@v/list')).toBe('mirror');
    expect(catalog.lookup('mirrors.cloud.tencent.com', '/goproxy/x')).toBeUndefined();
    expect(role(catalog, 'repo.huaweicloud.com', '/repository/goproxy/a/@v/list')).toBe('mirror');
  });

  it('prefers a matching path entry over the exact host (golang.org/x vanity paths)', () => {
    expect(role(catalog, 'golang.org', '/x/mod?go-get=1')).toBe('vcs');
    expect(role(catalog, 'golang.org', '/toolchain')).toBe('toolchain');
    expect(role(catalog, 'golang.org')).toBe('toolchain');
  });

  it('gives a path-only host looked up without a path a shared entry with role other', () => {
    const e = catalog.lookup('mirrors.aliyun.com');
    expect(e).toMatchObject({ pattern: 'mirrors.aliyun.com', role: 'other', shared: true });
    expect(e!.label).toBe('shared host; Alibaba Cloud Go mirror under /goproxy/ (path not visible)');
    expect(catalog.lookup('MIRRORS.ALIYUN.COM.:443')).toBe(e);
  });
});

describe('docs/config.md', () => {
  it('lists every built-in host with its role and Google flag, and nothing else', () => {
    const md = readFileSync(resolve(repoRoot, 'docs/config.md'), 'utf8');
    const rows = [...md.matchAll(/^\| `([^`]+)` \| ([a-z-]+) \| (yes)? \|$/gm)].map((m) => [m[1], m[2], m[3] === 'yes']);
    expect(rows).toEqual(BUILTIN_CATALOG.map((e) => [e.pattern, e.role, e.google === true]));
  });
});

describe('configured entries', () => {
  const extra: CatalogEntry[] = [
    { pattern: 'goproxy.cn', role: 'module-proxy', label: 'our main proxy', configured: true },
    { pattern: '*.golang.org', role: 'other', label: 'blocked', configured: true },
    { pattern: 'Athens.Corp.Example.', role: 'mirror', label: 'Athens', configured: true },
    { pattern: 'artifactory.corp.example/artifactory/api/go/', role: 'mirror', label: 'Artifactory', configured: true },
    { pattern: 'proxy.golang.org', role: 'module-proxy', label: 'pinned', addressRanges: ['10.0.0.0/8'], configured: true },
    { pattern: '10.1.2.3', role: 'mirror', label: 'mirror by address', configured: true },
    { pattern: 'not a pattern', role: 'mirror', label: 'ignored' },
  ];
  const c = new HostCatalog(extra);

  it('take precedence over built-ins, including wildcards over built-in exact hosts', () => {
    expect(c.lookup('goproxy.cn')).toMatchObject({ role: 'module-proxy', label: 'our main proxy', configured: true });
    expect(c.lookup('sum.golang.org')).toMatchObject({ role: 'other', label: 'blocked' });
  });

  it('are normalised and support paths and IP addresses', () => {
    expect(c.lookup('athens.corp.example')).toMatchObject({ pattern: 'athens.corp.example', role: 'mirror' });
    expect(role(c, 'artifactory.corp.example', '/artifactory/api/go/golang-remote/github.com/a/b/@v/list')).toBe('mirror');
    expect(c.lookup('artifactory.corp.example', '/artifactory/api/npm/x')).toBeUndefined();
    expect(role(c, '10.1.2.3')).toBe('mirror');
    expect(c.lookup('not a pattern')).toBeUndefined();
  });

  it("keep a built-in host's Google flag and expected issuers when they replace it", () => {
    expect(c.lookup('proxy.golang.org')).toMatchObject({
      label: 'pinned',
      addressRanges: ['10.0.0.0/8'],
      google: true,
      expectedIssuerOrgs: ['Google Trust Services'],
      configured: true,
    });
  });

  it('list first in entries(), replacing the built-ins with the same pattern', () => {
    const all = c.entries();
    expect(all[0]!.label).toBe('our main proxy');
    expect(all.filter((e) => e.pattern === 'proxy.golang.org')).toHaveLength(1);
    expect(all.filter((e) => e.pattern === 'goproxy.cn')).toHaveLength(1);
    expect(all.length).toBe(BUILTIN_CATALOG.length - 2 + 6);
  });
});

describe('goHosts', () => {
  it('lists the Google Go hosts by default, no mirrors, VCS, wildcards or paths', () => {
    const hosts = catalog.goHosts();
    expect(hosts).toEqual(
      expect.arrayContaining(['proxy.golang.org', 'sum.golang.org', 'sum.golang.google.cn', 'dl.google.com', 'telemetry.go.dev', 'vuln.go.dev']),
    );
    for (const h of hosts) expect(h).toMatch(/^[a-z0-9.-]+$/);
    expect(hosts).not.toContain('goproxy.cn');
    expect(hosts).not.toContain('github.com');
    expect(hosts).not.toContain('index.golang.org');
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it('adds configured Go hosts first (a path entry contributes its host), skipping wildcards and addresses', () => {
    const c = new HostCatalog([
      { pattern: 'artifactory.corp.example/artifactory/api/go', role: 'mirror', label: 'a', configured: true },
      { pattern: '*.corp.example', role: 'mirror', label: 'w', configured: true },
      { pattern: '10.1.2.3', role: 'mirror', label: 'ip', configured: true },
      { pattern: 'squid.corp.example', role: 'http-proxy', label: 'proxy', configured: true },
      { pattern: 'goproxy.cn', role: 'mirror', label: 'ours', configured: true },
    ]);
    const hosts = c.goHosts();
    expect(hosts.slice(0, 2)).toEqual(['artifactory.corp.example', 'goproxy.cn']);
    expect(hosts).toContain('proxy.golang.org');
    expect(hosts).not.toContain('squid.corp.example');
    expect(hosts.some((h) => h.includes('*') || h === '10.1.2.3')).toBe(false);
  });
});
