/**
 * One DNS message, bytes → typed values (flags, questions, records in presentation
 * form, EDNS), or a reason it was rejected.
 *
 * A bounded structural walk (wire.ts names, every record's RDLENGTH inside the
 * message, exact sizes for A/AAAA, names inside name-bearing rdata, the OPT record's
 * options filling it exactly) — this is what dns-packet does not check: it ignores
 * RDLENGTH for several types and silently accepts some truncated OPT records. The
 * walk formats the common types itself (addresses, names, MX, SRV, SOA, RP, SVCB),
 * and the flags come from the header (RFC 1035 §4.1.1). Only a message that needs
 * more — a record type whose data dns-packet supplies (TXT, CAA, DS, DNSKEY, …), an
 * EDNS option dns-packet decodes (ECS, keep-alive, padding, key tag: its decoders
 * can throw on them), or trailing bytes (a compression pointer could lead there) —
 * is decoded again by dns-packet, inside a guard (it throws plain Errors and
 * RangeErrors), which must agree on where the message ends. For every other message
 * dns-packet would read exactly what the walk already checked, so decoding it twice
 * could not change the result; skipping it halves the cost of the common message.
 * Anything that fails is reported as { ok: false, error } and produces no event.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import type { DnsProblem } from '../anomaly.js';
import type { DnsEdns, DnsFlags, DnsQuestion, DnsRecord } from '../events.js';
import { formatIPv4, formatIPv6 } from './address.js';
import { className, ednsOptionName, opcodeName, rcodeName, TYPE, typeName } from './codes.js';
import { formatLibraryRdata, genericRdata } from './rdata.js';
import { parseSvcb } from './svcb.js';
import { hex, readName, u16, u32, u8, WireError } from './wire.js';

export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  /** Full rcode name, EDNS extended bits included. */
  rcode: string;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  /** Additional records without the OPT pseudo-record (which is `edns`). */
  additionals: DnsRecord[];
  edns?: DnsEdns;
  /** Non-fatal oddities to count ("trailing bytes after message", "malformed SvcParams"). */
  warnings: DnsProblem[];
  /** Bytes the message occupied (trailing bytes excluded). */
  length: number;
}

/** A rejected message: the counted problem, and the detail (dns-packet's own message, bounded). */
export type ParseResult = { ok: true; msg: DnsMessage } | { ok: false; problem: DnsProblem; error: string };

export interface ParseOptions {
  /** mDNS: the top bit of a class is the QU / cache-flush bit, not part of the class. */
  mdns?: boolean;
}

const HEADER = 12;
/** Smallest question: root name (1) + type + class. Smallest record: root name + 10 fixed octets. */
const MIN_QUESTION = 5;
const MIN_RECORD = 11;

interface RawRecord {
  record: DnsRecord;
  rdStart: number;
  rdEnd: number;
  /** Presentation form computed by the walk; undefined: take it from dns-packet. */
  data: string | undefined;
}

