import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../../src/protocols/events.js';
import { resolveChain } from '../../../src/protocols/dns/chain.js';

function rec(name: string, type: string, data: string): DnsRecord {
  return { name, type, class: 'IN', ttl: 60, data };
}

describe('resolveChain', () => {
  it('follows CNAMEs from the question name to the final addresses, case-insensitively', () => {
    const answers = [
      rec('cdn.example.net', 'A', '192.0.2.7'),
      rec('PROXY.golang.org', 'CNAME', 'ghs.googlehosted.com'),
      rec('ghs.googlehosted.com', 'CNAME', 'cdn.Example.net'),
      rec('cdn.example.net', 'AAAA', '2001:db8::7'),
      rec('other.example', 'A', '198.51.100.1'),
    ];
    expect(resolveChain('proxy.golang.org', answers)).toEqual({
      cnameChain: ['ghs.googlehosted.com', 'cdn.Example.net'],
      addresses: ['192.0.2.7', '2001:db8::7'],
    });
  });

  it('stops on a loop', () => {
    const answers = [rec('a.example', 'CNAME', 'b.example'), rec('b.example', 'CNAME', 'a.example'), rec('a.example', 'A', '192.0.2.1')];
    expect(resolveChain('a.example', answers)).toEqual({ cnameChain: ['b.example'], addresses: [] });
  });

  it('stops after 16 hops', () => {
    const answers = Array.from({ length: 40 }, (_, i) => rec(`n${i}.example`, 'CNAME', `n${i + 1}.example`));
    answers.push(rec('n40.example', 'A', '192.0.2.40'));
    const r = resolveChain('n0.example', answers);
    expect(r.cnameChain).toHaveLength(16);
    expect(r.cnameChain.at(-1)).toBe('n16.example');
    expect(r.addresses).toEqual([]);
  });

  it('returns the question name’s own addresses without CNAMEs, and nothing without a question', () => {
    expect(resolveChain('x.example', [rec('x.example', 'A', '192.0.2.9')])).toEqual({ cnameChain: [], addresses: ['192.0.2.9'] });
    expect(resolveChain(undefined, [rec('x.example', 'A', '192.0.2.9')])).toEqual({ cnameChain: [], addresses: [] });
  });
});
