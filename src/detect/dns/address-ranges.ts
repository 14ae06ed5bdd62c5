/**
 * Address classification for DNS answers: the special-purpose ranges no public server
 * lives in (IANA IPv4/IPv6 special-purpose registries: loopback, private, link-local,
 * CGNAT, unspecified, multicast, documentation, reserved), and the user's expected
 * ranges from the config. Built on Node's `net.BlockList`, which does the CIDR
 * arithmetic for both families.
 */
import { BlockList, isIP } from 'node:net';

type Family = 'ipv4' | 'ipv6';

/** Checked in order: the first match names the address. */
const SPECIAL: [label: string, family: Family, network: string, prefix: number][] = [
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['unspecified ("this network")', 'ipv4', '0.0.0.0', 8],
  ['private (RFC 1918)', 'ipv4', '10.0.0.0', 8],
  ['private (RFC 1918)', 'ipv4', '172.16.0.0', 12],
  ['private (RFC 1918)', 'ipv4', '192.168.0.0', 16],
  ['carrier-grade NAT (RFC 6598)', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['IETF protocol assignments', 'ipv4', '192.0.0.0', 24],
  ['documentation', 'ipv4', '192.0.2.0', 24],
  ['documentation', 'ipv4', '198.51.100.0', 24],
  ['documentation', 'ipv4', '203.0.113.0', 24],
  ['benchmarking', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['IPv4-mapped', 'ipv6', '::ffff:0:0', 96],
  ['IPv4-compatible (deprecated)', 'ipv6', '::', 96],
  ['discard-only', 'ipv6', '100::', 64],
  ['documentation', 'ipv6', '2001:db8::', 32],
  ['documentation', 'ipv6', '3fff::', 20],
  ['unique local (private)', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['site-local (deprecated)', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const SPECIAL_LISTS: [string, Family, BlockList][] = SPECIAL.map(([label, family, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return [label, family, list];
});

export function addressFamily(address: string): Family | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** The special-purpose range an address is in ("loopback"), or undefined for a public address. */
export function specialRange(address: string): string | undefined {
  const family = addressFamily(address);
  if (!family) return undefined;
  for (const [label, f, list] of SPECIAL_LISTS) {
    if (f === family && list.check(address, family)) return label;
  }
  return undefined;
}

/** Expected ranges of one catalog entry, per family. */
export class ExpectedRanges {
  private readonly lists: Record<Family, BlockList> = { ipv4: new BlockList(), ipv6: new BlockList() };
  private readonly has: Record<Family, boolean> = { ipv4: false, ipv6: false };
  /** Ranges that did not parse (the config layer should have rejected them). */
  readonly invalid: string[] = [];

  constructor(readonly ranges: readonly string[]) {
    for (const r of ranges) {
      const slash = r.indexOf('/');
      const network = (slash >= 0 ? r.slice(0, slash) : r).trim();
      const family = addressFamily(network);
      const max = family === 'ipv4' ? 32 : 128;
      const prefix = slash >= 0 ? Number(r.slice(slash + 1)) : max;
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && r.slice(slash + 1).trim() === '')) {
        this.invalid.push(r);
        continue;
      }
      this.lists[family].addSubnet(network, prefix, family);
      this.has[family] = true;
    }
  }

  /** Whether ranges were declared for this address's family (otherwise it is judged as any Go host's). */
  covers(address: string): boolean {
    const family = addressFamily(address);
    return family !== undefined && this.has[family];
  }

  contains(address: string): boolean {
    const family = addressFamily(address);
    return family !== undefined && this.has[family] && this.lists[family].check(address, family);
  }
}
