/**
 * Classic pcap (libpcap savefile) records: a 24-byte file header, then 16-byte record
 * headers each followed by caplen bytes. Hand-written because the library candidates
 * lacked nanosecond files and bounded lengths (see LIBRARIES.md); the record loop below
 * is the hot path of the whole tool, so it reads fields straight from a DataView and
 * allocates nothing but the record and its subarray.
 */
import { CaptureError, type InterfaceInfo } from './types.js';
import { MAX_CAPLEN, hex32, type PacketOutput, type RecordParser } from './record-parser.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const enum Swap {
  None,
  IfLarger,
  Always,
}
/** libpcap's LT_RESERVED1 bits; the FCS bits above them only describe the frames. */
const LINKTYPE_RESERVED = 0x03ff0000;

export class PcapParser implements RecordParser {
  need = FILE_HEADER;
  done = false;
  private headerRead = false;
  private linkType = 0;
  private snaplen = 0;
  /**
   * Before version 2.3 (and in DG/UX's 543.0) the caplen and len fields came in the other order;
   * 2.3 files may have either. Handled as libpcap and Wireshark do.
   */
  private swap = Swap.None;
  /** Absolute file offset of the next record, for messages. */
  private pos = 0;

  constructor(
    private readonly out: PacketOutput,
    private readonly le: boolean,
    private readonly nano: boolean,
  ) {
    out.summary.format = nano ? 'pcap-ns' : 'pcap';
    out.summary.byteOrder = le ? 'little' : 'big';
  }

  parse(buf: Uint8Array, off: number, end: number): number {
    if (!this.headerRead) {
      if (end - off < FILE_HEADER) {
        this.need = FILE_HEADER;
        return off;
      }
      this.readHeader(new DataView(buf.buffer, buf.byteOffset + off, FILE_HEADER));
      off += FILE_HEADER;
      this.pos += FILE_HEADER;
    }
    if (end - off < RECORD_HEADER) {
      this.need = RECORD_HEADER;
      return off;
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const { le, out } = this;
    const fracPerSec = this.nano ? 1_000_000_000 : 1_000_000;
    const nsPerFrac = this.nano ? 1 : 1000;
    while (true) {
      const avail = end - off;
      if (avail < RECORD_HEADER) {
        this.need = RECORD_HEADER;
        return off;
      }
      let caplen = dv.getUint32(off + 8, le);
      let origLen = dv.getUint32(off + 12, le);
      if (this.swap !== Swap.None && (this.swap === Swap.Always || caplen > origLen)) {
        const t = caplen;
        caplen = origLen;
        origLen = t;
      }
      if (caplen > MAX_CAPLEN) {
        // Never allocate or wait for this: the record header is garbage and so is everything after it.
        this.stop(
          `corrupt pcap record for packet ${out.frames + 1} at byte ${this.pos}: captured length ${caplen} exceeds ${MAX_CAPLEN}; stopped reading`,
        );
        return off;
      }
      const total = RECORD_HEADER + caplen;
      if (avail < total) {
        this.need = total;
        return off;
      }
      let tsSec = dv.getUint32(off, le);
      let frac = dv.getUint32(off + 4, le);
      if (frac >= fracPerSec) {
        out.summary.problems.add('pcap: sub-second timestamp out of range');
        tsSec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      if (caplen > this.snaplen && this.snaplen !== 0) out.summary.problems.add('pcap: captured length above snaplen');
      if (caplen > origLen) out.summary.problems.add('pcap: captured length above original length');
      out.emit(this.linkType, 0, tsSec, frac * nsPerFrac, origLen, buf.subarray(off + RECORD_HEADER, off + total), undefined);
      off += total;
      this.pos += total;
    }
  }

  describePartial(_buf: Uint8Array, have: number): string {
    if (!this.headerRead) return `capture ends inside the pcap file header (${have} of ${FILE_HEADER} bytes)`;
    const n = this.out.frames + 1;
    if (have < RECORD_HEADER) return `capture ends inside packet ${n}'s record header (${have} of ${RECORD_HEADER} bytes)`;
    return `capture ends inside packet ${n}'s record (${have} of ${this.need} bytes)`;
  }

  private readHeader(dv: DataView): void {
    const le = this.le;
    const major = dv.getUint16(4, le);
    const minor = dv.getUint16(6, le);
    const s = this.out.summary;
    s.version = `${major}.${minor}`;
    if (major < 2) throw new CaptureError('unsupported', `unsupported pcap version ${major}.${minor}`);
    this.swap = major === 543 || (major === 2 && minor < 3) ? Swap.Always : major === 2 && minor === 3 ? Swap.IfLarger : Swap.None;
    this.snaplen = dv.getUint32(16, le);
    const field = dv.getUint32(20, le);
    if ((field & LINKTYPE_RESERVED) !== 0) {
      // libpcap and Wireshark refuse such a file; the link type itself is still in the low 16 bits.
      s.problems.add(`pcap: reserved bits set in the link-type field (${hex32(field & LINKTYPE_RESERVED)})`);
    }
    this.linkType = field & 0xffff;
    this.headerRead = true;
    s.sections = 1;
    const iface: InterfaceInfo = {
      section: 0,
      id: 0,
      linkType: this.linkType,
      snaplen: this.snaplen,
      tsUnitsPerSec: this.nano ? 1_000_000_000 : 1_000_000,
      tsOffsetSec: 0,
    };
    s.interfaces.push(iface);
  }

  private stop(message: string): void {
    this.out.summary.truncated = message;
    this.done = true;
  }
}
