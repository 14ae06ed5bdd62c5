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

/**
 * Latest capture time accepted: 9999-12-31T23:59:59Z. Every renderer formats dates as
 * ISO-8601 (four-digit years), and JavaScript's Date ends at 8.64e15 ms: a pcapng with
 * if_tsresol 0 and an ordinary nanosecond count reaches ~1.7e18 s.
 */
export const MAX_TS_SEC = 253402300799;

/**
 * Numbers frames and hands packets to the sink. Every timestamp is range-checked here
 * (0 ≤ t ≤ MAX_TS_SEC): a packet with no usable time (out of range, or a pcapng Simple
 * Packet Block, which has no timestamp field) gets the previous packet's time and
 * `timeUnknown`, and is counted. Inheriting keeps the capture clock monotonic for flow
 * timeouts and never invents 1970, which would make a certificate look not yet valid;
 * before any timed packet the time is 0 with `timeUnknown` set.
 */
export class PacketOutput {
  /** Frame numbers used so far (can exceed summary.packets when a record takes a number without being a packet). */
  frames = 0;
  private lastSec = 0;
  private lastNsec = 0;

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
    let timeUnknown = false;
    if (tsSec >= 0 && tsSec <= MAX_TS_SEC) {
      this.lastSec = tsSec;
      this.lastNsec = tsNsec;
    } else {
      // Also catches NaN (every comparison false).
      s.problems.add('timestamp out of range (previous packet\'s time used)');
      timeUnknown = true;
    }
    this.deliver(linkType, interfaceId, timeUnknown, origLen, data, comments);
  }

  /** A packet recorded without a timestamp (pcapng SPB): the previous packet's time, marked unknown. */
  emitUntimed(linkType: number, interfaceId: number, origLen: number, data: Uint8Array): void {
    this.summary.problems.add('pcapng: simple packet block has no timestamp (previous packet\'s time used)');
    this.deliver(linkType, interfaceId, true, origLen, data, undefined);
  }

  private deliver(
    linkType: number,
    interfaceId: number,
    timeUnknown: boolean,
    origLen: number,
    data: Uint8Array,
    comments: string[] | undefined,
  ): void {
    const s = this.summary;
    s.packets++;
    s.capturedBytes += data.length;
    s.wireBytes += origLen;
    const frame = ++this.frames;
    const tsSec = this.lastSec;
    const tsNsec = this.lastNsec;
    // The flag only exists on untimed records, so the common record keeps its shape.
    this.sink.packet(
      timeUnknown
        ? { frame, tsSec, tsNsec, timeUnknown, linkType, interfaceId, origLen, data, comments }
        : { frame, tsSec, tsNsec, linkType, interfaceId, origLen, data, comments },
    );
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
