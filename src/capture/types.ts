/**
 * Contracts of the capture stage: what a record reader hands to the decoder.
 * Readers are push-based (feed chunks, get synchronous callbacks) so that the
 * byte source is only read further once analysis has consumed the current chunk:
 * that is the backpressure, and it keeps memory bounded by the chunk size.
 */
import type { Counter } from '../util/counter.js';

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface PacketRecord {
  /** 1-based frame number in the file across all pcapng sections (Wireshark's frame.number). */
  frame: number;
  /** Capture time, exact: whole seconds since the Unix epoch and nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
  /**
   * The record had no usable time (pcapng Simple Packet Block, or a timestamp outside
   * 1970…9999): tsSec/tsNsec are the previous packet's time (0 before any), never a real reading.
   */
  timeUnknown?: boolean;
  /** LINKTYPE_* of the interface the packet was captured on. */
  linkType: number;
  /** pcapng interface id within its section (0 for classic pcap). */
  interfaceId: number;
  /** Length on the wire; data.length is the captured length (can be smaller). */
  origLen: number;
  /** Captured bytes: a view into the reader's buffer, valid only during the callback. Copy to keep. */
  data: Uint8Array;
  /** pcapng opt_comment values of this packet, when present. */
  comments?: string[];
}

export interface InterfaceInfo {
  /** Section index (0-based) and interface id within that section. */
  section: number;
  id: number;
  linkType: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** Timestamp units per second (if_tsresol), 1e6 by default. */
  tsUnitsPerSec: number;
  /** if_tsoffset in seconds. */
  tsOffsetSec: number;
}

/** A pcapng Decryption Secrets Block (e.g. a TLS key log, type 0x544c534b). */
export interface DecryptionSecrets {
  secretsType: number;
  /** The secrets (a copy: it stays valid after the callback). */
  data: Uint8Array;
  /** Frame numbers used before the block: it applies from frame afterFrame + 1 on. */
  afterFrame: number;
}

export interface CaptureSink {
  packet(rec: PacketRecord): void;
  /**
   * A Decryption Secrets Block, delivered at its position in the file: after every packet
   * before it and before every packet after it. Tools that capture keys as they are made
   * (ptcpdump) write a connection's keys after its first packets, so a consumer must be
   * able to use them from here on, not only once the file has been read.
   */
  secrets?(block: DecryptionSecrets): void;
  /**
   * The file is pcapng, which can carry Decryption Secrets Blocks anywhere — including
   * after the packets they decrypt (ptcpdump writes them after each ServerHello): a
   * consumer that would otherwise skip encrypted records must hold them from the start.
   */
  mayCarrySecrets?(): void;
}

export interface ReaderSummary {
  /** Undefined until the header has been read. */
  format: CaptureFormat | undefined;
  /** The bytes were gzip-compressed (detected by magic). */
  gzip: boolean;
  /** 'little' | 'big' endian of the (first) section header. */
  byteOrder: 'little' | 'big' | undefined;
  /** pcap: version from the header; pcapng: version of the first SHB. */
  version: string | undefined;
  /** Number of pcapng sections (1 for classic pcap). */
  sections: number;
  interfaces: InterfaceInfo[];
  packets: number;
  /** Sum of captured lengths. */
  capturedBytes: number;
  /** Sum of original (wire) lengths. */
  wireBytes: number;
  /** Bytes of input consumed (after gunzip). */
  fileBytes: number;
  secrets: DecryptionSecrets[];
  /** Section/file comments (pcapng shb_comment). */
  comments: string[];
  /** Record-level problems counted by kind ("pcapng: unknown block type 0x00000bad"). */
  problems: Counter;
  /**
   * Set when the input ended inside a record or a corrupt record made the rest unreadable:
   * the results so far are valid, the rest of the file is not.
   */
  truncated: string | undefined;
}

export type CaptureErrorCode = 'not-found' | 'unreadable' | 'not-a-capture' | 'unsupported';

/** A fatal problem with the input as a whole (as opposed to a bad record, which is counted). */
export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}
