/**
 * Terminal injection, end to end: a real pcap (built here) whose DNS name, HTTP Host, TLS
 * SNI and certificate subject carry ESC sequences (CSI clear screen, OSC 8 hyperlink,
 * OSC 52 clipboard write), C1 controls and a bidi override. Through the real CLI, the
 * text view, the Markdown and CSV reports must contain none of those characters (they
 * appear as visible escapes), while the JSON report keeps every string exactly.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapFile, type PcapRecord } from '../capture/build.js';
import { concat, ethernet, ipv4, tcp, udp } from '../decode/frames.js';
import { sanitizeCsvCell, sanitizeMarkdown } from '../../src/util/sanitize.js';
import { gotap } from './cli.js';

const CSI_CLEAR = '\x1b[2J';
const OSC8 = '\x1b]8;;http://evil\x07';
const OSC52 = '\x1b]52;c;ZXZpbA==\x07';
const C1_CSI = '\u009b31m';
const BIDI = '\u202e';

/** Latin-1 only: HTTP and SNI bytes map one to one onto U+0000–U+00FF. */
const HOST = `mod${CSI_CLEAR}${OSC8}${C1_CSI}.example`;
const SNI = `proxy.golang.org${OSC52}${C1_CSI}`;
/** The certificate's CN is a UTF8String, so it can also carry the bidi override. */
const CN = `proxy.golang.org${CSI_CLEAR}${OSC8}${C1_CSI}${BIDI}gro.elgoog`;
const DNS_NAME = `sum${CSI_CLEAR}${OSC52}.example`;

// Everything a terminal or a renderer could act on; a sanitised output has none of it
// (line ends excepted: they separate lines and rows).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const TS = 1_780_000_000; // 2026-05-28, inside the certificate's validity
const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';
const RESOLVER = '10.0.0.53';

const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const u24 = (v: number): number[] => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const vec = (len: (n: number) => number[], b: Uint8Array): Uint8Array => concat(len(b.length), b);
const handshake = (type: number, body: Uint8Array): Uint8Array => concat([type], u24(body.length), body);
const record = (type: number, body: Uint8Array): Uint8Array => concat([type, 3, 3], u16(body.length), body);