export function parseDnsMessage(bytes: Uint8Array, opts: ParseOptions = {}): ParseResult {
  let walked: Walked;
  try {
    walked = walk(bytes, opts);
  } catch (e) {
    if (e instanceof WireError) return { ok: false, problem: e.kind, error: e.kind };
    throw e;
  }
  let sections: Answer[][] | undefined;
  if (needsLibrary(bytes, walked)) {
    const lib = decodeWithLibrary(bytes.subarray(0, walked.end));
    if (typeof lib === 'string') return { ok: false, problem: 'rejected by dns-packet', error: lib };
    sections = [lib.answers ?? [], lib.authorities ?? [], lib.additionals ?? []];
    if (
      dnsPacket.decode.bytes !== walked.end ||
      (lib.questions ?? []).length !== walked.questions.length ||
      sections.some((s, i) => s.length !== walked.sections[i]?.length)
    ) {
      return { ok: false, problem: 'dns-packet disagrees on record boundaries', error: 'dns-packet disagrees on record boundaries' };
    }
  }
  const warnings = walked.warnings;
  const [answers, authorities, additionals] = walked.sections.map((raws, i) =>
    raws.map((raw, j) => {
      const libRecord = sections?.[i]?.[j];
      if (raw.data === undefined) raw.record.data = libRecord ? formatLibraryRdata(libRecord, bytes, raw.rdStart, raw.rdEnd) : genericRdata(bytes, raw.rdStart, raw.rdEnd);
      else raw.record.data = raw.data;
      return raw.record;
    }),
  );
  const bits = (bytes[2]! << 8) | bytes[3]!;
  const flags: DnsFlags = {
    qr: (bits & 0x8000) !== 0,
    opcode: opcodeName((bits >> 11) & 0x0f),
    aa: (bits & 0x0400) !== 0,
    tc: (bits & 0x0200) !== 0,
    rd: (bits & 0x0100) !== 0,
    ra: (bits & 0x0080) !== 0,
    ad: (bits & 0x0020) !== 0,
    cd: (bits & 0x0010) !== 0,
  };
  const rcodeValue = ((walked.edns?.extendedRcode ?? 0) << 4) | (bytes[3]! & 0x0f);
  if (walked.end < bytes.length) warnings.push('trailing bytes after message');
  const msg: DnsMessage = {
    id: u16(bytes, 0, HEADER),
    flags,
    rcode: rcodeName(rcodeValue),
    questions: walked.questions,
    answers: answers ?? [],
    authorities: authorities ?? [],
    additionals: (additionals ?? []).filter((r) => r.type !== 'OPT'),
    warnings,
    length: walked.end,
  };
  if (walked.edns) msg.edns = walked.edns;
  return { ok: true, msg };
}

/** EDNS option codes dns-packet decodes (and may throw on): ECS, edns-tcp-keepalive, padding, key tag. */
const LIBRARY_OPTIONS = new Set([8, 11, 12, 14]);

function needsLibrary(bytes: Uint8Array, walked: Walked): boolean {
  if (walked.end < bytes.length) return true;
  if (walked.edns?.options.some((o) => LIBRARY_OPTIONS.has(o.code))) return true;
  return walked.sections.some((list) => list.some((raw) => raw.data === undefined));
}

