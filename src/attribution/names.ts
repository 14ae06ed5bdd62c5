/**
 * What DNS said each address is called: every final A/AAAA address of a response maps to
 * the question name (with its CNAME chain and the frame that proves it), so a flow to a
 * bare IP can be named by the answer that sent the client there. One address can carry
 * several names (shared front ends, CDNs), most recently answered first; for each name the
 * first and the latest answer are kept, so a flow that began between them is still named
 * by an answer it could have used.
 *
 * Memory is bounded whatever the capture holds: an LRU of at most `maxAddresses`
 * addresses (util/lru-map.ts: O(1) eviction however hostile the churn), each with at
 * most `maxNamesPerAddress` names, and CNAME chains cut at MAX_CHAIN names. One record
 * object is shared by all addresses of a response.
 */

import { LruMap } from '../util/lru-map.js';

/** A DNS answer naming an address. */
export interface DnsName {
  /** The question name, normalised. */
  name: string;
  /** Question name first, then the CNAME targets (normalised). */
  chain: readonly string[];
  /** Frame of the DNS response. */
  packet: number;
  ts: number;
  /** Address of the resolver that answered. */
  resolver: string;
}

/** Longest CNAME chain kept (resolvers stop following far sooner). */
export const MAX_CHAIN = 17;

/** One name of an address: its first and its latest answer (repeated answers refresh `latest`). */
interface NameEntry {
  first: DnsName;
  latest: DnsName;
}

export class AddressNames {
  private readonly map: LruMap<string, NameEntry[]>;

  constructor(
    readonly maxAddresses = 100_000,
    readonly maxNamesPerAddress = 4,
  ) {
    this.map = new LruMap(maxAddresses);
  }

  /** Addresses dropped because the map was full. */
  get evicted(): number {
    return this.map.evicted;
  }

  get size(): number {
    return this.map.size;
  }

  /** Records that `address` answered for `record.name`; a repeated name moves to the front. */
  learn(address: string, record: DnsName): void {
    const list = this.map.get(address);
    if (list) {
      const i = list.findIndex((e) => e.latest.name === record.name);
      const first = i >= 0 ? list[i]!.first : record;
      if (i >= 0) list.splice(i, 1);
      list.unshift({ first, latest: record });
      if (list.length > this.maxNamesPerAddress) list.length = this.maxNamesPerAddress;
      return;
    }
    this.map.set(address, [{ first: record, latest: record }]);
  }

  /**
   * The name for a connection to `address` opened at `ts`: the latest answer kept at or
   * before `ts` (a name answered both before and after `ts` yields its first answer when
   * its latest is too late), else — every answer came after — the most recent one.
   * Marks the address as recently used.
   */
  nameFor(address: string, ts = Infinity): DnsName | undefined {
    const list = this.map.get(address);
    if (!list) return undefined;
    let best: DnsName | undefined;
    for (const e of list) {
      const r = e.latest.ts <= ts ? e.latest : e.first.ts <= ts ? e.first : undefined;
      if (r && (!best || r.ts > best.ts)) best = r;
    }
    return best ?? list[0]!.latest;
  }

  /** The latest answer of every name kept for an address, most recent first (does not change recency). */
  namesOf(address: string): DnsName[] {
    return (this.map.peek(address) ?? []).map((e) => e.latest);
  }
}