function selfSignedCert(cn: string): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2027-01-01T00:00:00Z');
  const attrs = [{ name: 'commonName', value: cn, valueTagClass: forge.asn1.Type.UTF8 as number }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  return new Uint8Array(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
}

function clientHello(sni: string): Uint8Array {
  const name = latin1(sni);
  const sniExt = concat(u16(0), vec(u16, vec(u16, concat([0], vec(u16, name)))));
  const versions = concat(u16(0x002b), vec(u16, vec((n) => [n], new Uint8Array(u16(0x0304).concat(u16(0x0303))))));
  const body = concat(u16(0x0303), new Uint8Array(32).fill(1), [0], vec(u16, new Uint8Array(u16(0xc02f))), [1, 0], vec(u16, concat(sniExt, versions)));
  return record(22, handshake(1, body));
}

function serverFlight(cert: Uint8Array): Uint8Array {
  const serverHello = handshake(2, concat(u16(0x0303), new Uint8Array(32).fill(2), [0], u16(0xc02f), [0]));
  const certificate = handshake(11, vec(u24, vec(u24, cert)));
  return record(22, concat(serverHello, certificate, handshake(14, new Uint8Array(0))));
}

class Frames {
  readonly records: PcapRecord[] = [];

  private push(src: string, dst: string, l4: Uint8Array, protocol: number): void {
    const n = this.records.length;
    this.records.push({ sec: TS + n, frac: 0, data: ethernet(0x0800, ipv4(l4, { src, dst, protocol })) });
  }

  udp(src: string, sport: number, dst: string, dport: number, payload: Uint8Array): void {
    this.push(src, dst, udp(payload, { srcPort: sport, dstPort: dport }), 17);
  }

  /** A whole TCP connection: handshake, the client's bytes, the server's bytes, FINs. */
  tcpSession(sport: number, dport: number, request: Uint8Array, response: Uint8Array): void {
    const c = (payload: Uint8Array, seq: number, ack: number, flags: number) => this.push(CLIENT, SERVER, tcp(payload, { srcPort: sport, dstPort: dport, seq, ack, flags }), 6);
    const s = (payload: Uint8Array, seq: number, ack: number, flags: number) => this.push(SERVER, CLIENT, tcp(payload, { srcPort: dport, dstPort: sport, seq, ack, flags }), 6);
    const none = new Uint8Array(0);
    c(none, 1000, 0, 0x02);
    s(none, 5000, 1001, 0x12);
    c(none, 1001, 5001, 0x10);
    c(request, 1001, 5001, 0x18);
    s(response, 5001, 1001 + request.length, 0x18);
    c(none, 1001 + request.length, 5001 + response.length, 0x11);
    s(none, 5001 + response.length, 1002 + request.length, 0x11);
  }
}

function buildCapture(): Uint8Array {
  const f = new Frames();
  const question = [{ type: 'A' as const, name: DNS_NAME }];
  f.udp(CLIENT, 40000, RESOLVER, 53, dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: question }));
  f.udp(
    RESOLVER,
    53,
    CLIENT,
    40000,
    dnsPacket.encode({ type: 'response', id: 7, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: question, answers: [{ type: 'A', name: DNS_NAME, ttl: 60, data: SERVER }] }),
  );
  f.tcpSession(40001, 80, latin1(`GET /index.html HTTP/1.1\r\nHost: ${HOST}\r\nUser-Agent: curl\r\n\r\n`), latin1('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
  f.tcpSession(40002, 443, clientHello(SNI), serverFlight(selfSignedCert(CN)));
  return pcapFile({}, f.records);
}

/** The DNS analyzer shows names in RFC 1035 presentation form: bytes outside printable ASCII as \DDD. */
function presentation(name: string): string {
  return [...Buffer.from(name, 'utf8')].map((b) => (b > 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`)).join('');
}

const tmp = mkdtempSync(join(tmpdir(), 'gotap-injection-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'injection.pcap');
writeFileSync(file, buildCapture());

function run(args: string[]): string {
  const r = gotap(args[0] === 'report' ? [...args, '--no-env-policy'] : args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('packet strings with terminal escapes', () => {
  const json = JSON.parse(run(['report', file, '--format', 'json'])) as {
    hosts: { key: string; tls: { sni: string[] }; certificate?: { subject: string; issuer: string } }[];
    timeline: { entries: { what: string }[] };
  };

  it('the capture really carries them: the JSON report has every string byte for byte', () => {
    const tlsHost = json.hosts.find((h) => h.key === SNI.toLowerCase());
    expect(tlsHost?.tls.sni).toEqual([SNI]);
    expect(tlsHost?.certificate?.subject).toContain(CN);
    expect(tlsHost?.certificate?.issuer).toContain(CN);
    expect(json.hosts.map((h) => h.key)).toContain(HOST.toLowerCase());
    expect(json.hosts.map((h) => h.key)).toContain(presentation(DNS_NAME).toLowerCase());
    expect(json.timeline.entries.map((e) => e.what)).toContain(`HTTP GET ${HOST}/index.html`);
  });

  it('the Markdown report shows them as inert, visible escapes', () => {
    const md = run(['report', file, '--format', 'md']);
    expect(md).not.toMatch(UNSAFE);
    expect(md).toContain(sanitizeMarkdown(SNI.toLowerCase()));
    expect(md).toContain(sanitizeMarkdown(HOST.toLowerCase()));
    expect(md).toContain(sanitizeMarkdown(presentation(DNS_NAME).toLowerCase()));
    expect(md).toContain('\\\\u{202e}gro.elgoog');
  });

  it('the CSV report shows them as inert, visible escapes', () => {
    const csv = run(['report', file, '--format', 'csv']);
    expect(csv.replaceAll('\r\n', '\n')).not.toMatch(UNSAFE);
    expect(csv).toContain(sanitizeCsvCell(SNI.toLowerCase()));
    expect(csv).toContain('\\u{202e}gro.elgoog');
  });

  it('the replay text view shows them as inert, visible escapes', () => {
    const text = run(['replay', file, '--format', 'text']);
    expect(text).not.toMatch(UNSAFE);
    expect(text).toContain('\\x1b]52;c;ZXZpbA==\\x07');
  });
});
