/**
 * Follows CNAME records from the first question's name to the final addresses, as
 * a resolver's client would. Names compare case-insensitively (0x20 randomisation);
 * the walk stops on a loop or after MAX_HOPS, so a hostile answer section cannot
 * make it run long.
 */
import type { DnsRecord } from '../events.js';

const MAX_HOPS = 16;

export interface ResolvedChain {
  /** CNAME targets in order, the question name excluded. */
  cnameChain: string[];
  /** A/AAAA data of the final name. */
  addresses: string[];
}

export function resolveChain(qname: string | undefined, answers: DnsRecord[]): ResolvedChain {
  const cnameChain: string[] = [];
  if (qname === undefined) return { cnameChain, addresses: [] };
  const cnames = new Map<string, string>();
  for (const r of answers) {
    const owner = r.name.toLowerCase();
    if (r.type === 'CNAME' && !cnames.has(owner)) cnames.set(owner, r.data);
  }
  let current = qname.toLowerCase();
  const seen = new Set([current]);
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const next = cnames.get(current);
    if (next === undefined) break;
    const key = next.toLowerCase();
    if (seen.has(key)) break;
    seen.add(key);
    cnameChain.push(next);
    current = key;
  }
  const addresses = answers
    .filter((r) => (r.type === 'A' || r.type === 'AAAA') && r.name.toLowerCase() === current)
    .map((r) => r.data);
  return { cnameChain, addresses };
}
