/**
 * Test helpers: Flow objects built by hand (the flow table is another stage), an
 * event collector, and DNS messages encoded with dns-packet.
 */
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import type { Endpoint, Flow } from '../../../src/flow/types.js';
import type { AnalyzerContext } from '../../../src/protocols/analyzer.js';
import type { Counter } from '../../../src/util/counter.js';
import { testContext } from '../context.js';
import { emptyDirectionStats } from '../../../src/flow/flow-table.js';
import type { GotapEvent } from '../../../src/protocols/events.js';

export const CLIENT: Endpoint = { addr: '10.0.0.2', port: 40000 };
export const RESOLVER: Endpoint = { addr: '10.0.0.53', port: 53 };

export function makeFlow(protocol: 'tcp' | 'udp', client = CLIENT, server = RESOLVER): Flow {
  return {
    id: 7,
    protocol,
    ipVersion: client.addr.includes(':') ? 6 : 4,
    client,
    server,
    roleBy: 'port',
    firstTs: 1000,
    lastTs: 1000,
    firstFrame: 1,
    lastFrame: 1,
    synSeen: protocol === 'tcp',
    synAckSeen: protocol === 'tcp',
    finSeen: [false, false],
    rstSeen: false,
    stats: [emptyDirectionStats(), emptyDirectionStats()],
  };
}

export function collector(flow: Flow): { ctx: AnalyzerContext; events: GotapEvent[]; counter: Counter } {
  const events: GotapEvent[] = [];
  const ctx = testContext(flow, (ev) => events.push(ev));
  return { ctx, events, counter: ctx.problems };
}

export function ofType<T extends GotapEvent['type']>(events: GotapEvent[], type: T): Extract<GotapEvent, { type: T }>[] {
  return events.filter((e): e is Extract<GotapEvent, { type: T }> => e.type === type);
}

export function query(id: number, name: string, type: Question['type'] = 'A', extra: Partial<Packet> = {}): Uint8Array {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }], ...extra });
}

export function response(id: number, name: string, answers: Answer[], extra: Partial<Packet> & { rcode?: number } = {}, type: Question['type'] = 'A'): Uint8Array {
  const { rcode = 0, ...rest } = extra;
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: [{ name, type }],
    answers,
    ...rest,
  });
}

export function a(name: string, data: string, ttl = 300): Answer {
  return { type: 'A', name, data, ttl };
}

/** Length-prefixed (DNS over TCP) framing. */
export function framed(...msgs: Uint8Array[]): Uint8Array {
  return Buffer.concat(msgs.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), Buffer.from(m)]));
}

export function bytes(...parts: (number | number[] | string | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') out.push(...Buffer.from(p, 'latin1'));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

/** A name in uncompressed wire form. */
export function wireName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) out.push(label.length, ...Buffer.from(label, 'latin1'));
  out.push(0);
  return out;
}

export function u16be(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

export function u32be(n: number): number[] {
  return [...u16be(Math.floor(n / 65536)), ...u16be(n % 65536)];
}

/** A header with the given counts (flags default: response, RD, RA). */
export function header(id: number, counts: [number, number, number, number], flags = 0x8180): number[] {
  return [...u16be(id), ...u16be(flags), ...counts.flatMap(u16be)];
}

/** A resource record in wire form with an explicit RDATA. */
export function rr(name: number[], type: number, rdata: number[], ttl = 60, klass = 1): number[] {
  return [...name, ...u16be(type), ...u16be(klass), ...u32be(ttl), ...u16be(rdata.length), ...rdata];
}

/** An EDNS OPT pseudo-record (DO bit and PADDING option optional). */
export function opt(udpPayloadSize = 1232, dnssecOk = false, paddingLength?: number): Answer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: dnssecOk ? dnsPacket.DNSSEC_OK : 0,
    flag_do: dnssecOk,
    options: paddingLength === undefined ? [] : [{ code: 12, length: paddingLength }],
  };
}
