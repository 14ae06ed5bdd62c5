/**
 * The user's gotap.json (`--config`): own mirrors and their roles, expected address ranges
 * and issuers per host, extra trusted CAs, accepted interception CAs and the corporate
 * HTTP proxies. Validation is strict and stops at the first problem with one line naming
 * the file and the key path ("gotap.json: hosts[2].role: unknown role 'mirorr' (…)"): a
 * typo in a trust setting must never be silently ignored. Format: docs/config.md.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BUILTIN_CATALOG } from './builtin-hosts.js';
import { parseCidr } from './cidr.js';
import { hostOfAuthority, parseHostPattern, patternText } from './host-name.js';
import { GO_ROLES, ROLE_LABELS, isGoRole } from './roles.js';
import type { CatalogEntry, GoRole, ProxyHop } from './types.js';

export interface ConfiguredHost {
  /** "goproxy.corp.example", "*.corp.example", "artifactory.corp.example/artifactory/api/go" or an IP address (normalised). */
  pattern: string;
  role: GoRole;
  label?: string;
  /** CIDR ranges (or single addresses) DNS answers for this host must fall in. */
  addressRanges?: string[];
  /** Certificate issuer organisations expected for this host. */
  expectedIssuerOrgs?: string[];
}

export interface AcceptedInterception {
  /** Issuer organisation or common name of the interception CA, compared exactly. */
  issuer?: string;
  /** SHA-256 of the CA certificate's DER, normalised to lower-case hex without colons. */
  fingerprint256?: string;
  /** Product name as gotap reports it ("Zscaler"). */
  product?: string;
}

export interface GotapConfig {
  hosts?: ConfiguredHost[];
  /** PEM bundles of extra trusted CAs, resolved to absolute paths (relative to the config file). */
  caFiles?: string[];
  /** Extra trusted CAs inline, PEM text. */
  trustedCaPems?: string[];
  acceptedInterception?: AcceptedInterception[];
  /** Configured corporate HTTP proxies, "host:port" (host normalised, "[v6]:port" for IPv6). */
  httpProxies?: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const TOP_KEYS = ['hosts', 'caFiles', 'trustedCaPems', 'acceptedInterception', 'httpProxies'];
const HOST_KEYS = ['pattern', 'role', 'label', 'addressRanges', 'expectedIssuerOrgs'];
const INTERCEPTION_KEYS = ['issuer', 'fingerprint256', 'product'];

/** A value quoted for an error line: single quotes, control characters escaped. */
function quote(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1)}'`;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Validates one parsed document; `fail(path, message)` throws. */
class Validator {
  constructor(private readonly file: string) {}

  fail(path: string, message: string): never {
    throw new ConfigError(`${this.file}: ${path === '' ? '' : `${path}: `}${message}`);
  }

  object(v: unknown, path: string, keys: string[]): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `expected an object, got ${kind(v)}`);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) this.fail(path === '' ? k : `${path}.${k}`, `unknown key (expected one of ${keys.join(', ')})`);
    }
    return o;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${kind(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${kind(v)}`);
    if (v.trim() === '') this.fail(path, 'expected a non-empty string');
    return v;
  }

  strings(v: unknown, path: string): string[] {
    return this.array(v, path).map((s, i) => this.string(s, `${path}[${i}]`));
  }
}

/** Reads and validates a gotap.json; throws ConfigError with one line naming the problem. */
export async function loadConfig(path: string): Promise<GotapConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read: ${fsErrorText(e)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON: ${errorText(e)}`);
  }
  return validateConfig(doc, path, dirname(resolve(path)));
}

