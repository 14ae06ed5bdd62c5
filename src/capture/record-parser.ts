/**
 * What the pcap and pcapng parsers share: the interface the chunking reader drives, and
 * the output side (frame numbering, summary totals, the sink call). Keeping the chunk
 * handling out of the parsers lets them assume every record they look at is contiguous.
 */
import type { CaptureSink, DecryptionSecrets, ReaderSummary } from './types.js';
import { Counter } from '../util/counter.js';

/** Largest captured length accepted in a record (Wireshark's and libpcap's default maximum). */
export const MAX_CAPLEN = 262144;

/**
 * A format parser over contiguous bytes. `parse` consumes whole records from buf[off, end)
 * and returns the offset after the last one; when it stops for lack of bytes it sets
 * `need` to the number of bytes the next record needs from that offset (always more than
 * were available, so the caller makes progress by supplying them).
 */
export interface RecordParser {
  need: number;
  /** Set once a corrupt record stopped reading for good (summary.truncated says why). */
  readonly done: boolean;
  parse(buf: Uint8Array, off: number, end: number): number;
  /** Message for summary.truncated when the input ends with `have` bytes of an incomplete record. */
  describePartial(buf: Uint8Array, have: number): string;
}

export function newSummary(): ReaderSummary {
  return {
    format: undefined,
    gzip: false,
    byteOrder: undefined,
    version: undefined,
    sections: 0,
    interfaces: [],
    packets: 0,
    capturedBytes: 0,
    wireBytes: 0,
    fileBytes: 0,
    secrets: [],
    comments: [],
    problems: new Counter(),
    truncated: undefined,
  };
}

/** Numbers frames and hands packets to the sink. */
export class PacketOutput {
  /** Frame numbers used so far (can exceed summary.packets when a record takes a number without being a packet). */
  frames = 0;

  constructor(
    private readonly sink: CaptureSink,
    readonly summary: ReaderSummary,
  ) {}

  emit(
    linkType: number,
    interfaceId: number,
    tsSec: number,
    tsNsec: number,
    origLen: number,
    data: Uint8Array,
    comments: string[] | undefined,
  ): void {
    const s = this.summary;
    s.packets++;
    s.capturedBytes += data.length;
    s.wireBytes += origLen;
    this.sink.packet({ frame: ++this.frames, tsSec, tsNsec, linkType, interfaceId, origLen, data, comments });
  }

  /** A decryption secrets block (its data already copied), kept in the summary and handed to the sink in file order. */
  secrets(secretsType: number, data: Uint8Array): void {
    const block: DecryptionSecrets = { secretsType, data, afterFrame: this.frames };
    this.summary.secrets.push(block);
    this.sink.secrets?.(block);
  }
}

export function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
