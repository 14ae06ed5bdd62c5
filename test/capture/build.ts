/**
 * Builds pcap and pcapng files in code for the capture tests, so each format feature
 * (byte order, resolution, options, block kinds, damage) is exercised by bytes whose
 * meaning the test states explicitly.
 */
import { CaptureReader } from '../../src/capture/reader.js';
import type { PacketRecord, ReaderSummary } from '../../src/capture/types.js';
import { concat } from '../bytes.js';

export interface PcapOptions {
  le?: boolean;
  nano?: boolean;
  major?: number;
  minor?: number;
  snaplen?: number;
  /** Raw link-type field (may carry FCS/reserved bits). */
  linkField?: number;
}

export interface PcapRecord {
  sec: number;
  frac: number;
  data: Uint8Array;
  origLen?: number;
  /** Overrides the caplen field (the data written stays `data`). */
  caplen?: number;
}

export function pcapHeader(o: PcapOptions = {}): Uint8Array {
  const le = o.le ?? true;
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, o.major ?? 2, le);
  dv.setUint16(6, o.minor ?? 4, le);
  dv.setUint32(16, o.snaplen ?? 65535, le);
  dv.setUint32(20, o.linkField ?? 1, le);
  return b;
}

export function pcapRecord(r: PcapRecord, le = true): Uint8Array {
  const b = new Uint8Array(16 + r.data.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, r.sec, le);
  dv.setUint32(4, r.frac, le);
  dv.setUint32(8, r.caplen ?? r.data.length, le);
  dv.setUint32(12, r.origLen ?? r.data.length, le);
  b.set(r.data, 16);
  return b;
}

export function pcapFile(o: PcapOptions, records: PcapRecord[]): Uint8Array {
  return concat(pcapHeader(o), ...records.map((r) => pcapRecord(r, o.le ?? true)));
}

export function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

export interface Option {
  code: number;
  value: Uint8Array;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** pcapng writer; each section has its own byte order. */
export class Pcapng {
  private readonly parts: Uint8Array[] = [];
  private le = true;

  shb(o: { le?: boolean; major?: number; minor?: number; options?: Option[] } = {}): this {
    this.le = o.le ?? true;
    const body = new Uint8Array(16);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, 0x1a2b3c4d, this.le);
    dv.setUint16(4, o.major ?? 1, this.le);
    dv.setUint16(6, o.minor ?? 0, this.le);
    dv.setInt32(8, -1, this.le);
    dv.setInt32(12, -1, this.le);
    return this.block(0x0a0d0d0a, concat(body, this.options(o.options)));
  }

  idb(o: { linkType?: number; snaplen?: number; options?: Option[] } = {}): this {
    const body = new Uint8Array(8);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, o.linkType ?? 1, this.le);
    dv.setUint32(4, o.snaplen ?? 262144, this.le);
    return this.block(1, concat(body, this.options(o.options)));
  }

  /** Enhanced (or, with obsolete, the old type-2) packet block; ts is the 64-bit timestamp in interface units. */
  epb(o: { iface?: number; ts: bigint; data: Uint8Array; origLen?: number; caplen?: number; options?: Option[]; obsolete?: boolean }): this {
    const body = new Uint8Array(20);
    const dv = new DataView(body.buffer);
    if (o.obsolete) dv.setUint16(0, o.iface ?? 0, this.le);
    else dv.setUint32(0, o.iface ?? 0, this.le);
    dv.setUint32(4, Number(o.ts >> 32n), this.le);
    dv.setUint32(8, Number(o.ts & 0xffffffffn), this.le);
    dv.setUint32(12, o.caplen ?? o.data.length, this.le);
    dv.setUint32(16, o.origLen ?? o.data.length, this.le);
    return this.block(o.obsolete ? 2 : 6, concat(body, pad(o.data), this.options(o.options)));
  }

  spb(o: { origLen: number; data: Uint8Array }): this {
    const body = new Uint8Array(4);
    new DataView(body.buffer).setUint32(0, o.origLen, this.le);
    return this.block(3, concat(body, pad(o.data)));
  }

  dsb(secretsType: number, data: Uint8Array): this {
    const body = new Uint8Array(8);
    const dv = new DataView(body.buffer);
    dv.setUint32(0, secretsType, this.le);
    dv.setUint32(4, data.length, this.le);
    return this.block(10, concat(body, pad(data)));
  }

  /** Any block; trailer overrides the trailing length field. */
  block(type: number, body: Uint8Array, trailer?: number): this {
    const total = 12 + body.length;
    const b = new Uint8Array(total);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, type, this.le);
    dv.setUint32(4, total, this.le);
    b.set(body, 8);
    dv.setUint32(total - 4, trailer ?? total, this.le);
    this.parts.push(b);
    return this;
  }

  raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  u32(v: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, this.le);
    return b;
  }

  u64(v: bigint): Uint8Array {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, v, this.le);
    return b;
  }

  bytes(): Uint8Array {
    return concat(...this.parts);
  }

  private options(opts: Option[] | undefined): Uint8Array {
    if (!opts || opts.length === 0) return new Uint8Array(0);
    const parts = opts.map((o) => {
      const h = new Uint8Array(4);
      const dv = new DataView(h.buffer);
      dv.setUint16(0, o.code, this.le);
      dv.setUint16(2, o.value.length, this.le);
      return concat(h, pad(o.value));
    });
    return concat(...parts, new Uint8Array(4));
  }
}

function pad(b: Uint8Array): Uint8Array {
  const n = (4 - (b.length & 3)) & 3;
  return n === 0 ? b : concat(b, new Uint8Array(n));
}

/** A record as plain data (data copied to a number array) so results can be compared. */
export interface PlainRecord extends Omit<PacketRecord, 'data'> {
  data: number[];
}

export interface ReadResult {
  records: PlainRecord[];
  summary: ReaderSummary;
}

/** Feeds the bytes in the given chunk sizes (cycled) and ends the input. */
export function readBytes(input: Uint8Array, chunkSizes: number[] = [input.length || 1]): ReadResult {
  const records: PlainRecord[] = [];
  const reader = new CaptureReader({
    packet(r) {
      records.push({ ...r, data: Array.from(r.data) });
    },
  });
  let off = 0;
  let i = 0;
  while (off < input.length) {
    const n = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    reader.feed(input.subarray(off, off + n));
    off += n;
  }
  reader.end();
  return { records, summary: reader.summary };
}
