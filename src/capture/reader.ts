/**
 * CaptureReader: push chunks of a pcap or pcapng file in, get packet records out
 * synchronously. Its one job is chunk handling: records may straddle chunks at any byte,
 * so the bytes of an incomplete record are carried over — only that record's bytes, each
 * copied at most once, never the whole buffer — while complete records are parsed in
 * place and handed out as zero-copy subarrays. The formats themselves live in pcap.ts and
 * pcapng.ts.
 */
import { CaptureError, type CaptureSink, type ReaderSummary } from './types.js';
import { PacketOutput, newSummary, type RecordParser } from './record-parser.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';

/** A carry buffer above this size is released once emptied rather than kept for reuse. */
const KEEP_CARRY = 1024 * 1024;
const MIN_CARRY = 64 * 1024;

export class CaptureReader {
  readonly summary: ReaderSummary = newSummary();
  private readonly out: PacketOutput;
  private parser: RecordParser | undefined;
  /** Bytes of the incomplete record at the end of the previous chunk(s). */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** Bytes the current record needs in total (only meaningful while carryLen > 0). */
  private need = 4;
  private failure: CaptureError | undefined;
  private ended = false;

  constructor(private readonly sink: CaptureSink) {
    this.out = new PacketOutput(sink, this.summary);
  }

  /** True once a corrupt record stopped reading: further input is ignored, so a source may stop reading. */
  get stopped(): boolean {
    return this.parser?.done ?? false;
  }

  /**
   * Parses the chunk, calling the sink for each complete packet. The chunk is only
   * referenced during the call. Throws CaptureError when the input is not a supported capture.
   */
  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.ended) return;
    this.summary.fileBytes += chunk.length;
    if (this.stopped) return;
    try {
      let off = 0;
      if (this.carryLen > 0) {
        off = this.fillCarry(chunk);
        if (off < 0) return;
      }
      off = this.run(chunk, off, chunk.length);
      if (!this.stopped && off < chunk.length) {
        const rest = chunk.length - off;
        this.reserveCarry(Math.max(this.need, rest), 0);
        this.carry.set(chunk.subarray(off), 0);
        this.carryLen = rest;
      }
    } catch (e) {
      if (e instanceof CaptureError) this.failure = e;
      throw e;
    }
  }

  /** Marks the end of input: an incomplete last record sets summary.truncated. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.ended) return;
    this.ended = true;
    const n = this.summary.fileBytes;
    if (n === 0) this.fail('not-a-capture', 'empty file');
    if (this.parser === undefined) this.fail('not-a-capture', `too short to be a pcap or pcapng file (${n} byte${n === 1 ? '' : 's'})`);
    if (this.stopped || this.carryLen === 0) return;
    this.summary.truncated = this.parser.describePartial(this.carry, this.carryLen);
    this.releaseCarry();
  }

  /**
   * Completes the carried record from the start of the chunk. Returns the chunk offset
   * where direct parsing continues, or -1 when the chunk was used up (or reading stopped).
   */
  private fillCarry(chunk: Uint8Array): number {
    let off = 0;
    while (true) {
      const take = Math.min(this.need - this.carryLen, chunk.length - off);
      this.reserveCarry(this.need, this.carryLen);
      this.carry.set(chunk.subarray(off, off + take), this.carryLen);
      this.carryLen += take;
      off += take;
      if (this.carryLen < this.need) return -1;
      const used = this.run(this.carry, 0, this.carryLen);
      if (this.stopped) {
        this.releaseCarry();
        return -1;
      }
      if (used === this.carryLen) {
        this.releaseCarry();
        return off;
      }
      // Only part of the carried bytes formed a unit (e.g. a file header); keep the rest.
      this.carry.copyWithin(0, used, this.carryLen);
      this.carryLen -= used;
    }
  }

  private run(buf: Uint8Array, off: number, end: number): number {
    if (this.parser === undefined) {
      if (end - off < 4) {
        this.need = 4;
        return off;
      }
      this.parser = this.sniff(buf, off);
    }
    const next = this.parser.parse(buf, off, end);
    this.need = this.parser.need;
    return next;
  }

  private sniff(buf: Uint8Array, off: number): RecordParser {
    const magic = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
    switch (magic) {
      case 0xa1b2c3d4:
        return new PcapParser(this.out, false, false);
      case 0xd4c3b2a1:
        return new PcapParser(this.out, true, false);
      case 0xa1b23c4d:
        return new PcapParser(this.out, false, true);
      case 0x4d3cb2a1:
        return new PcapParser(this.out, true, true);
      case 0x0a0d0d0a:
        this.sink.mayCarrySecrets?.();
        return new PcapngParser(this.out);
    }
    const bytes = Array.from(buf.subarray(off, off + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const hint = buf[off] === 0x1f && buf[off + 1] === 0x8b ? ': gzip data, decompress it first' : '';
    return this.fail('not-a-capture', `not a pcap or pcapng file (starts with ${bytes}${hint})`);
  }

  /** Ensures carry capacity for n bytes, preserving the first `keep` bytes. */
  private reserveCarry(n: number, keep: number): void {
    if (this.carry.length >= n) return;
    const next = new Uint8Array(Math.max(n, MIN_CARRY));
    if (keep > 0) next.set(this.carry.subarray(0, keep), 0);
    this.carry = next;
  }

  private releaseCarry(): void {
    this.carryLen = 0;
    if (this.carry.length > KEEP_CARRY) this.carry = new Uint8Array(0);
  }

  private fail(code: 'not-a-capture' | 'unsupported', message: string): never {
    this.failure = new CaptureError(code, message);
    throw this.failure;
  }
}