function decodeWithLibrary(bytes: Uint8Array): DecodedPacket | string {
  try {
    return dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (e) {
    // Library messages may embed offsets; keep the kind bounded for counting.
    if (e instanceof RangeError) return 'dns-packet: read out of range';
    const text = e instanceof Error ? e.message : String(e);
    return `dns-packet: ${text.replace(/\d+/g, 'N').slice(0, 60)}`;
  }
}

interface Walked {
  questions: DnsQuestion[];
  sections: RawRecord[][];
  edns: DnsEdns | undefined;
  end: number;
  warnings: DnsProblem[];
}

function walk(msg: Uint8Array, opts: ParseOptions): Walked {
  if (msg.length < HEADER) throw new WireError('truncated header');
  const qd = u16(msg, 4, HEADER);
  const counts = [u16(msg, 6, HEADER), u16(msg, 8, HEADER), u16(msg, 10, HEADER)];
  const [an = 0, ns = 0, ar = 0] = counts;
  // Cheap reject of bogus counts before any per-record work.
  if (qd * MIN_QUESTION + (an + ns + ar) * MIN_RECORD > msg.length - HEADER) {
    throw new WireError('record counts exceed message size');
  }
  const classMask = opts.mdns ? 0x7fff : 0xffff;
  const questions: DnsQuestion[] = [];
  let off = HEADER;
  for (let i = 0; i < qd; i++) {
    const n = readName(msg, off, msg.length);
    const type = u16(msg, n.end, msg.length);
    const klass = u16(msg, n.end + 2, msg.length) & classMask;
    questions.push({ name: n.name, type: typeName(type), class: className(klass) });
    off = n.end + 4;
  }
  const warnings: DnsProblem[] = [];
  let edns: DnsEdns | undefined;
  const sections: RawRecord[][] = [];
  for (let s = 0; s < 3; s++) {
    const list: RawRecord[] = [];
    for (let i = 0; i < (counts[s] ?? 0); i++) {
      const n = readName(msg, off, msg.length);
      const typeCode = u16(msg, n.end, msg.length);
      const klass = u16(msg, n.end + 2, msg.length);
      const ttl = u32(msg, n.end + 4, msg.length);
      const rdLen = u16(msg, n.end + 8, msg.length);
      const rdStart = n.end + 10;
      const rdEnd = rdStart + rdLen;
      if (rdEnd > msg.length) throw new WireError('record data past end of message');
      if (typeCode === TYPE.OPT) {
        if (s !== 2 || n.name !== '.' || edns) throw new WireError('misplaced or repeated OPT record');
        edns = readEdns(msg, klass, ttl, rdStart, rdEnd);
      }
      // OPT is reported as `edns`, never as a record, so it needs no presentation form.
      const record: DnsRecord = { name: n.name, type: typeName(typeCode), class: typeCode === TYPE.OPT ? String(klass) : className(klass & classMask), ttl, data: '' };
      const raw: RawRecord = { record, rdStart, rdEnd, data: typeCode === TYPE.OPT ? '' : knownRdata(msg, typeCode, rdStart, rdEnd) };
      if (typeCode === TYPE.SVCB || typeCode === TYPE.HTTPS) {
        const svcb = parseSvcb(msg, rdStart, rdEnd);
        if (svcb) {
          record.svcb = { priority: svcb.priority, target: svcb.target, params: svcb.params };
          raw.data = svcb.data;
        } else {
          warnings.push('malformed SVCB/HTTPS rdata');
          raw.data = genericRdata(msg, rdStart, rdEnd);
        }
      }
      list.push(raw);
      off = rdEnd;
    }
    sections.push(list);
  }
  return { questions, sections, edns, end: off, warnings };
}

function readEdns(msg: Uint8Array, payloadSize: number, ttl: number, start: number, end: number): DnsEdns {
  const options: DnsEdns['options'] = [];
  let off = start;
  while (off < end) {
    const code = u16(msg, off, end);
    const len = u16(msg, off + 2, end);
    if (off + 4 + len > end) throw new WireError('EDNS option past end of OPT record');
    options.push({ code, name: ednsOptionName(code), hex: hex(msg, off + 4, off + 4 + len) });
    off += 4 + len;
  }
  return {
    udpPayloadSize: payloadSize,
    extendedRcode: ttl >>> 24,
    version: (ttl >>> 16) & 0xff,
    do: (ttl & 0x8000) !== 0,
    options,
  };
}

/** Requires `name` to end exactly at `end` (nothing after it, nothing missing). */
function nameAt(msg: Uint8Array, off: number, end: number): string {
  const n = readName(msg, off, end);
  if (n.end !== end) throw new WireError('record data length does not match its name');
  return n.name;
}

/**
 * Presentation form of the types decoded here (addresses and names, which must be
 * exact); undefined for the rest. Also validates the rdata of every type whose
 * dns-packet decoder follows names, so the library never walks an unchecked name.
 */
function knownRdata(msg: Uint8Array, type: number, start: number, end: number): string | undefined {
  const len = end - start;
  switch (type) {
    case TYPE.A:
      if (len !== 4) throw new WireError('A record data is not 4 octets');
      return formatIPv4(msg, start);
    case TYPE.AAAA:
      if (len !== 16) throw new WireError('AAAA record data is not 16 octets');
      return formatIPv6(msg, start);
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
    case TYPE.DNAME:
      return nameAt(msg, start, end);
    case TYPE.MX:
      return `${u16(msg, start, end)} ${nameAt(msg, start + 2, end)}`;
    case TYPE.SRV:
      return `${u16(msg, start, end)} ${u16(msg, start + 2, end)} ${u16(msg, start + 4, end)} ${nameAt(msg, start + 6, end)}`;
    case TYPE.SOA: {
      const mname = readName(msg, start, end);
      const rname = readName(msg, mname.end, end);
      if (rname.end + 20 !== end) throw new WireError('SOA record data length mismatch');
      const nums = [0, 4, 8, 12, 16].map((d) => u32(msg, rname.end + d, end));
      return [mname.name, rname.name, ...nums].join(' ');
    }
    case TYPE.RP: {
      const mbox = readName(msg, start, end);
      return `${mbox.name} ${nameAt(msg, mbox.end, end)}`;
    }
    case TYPE.RRSIG:
      readName(msg, start + 18, end);
      return undefined;
    case TYPE.NSEC:
      readName(msg, start, end);
      return undefined;
    case TYPE.NAPTR: {
      let off = start + 4;
      for (let i = 0; i < 3; i++) off += 1 + u8(msg, off, end);
      nameAt(msg, off, end);
      return undefined;
    }
    default:
      return undefined;
  }
}
