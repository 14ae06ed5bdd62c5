/**
 * The Go roles as values (for config validation and labels), and which of them the go
 * command itself produces — the roles a policy can explain and a probe should check.
 */
import type { GoRole } from './types.js';

export const GO_ROLES: readonly GoRole[] = [
  'module-proxy',
  'checksum-db',
  'mirror',
  'toolchain',
  'telemetry',
  'vulndb',
  'vcs',
  'http-proxy',
  'resolver',
  'other',
];

/** Default label per role, used for configured hosts without a label and for unknown hosts. */
export const ROLE_LABELS: Readonly<Record<GoRole, string>> = {
  'module-proxy': 'Go module proxy',
  'checksum-db': 'Go checksum database',
  mirror: 'Go module mirror',
  toolchain: 'Go toolchain downloads',
  telemetry: 'Go telemetry',
  vulndb: 'Go vulnerability database',
  vcs: 'version control (direct mode)',
  'http-proxy': 'HTTP proxy',
  resolver: 'DNS resolver',
  other: 'not Go',
};

export function isGoRole(value: string): value is GoRole {
  return (GO_ROLES as readonly string[]).includes(value);
}

/** Roles of hosts Go tooling talks to for its own purposes (not proxies, resolvers or other). */
export function isGoToolingRole(role: GoRole): boolean {
  return role !== 'http-proxy' && role !== 'resolver' && role !== 'other';
}
