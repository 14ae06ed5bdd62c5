/**
 * gotap's facts against tshark's on the same captures: per frame, the DNS question
 * names and A/AAAA addresses, the ClientHello SNI, ALPN and JA3, the certificates sent
 * in clear, and HTTP request Host + target. tshark is the reference the benchmark
 * (bench/run.mjs) compares speed with, so speed must not come from seeing less.
 * Keyed by frame number so a fact attributed to the wrong packet fails too.
 * Skipped when tshark is not installed (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gotap, ndjson } from './cli.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

const FIELDS = [
  'frame.number',
  'icmp.type',
  'icmpv6.type',
  'dns.qry.name',
  'dns.a',
  'dns.aaaa',
  'tls.handshake.type',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_alpn_str',
  'tls.handshake.ja3',
  'tls.handshake.certificate',
  'http.host',
  'http.request.uri',
] as const;
type Field = (typeof FIELDS)[number];

interface Facts {
  dnsNames: string[];
  dnsAddresses: string[];
  sni: string[];
  alpn: string[];
  ja3: string[];
  certificates: string[];
  httpRequests: string[];
}

const sorted = (xs: string[]): string[] => [...xs].sort();

function tsharkFacts(file: string): Facts {
  const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.status).toBe(0);
  const facts: Facts = { dnsNames: [], dnsAddresses: [], sni: [], alpn: [], ja3: [], certificates: [], httpRequests: [] };
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const get = (f: Field): string[] => (cols[FIELDS.indexOf(f)] ?? '').split('|').filter((v) => v !== '');
    const frame = get('frame.number')[0];
    const clientHello = get('tls.handshake.type').includes('1');
    // An ICMP error quotes the datagram it answers: tshark decodes the quoted DNS query
    // again, gotap (rightly) does not count a second query.
    const quoted = get('icmp.type').length > 0 || get('icmpv6.type').length > 0;
    if (!quoted) {
      for (const name of get('dns.qry.name')) facts.dnsNames.push(`${frame} ${name === '<Root>' ? '' : name}`);
      for (const a of [...get('dns.a'), ...get('dns.aaaa')]) facts.dnsAddresses.push(`${frame} ${a}`);
    }
    for (const sni of get('tls.handshake.extensions_server_name')) facts.sni.push(`${frame} ${sni}`);
    if (clientHello) {
      const alpn = get('tls.handshake.extensions_alpn_str');
      if (alpn.length > 0) facts.alpn.push(`${frame} ${alpn.join(',')}`);
      for (const h of get('tls.handshake.ja3')) facts.ja3.push(`${frame} ${h}`);
    }
    for (const cert of get('tls.handshake.certificate')) facts.certificates.push(`${frame} ${cert}`);
    const hosts = get('http.host');
    const uris = get('http.request.uri');
    uris.forEach((uri, i) => facts.httpRequests.push(`${frame} ${hosts[i] ?? ''} ${uri}`));
  }
  return facts;
}

interface Rr {
  type: string;
  data: unknown;
}

function gotapFacts(file: string): Facts {
  const r = gotap(['replay', '--format', 'ndjson', file]);
  expect(r.code).toBe(0);
  const facts: Facts = { dnsNames: [], dnsAddresses: [], sni: [], alpn: [], ja3: [], certificates: [], httpRequests: [] };
  for (const ev of ndjson(r.stdout)) {
    const frame = ev.packet as number;
    switch (ev.type) {
      case 'dns-query':
      case 'dns-response': {
        for (const q of (ev.questions as { name: string }[] | undefined) ?? []) facts.dnsNames.push(`${frame} ${q.name.replace(/\.$/, '')}`);
        const rrs = ['answers', 'authorities', 'additionals'].flatMap((k) => (ev[k] as Rr[] | undefined) ?? []);
        for (const rr of rrs) if (rr.type === 'A' || rr.type === 'AAAA') facts.dnsAddresses.push(`${frame} ${String(rr.data)}`);
        break;
      }
      case 'tls-client-hello':
        if (typeof ev.sni === 'string') facts.sni.push(`${frame} ${ev.sni}`);
        if (Array.isArray(ev.alpn) && ev.alpn.length > 0) facts.alpn.push(`${frame} ${(ev.alpn as string[]).join(',')}`);
        facts.ja3.push(`${frame} ${ev.ja3Hash as string}`);
        break;
      case 'tls-certificates':
        for (const c of ev.certs as string[]) facts.certificates.push(`${frame} ${Buffer.from(c, 'base64').toString('hex')}`);
        break;
      case 'http-request':
        facts.httpRequests.push(`${frame} ${(ev.host as string | undefined) ?? ''} ${ev.target as string}`);
        break;
    }
  }
  return facts;
}

const CAPTURES: { file: string; shows: (keyof Facts)[] }[] = [
  { file: 'captures/lab/clean/capture.pcap', shows: ['dnsNames', 'dnsAddresses', 'sni', 'alpn', 'ja3'] },
  { file: 'captures/lab/intercept/capture.pcap', shows: ['sni', 'certificates'] },
  { file: 'captures/lab/plaintext/capture.pcap', shows: ['dnsNames', 'httpRequests'] },
  { file: 'captures/dns-mixed.pcap', shows: ['dnsNames', 'dnsAddresses'] },
  { file: 'captures/tls12-chain-mtu300.pcap', shows: ['sni', 'certificates'] },
];

describe.skipIf(!hasTshark)('gotap reports the same facts as tshark', () => {
  for (const { file, shows } of CAPTURES) {
    it(file, () => {
      const expected = tsharkFacts(file);
      const actual = gotapFacts(file);
      // The capture really holds the facts it is here for (a comparison of two empty lists proves nothing).
      for (const kind of shows) expect(expected[kind].length, `${kind} in ${file}`).toBeGreaterThan(0);
      for (const kind of Object.keys(expected) as (keyof Facts)[]) {
        expect(sorted(actual[kind]), `${kind} in ${file}`).toEqual(sorted(expected[kind]));
      }
    });
  }
});
