/**
 * Which Go role a host plays: the built-in catalog extended by the user's configured
 * hosts. Lookup order, configured entries first, then built-ins, each layer tried as:
 *   1. host + longest matching path prefix (when a path is given): "golang.org/x" beats
 *      "golang.org" for /x/mod, so a vanity import path is not taken for a toolchain fetch;
 *   2. exact host;
 *   3. the longest matching wildcard "*.suffix" (any depth below suffix, not suffix itself).
 * A host whose Go role lives only under a path (mirrors.aliyun.com/goproxy) is shared with
 * other services: looked up with a path that does not match, it has no entry; looked up
 * without a path (HTTPS hides it) it gets a synthesised `shared` entry with role 'other'
 * whose label names the Go path — a reader learns what it might be, a policy check does
 * not count it as a Go contact.
 * A configured entry with the same pattern as a built-in one keeps the built-in's Google
 * flag and expected issuers unless it sets its own, so adding address ranges for
 * proxy.golang.org does not switch off its certificate check.
 */
import { BUILTIN_CATALOG } from './builtin-hosts.js';
import { hostOfAuthority, parseHostPattern, pathOnly, patternText } from './host-name.js';
import { isGoToolingRole } from './roles.js';
import type { CatalogEntry } from './types.js';

export { BUILTIN_CATALOG };

interface PathEntry {
  prefix: string;
  entry: CatalogEntry;
}

/** One source of entries (configured or built-in), indexed for the three lookup steps. */
class Layer {
  readonly exact = new Map<string, CatalogEntry>();
  /** Longest suffix first. */
  readonly wildcards: { suffix: string; entry: CatalogEntry }[] = [];
  /** Per host, longest prefix first. */
  readonly paths = new Map<string, PathEntry[]>();

  add(entry: CatalogEntry): boolean {
    const p = parseHostPattern(entry.pattern);
    if (!p) return false;
    if (p.path !== undefined) {
      const list = this.paths.get(p.host) ?? [];
      list.push({ prefix: p.path, entry });
      list.sort((a, b) => b.prefix.length - a.prefix.length);
      this.paths.set(p.host, list);
    } else if (p.wildcard) {
      this.wildcards.push({ suffix: p.host, entry });
      this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
    } else {
      this.exact.set(p.host, entry);
    }
    return true;
  }

  find(host: string, path: string | undefined): CatalogEntry | undefined {
    if (path !== undefined) {
      for (const { prefix, entry } of this.paths.get(host) ?? []) {
        if (path === prefix || path.startsWith(`${prefix}/`)) return entry;
      }
    }
    const exact = this.exact.get(host);
    if (exact) return exact;
    for (const { suffix, entry } of this.wildcards) {
      if (host.length > suffix.length && host.endsWith(suffix) && host[host.length - suffix.length - 1] === '.') return entry;
    }
    return undefined;
  }
}

export class HostCatalog {
  private readonly layers: Layer[];
  private readonly all: CatalogEntry[];
  private readonly shared = new Map<string, CatalogEntry>();

  /** `extra`: configured entries (configEntries(cfg)); invalid patterns are ignored (loadConfig rejects them). */
  constructor(extra: CatalogEntry[] = []) {
    const builtinByPattern = new Map(BUILTIN_CATALOG.map((e) => [e.pattern, e]));
    const configured = new Layer();
    const overridden = new Set<string>();
    const extras: CatalogEntry[] = [];
    for (const e of extra) {
      const p = parseHostPattern(e.pattern);
      if (!p) continue;
      const pattern = patternText(p);
      const base = builtinByPattern.get(pattern);
      const merged: CatalogEntry = { ...e, pattern, configured: true };
      if (base?.google && merged.google === undefined) merged.google = true;
      if (base?.expectedIssuerOrgs && merged.expectedIssuerOrgs === undefined) merged.expectedIssuerOrgs = base.expectedIssuerOrgs;
      if (base) overridden.add(pattern);
      configured.add(merged);
      extras.push(merged);
    }
    const builtin = new Layer();
    const builtins = BUILTIN_CATALOG.filter((e) => !overridden.has(e.pattern));
    for (const e of builtins) builtin.add(e);
    this.layers = [configured, builtin];
    this.all = [...extras, ...builtins];
    for (const layer of this.layers) {
      for (const [host, list] of layer.paths) {
        if (this.shared.has(host) || this.layers.some((l) => l.find(host, undefined))) continue;
        const first = list[list.length - 1]!;
        this.shared.set(host, {
          pattern: host,
          role: 'other',
          label: `shared host; ${first.entry.label} under ${first.prefix}/ (path not visible)`,
          shared: true,
        });
      }
    }
  }

  /**
   * The entry for a host ("Proxy.Golang.org.", "host:443", "[::1]:80" are normalised) and,
   * for plain HTTP, the request path (query ignored). Undefined when the host has no entry.
   */
  lookup(host: string, path?: string): CatalogEntry | undefined {
    const h = hostOfAuthority(host);
    if (h === undefined) return undefined;
    const p = path === undefined ? undefined : pathOnly(path.startsWith('/') ? path : `/${path}`);
    for (const layer of this.layers) {
      const e = layer.find(h, p);
      if (e) return e;
    }
    return p === undefined ? this.shared.get(h) : undefined;
  }

  /** Every entry in lookup order: configured, then the built-ins they did not replace. */
  entries(): readonly CatalogEntry[] {
    return this.all;
  }

  /**
   * Host names for `gotap probe` by default: every configured host with a Go role and the
   * built-in hosts the go command and its tools contact on their own (proxy, checksum DB,
   * toolchain, telemetry, vulndb) — not public mirrors or VCS hosts, which only matter when
   * configured. Wildcards and IP literals have no name to send as SNI and are skipped; a
   * host+path entry contributes its host.
   */
  goHosts(): string[] {
    const hosts = new Set<string>();
    for (const e of this.all) {
      if (!isGoToolingRole(e.role)) continue;
      if (!e.configured && (e.role === 'mirror' || e.role === 'vcs')) continue;
      const p = parseHostPattern(e.pattern);
      if (!p || p.wildcard || /^[\d.]+$/.test(p.host) || p.host.includes(':')) continue;
      hosts.add(p.host);
    }
    return [...hosts];
  }
}
