import { describe, expect, it } from 'vitest';
import { parseDnsMessage } from '../../../src/protocols/dns/index.js';
import { parseSvcb } from '../../../src/protocols/dns/svcb.js';
import { bytes, header, rr, u16be, wireName } from './helpers.js';

function param(key: number, value: number[]): number[] {
  return [...u16be(key), ...u16be(value.length), ...value];
}

/** An ECHConfigList holding one draft-13 (0xfe0d) ECHConfig for public name cloudflare-ech.com. */
function echConfigList(): number[] {
  const publicName = [...Buffer.from('cloudflare-ech.com')];
  const contents = [
    0x2a, // config_id
    ...u16be(0x0020), // kem_id: DHKEM(X25519, HKDF-SHA256)
    ...u16be(32), ...new Array(32).fill(0x11), // public_key
    ...u16be(4), ...u16be(0x0001), ...u16be(0x0001), // cipher_suites: HKDF-SHA256 / AES-128-GCM
    0, // maximum_name_length
    publicName.length, ...publicName,
    ...u16be(0), // extensions
  ];
  const config = [...u16be(0xfe0d), ...u16be(contents.length), ...contents];
  return [...u16be(config.length), ...config];
}

const ipv6a = [0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x68, 0x10, 0, 1];
const ipv6b = [0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

const serviceRdata = [
  ...u16be(1),
  0, // target "."
  ...param(0, [...u16be(1), ...u16be(4)]),
  ...param(1, [2, 0x68, 0x33, 2, 0x68, 0x32]),
  ...param(3, u16be(443)),
  ...param(4, [104, 16, 0, 1, 104, 16, 0, 2]),
  ...param(5, echConfigList()),
  ...param(6, [...ipv6a, ...ipv6b]),
  ...param(65001, [0xca, 0xfe]),
];

function svcb(rdata: number[]) {
  const b = Uint8Array.from(rdata);
  return parseSvcb(b, 0, b.length);
}

describe('SVCB/HTTPS SvcParams', () => {
  it('parses ServiceMode params: mandatory, alpn, port, ipv4hint, ech, ipv6hint and unknown keys', () => {
    const r = svcb(serviceRdata);
    const ech = Buffer.from(echConfigList()).toString('base64');
    expect(r).toEqual({
      priority: 1,
      target: '.',
      params: {
        mandatory: ['alpn', 'ipv4hint'],
        alpn: ['h3', 'h2'],
        port: 443,
        ipv4hint: ['104.16.0.1', '104.16.0.2'],
        echBytes: echConfigList().length,
        ipv6hint: ['2606:4700::6810:1', '2606:4700::1'],
        other: { key65001: 'cafe' },
      },
      data: `1 . mandatory=alpn,ipv4hint alpn=h3,h2 port=443 ipv4hint=104.16.0.1,104.16.0.2 ech=${ech} ipv6hint=2606:4700::6810:1,2606:4700::1 key65001=cafe`,
    });
  });

  it('parses AliasMode and no-default-alpn, escaping commas in ALPN ids', () => {
    expect(svcb([...u16be(0), ...wireName('svc.example.net')])?.data).toBe('0 svc.example.net');
    const r = svcb([...u16be(2), ...wireName('pool.example'), ...param(1, [3, 0x61, 0x2c, 0x62]), ...param(2, [])]);
    expect(r?.params).toEqual({ alpn: ['a,b'], noDefaultAlpn: true });
    expect(r?.data).toBe('2 pool.example alpn=a\\,b no-default-alpn');
  });

  it.each([
    ['keys out of order', [...u16be(1), 0, ...param(3, u16be(443)), ...param(1, [2, 0x68, 0x32])]],
    ['repeated key', [...u16be(1), 0, ...param(3, u16be(443)), ...param(3, u16be(8443))]],
    ['ipv4hint not a multiple of 4', [...u16be(1), 0, ...param(4, [1, 2, 3, 4, 5])]],
    ['ipv6hint not a multiple of 16', [...u16be(1), 0, ...param(6, ipv6a.slice(0, 12))]],
    ['empty alpn id', [...u16be(1), 0, ...param(1, [0])]],
    ['alpn id past the value', [...u16be(1), 0, ...param(1, [5, 0x68])]],
    ['port of 3 octets', [...u16be(1), 0, ...param(3, [1, 2, 3])]],
    ['no-default-alpn with a value', [...u16be(1), 0, ...param(2, [1])]],
    ['mandatory of odd length', [...u16be(1), 0, ...param(0, [0, 1, 2])]],
    ['ech length not matching its list', [...u16be(1), 0, ...param(5, [0, 9, 1, 2])]],
    ['compressed target name', [...u16be(1), 0xc0, 12]],
    ['value past the rdata', [...u16be(1), 0, ...u16be(3), ...u16be(10), 1, 2]],
  ])('rejects %s', (_what, rdata) => {
    expect(svcb(rdata)).toBeUndefined();
  });

  it('never throws on any truncation or single-byte corruption', () => {
    const full = Uint8Array.from(serviceRdata);
    for (let len = 0; len <= full.length; len++) expect(() => parseSvcb(full, 0, len)).not.toThrow();
    for (let i = 0; i < full.length; i++) {
      const bad = Uint8Array.from(full);
      bad[i] = bad[i]! ^ 0xff;
      expect(() => parseSvcb(bad, 0, bad.length)).not.toThrow();
    }
    expect(parseSvcb(full, 0, 2)).toBeUndefined();
  });

  it('is exposed on HTTPS records of a response; malformed params fall back to generic data with a warning', () => {
    const good = rr(wireName('proxy.golang.org'), 65, serviceRdata);
    const bad = rr(wireName('proxy.golang.org'), 64, [...u16be(1), 0, ...param(4, [1, 2, 3])]);
    const msg = bytes(header(3, [1, 2, 0, 0]), wireName('proxy.golang.org'), u16be(65), u16be(1), good, bad);
    const r = parseDnsMessage(msg);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [https, broken] = r.msg.answers;
    expect(r.msg.questions[0]?.type).toBe('HTTPS');
    expect(https?.type).toBe('HTTPS');
    expect(https?.svcb?.params.alpn).toEqual(['h3', 'h2']);
    expect(https?.svcb?.params.ipv6hint).toEqual(['2606:4700::6810:1', '2606:4700::1']);
    expect(https?.data.startsWith('1 . mandatory=alpn,ipv4hint alpn=h3,h2')).toBe(true);
    expect(broken?.type).toBe('SVCB');
    expect(broken?.svcb).toBeUndefined();
    expect(broken?.data).toBe('\\# 10 00010000040003010203');
    expect(r.msg.warnings).toEqual(['malformed SVCB/HTTPS rdata']);
  });
});
