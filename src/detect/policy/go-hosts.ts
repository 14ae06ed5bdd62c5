/**
 * What the DNS, HTTP and policy detectors need from the host catalog: a lookup by name
 * (the attribution stage's HostCatalog satisfies it) and the notion of a "Go host" —
 * one with a Go role — so a detector can ignore the rest of a busy capture.
 */
import type { CatalogEntry, GoRole } from '../../attribution/types.js';

export interface HostLookup {
  lookup(host: string, path?: string): CatalogEntry | undefined;
}

const GO_ROLES: ReadonlySet<GoRole> = new Set<GoRole>(['module-proxy', 'checksum-db', 'mirror', 'toolchain', 'telemetry', 'vulndb', 'vcs']);

export function isGoRole(role: GoRole | undefined): boolean {
  return role !== undefined && GO_ROLES.has(role);
}

/** Roles whose hosts serve modules or checksums (what GOPROXY/GOSUMDB govern). */
export function isModuleServer(role: GoRole | undefined): boolean {
  return role === 'module-proxy' || role === 'mirror' || role === 'checksum-db';
}

/** Lower-case, no trailing dot, no port, no IPv6 brackets. */
export function normalizeHost(name: string): string {
  let h = name.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.lastIndexOf(':');
  // One colon: host:port. Several: a bare IPv6 address, kept whole.
  if (colon >= 0 && h.indexOf(':') === colon) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The catalog entry of a host when it has a Go role. */
export function goEntry(catalog: HostLookup, host: string | undefined, path?: string): CatalogEntry | undefined {
  if (host === undefined || host === '') return undefined;
  const entry = catalog.lookup(normalizeHost(host), path);
  return entry && isGoRole(entry.role) ? entry : undefined;
}
