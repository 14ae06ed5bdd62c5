/**
 * Which hosts the table shows and in what order: a substring filter over names, key and
 * role, and the sort orders `s` cycles through. Pure functions over the snapshot, so the
 * table, the key handling and the tests agree on one list.
 */
import type { HostSummary } from '../model/types.js';
import { SEVERITY_RANK, roleShort } from './format.js';

export const SORT_KEYS = ['bytes', 'name', 'first seen', 'severity'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function nextSort(s: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(s) + 1) % SORT_KEYS.length]!;
}

/** Case-insensitive substring match over the host key, its names, its role and role label. */
export function filterHosts(hosts: readonly HostSummary[], query: string): HostSummary[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [...hosts];
  return hosts.filter(
    (h) =>
      h.key.toLowerCase().includes(q) ||
      h.names.some((n) => n.toLowerCase().includes(q)) ||
      h.role.includes(q) ||
      roleShort(h.role).includes(q) ||
      h.roleLabel.toLowerCase().includes(q),
  );
}

const byKey = (a: HostSummary, b: HostSummary): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const byBytes = (a: HostSummary, b: HostSummary): number => b.bytesUp + b.bytesDown - (a.bytesUp + a.bytesDown);
const rank = (h: HostSummary): number => (h.worst ? SEVERITY_RANK[h.worst] : 0);

const COMPARE: Record<SortKey, (a: HostSummary, b: HostSummary) => number> = {
  bytes: (a, b) => byBytes(a, b) || byKey(a, b),
  name: byKey,
  'first seen': (a, b) => a.firstTs - b.firstTs || byKey(a, b),
  severity: (a, b) => rank(b) - rank(a) || b.findings.length - a.findings.length || byBytes(a, b) || byKey(a, b),
};

function sortHosts(hosts: HostSummary[], key: SortKey): HostSummary[] {
  return hosts.sort(COMPARE[key]);
}

export function visibleHosts(hosts: readonly HostSummary[], query: string, sort: SortKey): HostSummary[] {
  return sortHosts(filterHosts(hosts, query), sort);
}