/** Validates a parsed config; `baseDir` resolves relative caFiles. Exported for callers that build configs in code. */
export async function validateConfig(doc: unknown, file: string, baseDir: string): Promise<GotapConfig> {
  const v: Validator = new Validator(file);
  const top = v.object(doc, '', TOP_KEYS);
  const cfg: GotapConfig = {};
  if (top.hosts !== undefined) cfg.hosts = validateHosts(v, top.hosts);
  if (top.caFiles !== undefined) {
    cfg.caFiles = [];
    for (const [i, f] of v.strings(top.caFiles, 'caFiles').entries()) {
      const abs = resolve(baseDir, f);
      let pem: string;
      try {
        pem = await readFile(abs, 'utf8');
      } catch (e) {
        v.fail(`caFiles[${i}]`, `cannot read ${quote(abs)}: ${fsErrorText(e)}`);
      }
      const problem = pemProblem(pem);
      if (problem) v.fail(`caFiles[${i}]`, `${quote(abs)} ${problem}`);
      cfg.caFiles.push(abs);
    }
  }
  if (top.trustedCaPems !== undefined) {
    cfg.trustedCaPems = v.strings(top.trustedCaPems, 'trustedCaPems');
    for (const [i, pem] of cfg.trustedCaPems.entries()) {
      const problem = pemProblem(pem);
      if (problem) v.fail(`trustedCaPems[${i}]`, problem);
    }
  }
  if (top.acceptedInterception !== undefined) {
    cfg.acceptedInterception = v.array(top.acceptedInterception, 'acceptedInterception').map((item, i) => {
      const path = `acceptedInterception[${i}]`;
      const o = v.object(item, path, INTERCEPTION_KEYS);
      const out: AcceptedInterception = {};
      if (o.issuer !== undefined) out.issuer = v.string(o.issuer, `${path}.issuer`);
      if (o.product !== undefined) out.product = v.string(o.product, `${path}.product`);
      if (o.fingerprint256 !== undefined) {
        const fp = v.string(o.fingerprint256, `${path}.fingerprint256`);
        const hex = fp.replace(/:/g, '').toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(hex)) v.fail(`${path}.fingerprint256`, `invalid SHA-256 fingerprint ${quote(fp)} (expected 64 hex digits, colons allowed)`);
        out.fingerprint256 = hex;
      }
      if (Object.keys(out).length === 0) v.fail(path, `needs at least one of ${INTERCEPTION_KEYS.join(', ')}`);
      return out;
    });
  }
  if (top.httpProxies !== undefined) {
    cfg.httpProxies = v.strings(top.httpProxies, 'httpProxies').map((p, i) => {
      const parsed = parseProxy(p);
      if (!parsed) v.fail(`httpProxies[${i}]`, `invalid proxy ${quote(p)} (expected host:port)`);
      return parsed.host.includes(':') ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
    });
  }
  return cfg;
}

function validateHosts(v: Validator, value: unknown): ConfiguredHost[] {
  const seen = new Map<string, number>();
  return v.array(value, 'hosts').map((item, i) => {
    const path = `hosts[${i}]`;
    const o = v.object(item, path, HOST_KEYS);
    for (const k of ['pattern', 'role']) if (o[k] === undefined) v.fail(`${path}.${k}`, 'required key is missing');
    const raw = v.string(o.pattern, `${path}.pattern`);
    const parsed = parseHostPattern(raw);
    if (!parsed) v.fail(`${path}.pattern`, `invalid host pattern ${quote(raw)} (expected a host name, an IP address, *.suffix or host/path-prefix)`);
    const pattern = patternText(parsed);
    const dup = seen.get(pattern);
    if (dup !== undefined) v.fail(`${path}.pattern`, `${quote(pattern)} duplicates hosts[${dup}]`);
    seen.set(pattern, i);
    const role = v.string(o.role, `${path}.role`);
    if (!isGoRole(role)) v.fail(`${path}.role`, `unknown role ${quote(role)} (expected one of ${GO_ROLES.join(', ')})`);
    const host: ConfiguredHost = { pattern, role };
    if (o.label !== undefined) host.label = v.string(o.label, `${path}.label`);
    if (o.addressRanges !== undefined) {
      host.addressRanges = v.strings(o.addressRanges, `${path}.addressRanges`);
      for (const [j, r] of host.addressRanges.entries()) {
        if (!parseCidr(r)) v.fail(`${path}.addressRanges[${j}]`, `invalid CIDR ${quote(r)}`);
      }
    }
    if (o.expectedIssuerOrgs !== undefined) host.expectedIssuerOrgs = v.strings(o.expectedIssuerOrgs, `${path}.expectedIssuerOrgs`);
    return host;
  });
}

/** Why a PEM text is unusable as trusted CAs, or undefined when every certificate in it parses. */
function pemProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  if (!blocks) return 'holds no PEM certificate';
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (e) {
      return `certificate ${i + 1} does not parse: ${errorText(e)}`;
    }
  }
  return undefined;
}

function parseProxy(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:/@\s]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  const host = hostOfAuthority(m[1]!);
  if (host === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A file-system error by its code ("ENOENT"), the message when there is none. */
function fsErrorText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? errorText(e);
}

/** The configured hosts as catalog entries (for `new HostCatalog(configEntries(cfg))`). */
export function configEntries(cfg: GotapConfig): CatalogEntry[] {
  return (cfg.hosts ?? []).map((h) => {
    const label = h.label ?? BUILTIN_CATALOG.find((b) => b.pattern === h.pattern)?.label ?? `${ROLE_LABELS[h.role]} (configured)`;
    const e: CatalogEntry = { pattern: h.pattern, role: h.role, label, configured: true };
    if (h.addressRanges) e.addressRanges = h.addressRanges;
    if (h.expectedIssuerOrgs) e.expectedIssuerOrgs = h.expectedIssuerOrgs;
    return e;
  });
}

/**
 * Whether a flow's proxy is one of the configured httpProxies: same port, and the
 * configured host is the proxy's address or the DNS name that resolved to it.
 */
export function isConfiguredProxy(cfg: GotapConfig, hop: ProxyHop): boolean {
  return (cfg.httpProxies ?? []).some((p) => {
    const parsed = parseProxy(p);
    return parsed !== undefined && parsed.port === hop.port && (parsed.host === hop.address.toLowerCase() || parsed.host === hop.name);
  });
}
