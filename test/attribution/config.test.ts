/**
 * gotap.json loading: the documented example loads as documented, and every kind of
 * mistake stops with its exact one-line message naming the file and key path.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostCatalog } from '../../src/attribution/catalog.js';
import { ConfigError, configEntries, isConfiguredProxy, loadConfig } from '../../src/attribution/config.js';
import { repoRoot } from '../corpus.js';

const tmp = mkdtempSync(join(tmpdir(), 'gotap-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const LAB_CA = resolve(repoRoot, 'captures/lab/clean/trusted-ca.pem');
const ROLES = 'module-proxy, checksum-db, mirror, toolchain, telemetry, vulndb, vcs, http-proxy, resolver, other';

let n = 0;
/** Writes a config (object → JSON, string → as is) into its own directory and returns its path. */
function write(doc: unknown): string {
  const dir = join(tmp, `c${n++}`);
  mkdirSync(dir);
  const file = join(dir, 'gotap.json');
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

async function errorOf(doc: unknown): Promise<string> {
  const file = write(doc);
  const err = await loadConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message.replace(`${file}: `, 'gotap.json: ');
}

describe('the documented example', () => {
  const md = readFileSync(resolve(repoRoot, 'docs/config.md'), 'utf8');
  const example = /## Full example\s+```json\n([\s\S]*?)```/.exec(md)![1]!;

  it('loads, with caFiles resolved next to the config and values normalised', async () => {
    const file = write(example);
    mkdirSync(join(file, '..', 'certs'));
    copyFileSync(LAB_CA, join(file, '..', 'certs', 'corp-root.pem'));
    const cfg = await loadConfig(file);
    expect(cfg.caFiles).toEqual([join(file, '..', 'certs', 'corp-root.pem')]);
    expect(cfg.hosts).toHaveLength(5);
    expect(cfg.hosts![0]).toEqual({
      pattern: 'athens.corp.example',
      role: 'mirror',
      label: 'Athens (build farm)',
      addressRanges: ['10.20.0.0/16', 'fd00:20::/48'],
      expectedIssuerOrgs: ['Example Corp Internal CA'],
    });
    expect(cfg.acceptedInterception![1]!.fingerprint256).toBe('5f3a0c914b7e22d8a16c0f93e744b2198d6af03c21579eb40d88c26f1ae573b9');
    expect(cfg.httpProxies).toEqual(['squid.corp.example:3128', '[fd00:20::8]:8080']);
    expect(cfg.trustedCaPems).toEqual([]);
  });

  it('becomes catalog entries that take precedence and keep built-in Google facts', async () => {
    const file = write(example);
    mkdirSync(join(file, '..', 'certs'));
    copyFileSync(LAB_CA, join(file, '..', 'certs', 'corp-root.pem'));
    const catalog = new HostCatalog(configEntries(await loadConfig(file)));
    expect(catalog.lookup('athens.corp.example')).toMatchObject({ role: 'mirror', label: 'Athens (build farm)', configured: true });
    expect(catalog.lookup('artifactory.corp.example', '/artifactory/api/go/x/@v/list')?.label).toBe('Artifactory Go remote');
    expect(catalog.lookup('repo.git.corp.example')).toMatchObject({ role: 'vcs', label: 'version control (direct mode) (configured)' });
    expect(catalog.lookup('proxy.golang.org')).toMatchObject({
      label: 'Go module proxy (Google)',
      google: true,
      expectedIssuerOrgs: ['Google Trust Services'],
      addressRanges: ['142.250.0.0/15', '2a00:1450::/32'],
    });
    expect(catalog.lookup('10.20.30.40')?.role).toBe('mirror');
  });
});

describe('small valid configs', () => {
  it('an empty object is a valid config', async () => {
    expect(await loadConfig(write({}))).toEqual({});
  });

  it('normalises patterns and accepts single addresses as ranges and inline PEMs', async () => {
    const cfg = await loadConfig(
      write({
        hosts: [{ pattern: 'Mirrors.Corp.Example./goproxy/', role: 'mirror', addressRanges: ['10.0.0.1', '::1'] }],
        trustedCaPems: [readFileSync(LAB_CA, 'utf8')],
        caFiles: [LAB_CA],
      }),
    );
    expect(cfg.hosts![0]!.pattern).toBe('mirrors.corp.example/goproxy');
    expect(cfg.caFiles).toEqual([LAB_CA]);
  });
});

describe('errors, one line each', () => {
  it('missing file', async () => {
    const file = join(tmp, 'absent.json');
    await expect(loadConfig(file)).rejects.toThrow(new ConfigError(`${file}: cannot read: ENOENT`));
  });

  it('invalid JSON', async () => {
    expect(await errorOf('{"hosts": [}')).toMatch(/^gotap\.json: invalid JSON: .+/);
  });

  it('not an object at the top', async () => {
    expect(await errorOf('[]')).toBe('gotap.json: expected an object, got an array');
  });

  it('unknown top-level key', async () => {
    expect(await errorOf({ host: [] })).toBe(
      'gotap.json: host: unknown key (expected one of hosts, caFiles, trustedCaPems, acceptedInterception, httpProxies)',
    );
  });

  it('unknown nested key', async () => {
    expect(await errorOf({ hosts: [{ pattern: 'a.example', role: 'mirror', lable: 'x' }] })).toBe(
      'gotap.json: hosts[0].lable: unknown key (expected one of pattern, role, label, addressRanges, expectedIssuerOrgs)',
    );
  });

  it('wrong type', async () => {
    expect(await errorOf({ hosts: { pattern: 'a' } })).toBe('gotap.json: hosts: expected an array, got an object');
    expect(await errorOf({ hosts: [{ pattern: 42, role: 'mirror' }] })).toBe('gotap.json: hosts[0].pattern: expected a string, got a number');
    expect(await errorOf({ hosts: ['a.example'] })).toBe('gotap.json: hosts[0]: expected an object, got a string');
    expect(await errorOf({ caFiles: [null] })).toBe('gotap.json: caFiles[0]: expected a string, got null');
  });

  it('empty string', async () => {
    expect(await errorOf({ hosts: [{ pattern: 'a.example', role: 'mirror', label: ' ' }] })).toBe(
      'gotap.json: hosts[0].label: expected a non-empty string',
    );
  });

  it('missing required key', async () => {
    expect(await errorOf({ hosts: [{ pattern: 'a.example' }] })).toBe('gotap.json: hosts[0].role: required key is missing');
  });

  it('unknown role', async () => {
    const hosts = [
      { pattern: 'a.example', role: 'mirror' },
      { pattern: 'b.example', role: 'vcs' },
      { pattern: 'c.example', role: 'mirorr' },
    ];
    expect(await errorOf({ hosts })).toBe(`gotap.json: hosts[2].role: unknown role 'mirorr' (expected one of ${ROLES})`);
  });

  it('invalid host pattern', async () => {
    for (const bad of ['a b.example', 'host.example:8080', 'a.*.example', '*.example/path', '.example', 'a..example']) {
      expect(await errorOf({ hosts: [{ pattern: bad, role: 'mirror' }] })).toBe(
        `gotap.json: hosts[0].pattern: invalid host pattern '${bad}' (expected a host name, an IP address, *.suffix or host/path-prefix)`,
      );
    }
  });

  it('duplicate pattern (after normalisation)', async () => {
    const hosts = [
      { pattern: 'a.example', role: 'mirror' },
      { pattern: 'A.Example.', role: 'vcs' },
    ];
    expect(await errorOf({ hosts })).toBe("gotap.json: hosts[1].pattern: 'a.example' duplicates hosts[0]");
  });

  it('invalid CIDR', async () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', '10.0.0.0/', 'fd00::/129', '10.0.0.0/8/8', 'example.com/24', '10.0.0.0/-1']) {
      expect(await errorOf({ hosts: [{ pattern: 'a.example', role: 'mirror', addressRanges: ['10.0.0.0/8', bad] }] })).toBe(
        `gotap.json: hosts[0].addressRanges[1]: invalid CIDR '${bad}'`,
      );
    }
  });

  it('unreadable CA file, resolved relative to the config', async () => {
    const file = write({ caFiles: ['certs/missing.pem'] });
    await expect(loadConfig(file)).rejects.toThrow(`${file}: caFiles[0]: cannot read '${join(file, '..', 'certs', 'missing.pem')}': ENOENT`);
  });

  it('CA file without a certificate, or with one that does not parse', async () => {
    const file = write({ caFiles: ['ca.pem'] });
    const pem = join(file, '..', 'ca.pem');
    writeFileSync(pem, 'not a certificate\n');
    await expect(loadConfig(file)).rejects.toThrow(`${file}: caFiles[0]: '${pem}' holds no PEM certificate`);
    writeFileSync(pem, `${readFileSync(LAB_CA, 'utf8')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    await expect(loadConfig(file)).rejects.toThrow(
      `${file}: caFiles[0]: '${pem}' certificate 2 does not parse: error:068000A8:asn1 encoding routines::wrong tag`,
    );
  });

  it('inline PEM without a certificate', async () => {
    expect(await errorOf({ trustedCaPems: ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'] })).toBe(
      'gotap.json: trustedCaPems[0]: holds no PEM certificate',
    );
  });

  it('invalid fingerprint', async () => {
    expect(await errorOf({ acceptedInterception: [{ fingerprint256: 'ab:cd' }] })).toBe(
      "gotap.json: acceptedInterception[0].fingerprint256: invalid SHA-256 fingerprint 'ab:cd' (expected 64 hex digits, colons allowed)",
    );
  });

  it('accepted interception without any field', async () => {
    expect(await errorOf({ acceptedInterception: [{}] })).toBe(
      'gotap.json: acceptedInterception[0]: needs at least one of issuer, fingerprint256, product',
    );
  });

  it('invalid proxy', async () => {
    for (const bad of ['squid.corp.example', 'squid:0', 'squid:65536', 'http://squid:3128', 'fd00::8:8080']) {
      expect(await errorOf({ httpProxies: [bad] })).toBe(`gotap.json: httpProxies[0]: invalid proxy '${bad}' (expected host:port)`);
    }
  });

  it('quotes control characters in echoed values', async () => {
    expect(await errorOf({ hosts: [{ pattern: 'a.example', role: 'mirror\u001b[31m' }] })).toBe(
      `gotap.json: hosts[0].role: unknown role 'mirror\\u001b[31m' (expected one of ${ROLES})`,
    );
  });
});

describe('isConfiguredProxy', () => {
  const cfg = { httpProxies: ['squid.corp.example:3128', '10.0.0.9:3128', '[fd00::8]:8080'] };
  const hop = { how: 'connect' as const, packet: 1 };

  it('matches by address or by the DNS name of the address, on the same port', () => {
    expect(isConfiguredProxy(cfg, { ...hop, address: '10.0.0.9', port: 3128 })).toBe(true);
    expect(isConfiguredProxy(cfg, { ...hop, address: '10.0.0.7', port: 3128, name: 'squid.corp.example' })).toBe(true);
    expect(isConfiguredProxy(cfg, { ...hop, address: 'fd00::8', port: 8080 })).toBe(true);
    expect(isConfiguredProxy(cfg, { ...hop, address: '10.0.0.9', port: 8080 })).toBe(false);
    expect(isConfiguredProxy(cfg, { ...hop, address: '10.0.0.7', port: 3128, name: 'evil.example' })).toBe(false);
    expect(isConfiguredProxy({}, { ...hop, address: '10.0.0.9', port: 3128 })).toBe(false);
  });
});
