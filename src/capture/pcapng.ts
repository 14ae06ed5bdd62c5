/**
 * pcapng blocks (draft-ietf-opsawg-pcapng): sections (SHB, either byte order), interfaces
 * (IDB with if_name/if_description/if_tsresol/if_tsoffset), packets (EPB, SPB, obsolete
 * OPB) and decryption secrets (DSB, handed to the sink where they occur); everything else is skipped by its length. Hand-written
 * because pcap-ng-parser throws on files editcap writes (LIBRARIES.md) and because every
 * length here is untrusted: block lengths are checked against a cap before any byte is
 * buffered, options never read past their block, and a block whose framing is broken stops
 * reading (the rest of the file cannot be located) while a bad block body is only counted.
 */
import { CaptureError, type InterfaceInfo } from './types.js';
import { MAX_CAPLEN, hex32, type PacketOutput, type RecordParser } from './record-parser.js';
import { TsConverter, type SecNsec } from './timestamp.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const OPB = 0x00000002;
const SPB = 0x00000003;
const NRB = 0x00000004;
const ISB = 0x00000005;
const EPB = 0x00000006;
const JOURNAL = 0x00000009;
const DSB = 0x0000000a;
const CUSTOM = 0x00000bad;
const CUSTOM_NOCOPY = 0x40000bad;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Largest block accepted (Wireshark's limit for non-packet blocks); a larger length means corruption. */
export const MAX_BLOCK = 16 * 1024 * 1024;
/** Caps that keep memory bounded by configuration rather than by the file. */
const MAX_INTERFACES_PER_SECTION = 65536;
const MAX_INTERFACES_LISTED = 4096;
const MAX_SECRETS_BYTES = 16 * 1024 * 1024;
const MAX_COMMENTS = 256;
const MAX_UNKNOWN_KINDS = 16;

const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

const utf8 = new TextDecoder('utf-8');

interface Iface {
  linkType: number;
  snaplen: number;
  ts: TsConverter;
}

export class PcapngParser implements RecordParser {
  need = 12;
  done = false;
  private le = true;
  private section = -1;
  private ifaces: Iface[] = [];
  /** Absolute file offset of the next block, for messages. */
  private pos = 0;
  private secretsBytes = 0;
  private readonly unknownKinds = new Set<number>();
  private readonly ts: SecNsec = { sec: 0, nsec: 0 };

  constructor(private readonly out: PacketOutput) {
    out.summary.format = 'pcapng';
  }

  parse(buf: Uint8Array, off: number, end: number): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (true) {
      const avail = end - off;
      if (avail < 8) {
        this.need = this.section < 0 ? 12 : 8;
        return off;
      }
      let type = dv.getUint32(off, this.le);
      if (type === SHB) {
        // The section header carries its own byte order: read it before the length.
        if (avail < 12) {
          this.need = 12;
          return off;
        }
        const bom = dv.getUint32(off + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else if (this.section < 0) throw new CaptureError('not-a-capture', 'not a pcapng file (bad byte-order magic in the section header)');
        else return this.stop(`corrupt pcapng section header at byte ${this.pos}: bad byte-order magic; stopped reading`, off);
      }
      type = dv.getUint32(off, this.le);
      const total = dv.getUint32(off + 4, this.le);
      const min = type === SHB ? 28 : 12;
      if (total < min || total % 4 !== 0 || total > MAX_BLOCK) {
        const why = total > MAX_BLOCK ? `exceeds ${MAX_BLOCK}` : total < min ? `is below ${min}` : 'is not a multiple of 4';
        return this.stop(`corrupt pcapng block at byte ${this.pos}: total length ${total} ${why}; stopped reading`, off);
      }
      if (avail < total) {
        this.need = total;
        return off;
      }
      const trailer = dv.getUint32(off + total - 4, this.le);
      if (trailer !== total) {
        return this.stop(
          `corrupt pcapng block at byte ${this.pos}: trailing length ${trailer} differs from leading length ${total}; stopped reading`,
          off,
        );
      }
      switch (type) {
        case EPB:
        case OPB:
          this.packetBlock(buf, dv, off, total, type === OPB);
          break;
        case SPB:
          this.simplePacket(buf, dv, off, total);
          break;
        case IDB:
          this.interfaceBlock(buf, dv, off, total);
          break;
        case SHB:
          this.sectionHeader(buf, dv, off, total);
          if (this.done) return off;
          break;
        case DSB:
          this.secretsBlock(buf, dv, off, total);
          break;
        case JOURNAL:
          // Wireshark shows systemd journal entries as frames: keep frame numbers aligned with it.
          this.out.frames++;
          this.out.summary.problems.add('pcapng: systemd journal export block skipped');
          break;
        case NRB:
        case ISB:
        case CUSTOM:
        case CUSTOM_NOCOPY:
          break;
        default:
          this.unknownBlock(type);
      }
      off += total;
      this.pos += total;
    }
  }

  describePartial(buf: Uint8Array, have: number): string {
    if (have < 8) return `capture ends inside a pcapng block header (${have} of at least 8 bytes)`;
    const type = new DataView(buf.buffer, buf.byteOffset, have).getUint32(0, this.le);
    if (type === EPB || type === OPB || type === SPB) {
      return `capture ends inside packet ${this.out.frames + 1}'s block (${have} of ${this.need} bytes)`;
    }
    return `capture ends inside a pcapng block of type ${hex32(type)} (${have} of ${this.need} bytes)`;
  }

  private packetBlock(buf: Uint8Array, dv: DataView, off: number, total: number, obsolete: boolean): void {
    const problems = this.out.summary.problems;
    if (total < 32) {
      problems.add('pcapng: packet block too short');
      return;
    }
    const le = this.le;
    const id = obsolete ? dv.getUint16(off + 8, le) : dv.getUint32(off + 8, le);
    const iface = this.ifaces[id];
    if (iface === undefined) {
      problems.add('pcapng: packet on an undefined interface');
      return;
    }
    const caplen = dv.getUint32(off + 20, le);
    const origLen = dv.getUint32(off + 24, le);
    const dataEnd = off + 28 + caplen;
    const bodyEnd = off + total - 4;
    if (caplen > total - 32) {
      problems.add('pcapng: packet length exceeds its block');
      return;
    }
    if (caplen > MAX_CAPLEN) problems.add(`pcapng: captured length above ${MAX_CAPLEN}`);
    if (caplen > iface.snaplen && iface.snaplen !== 0) problems.add('pcapng: captured length above snaplen');
    const ts = this.ts;
    iface.ts.convert(dv.getUint32(off + 12, le), dv.getUint32(off + 16, le), ts);
    // Options start after the data padded to 4 bytes; most packets have none.
    const optStart = dataEnd + ((4 - (caplen & 3)) & 3);
    const comments = optStart < bodyEnd ? this.packetComments(buf, dv, optStart, bodyEnd) : undefined;
    this.out.emit(iface.linkType, id, ts.sec, ts.nsec, origLen, buf.subarray(off + 28, dataEnd), comments);
  }

  private simplePacket(buf: Uint8Array, dv: DataView, off: number, total: number): void {
    const iface = this.ifaces[0];
    if (total < 16) {
      this.out.summary.problems.add('pcapng: packet block too short');
      return;
    }
    if (iface === undefined) {
      this.out.summary.problems.add('pcapng: packet on an undefined interface');
      return;
    }
    const origLen = dv.getUint32(off + 8, this.le);
    let caplen = Math.min(origLen, total - 16);
    if (iface.snaplen !== 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    // A simple packet block has no timestamp.
    this.out.emitUntimed(iface.linkType, 0, origLen, buf.subarray(off + 12, off + 12 + caplen));
  }

  private sectionHeader(buf: Uint8Array, dv: DataView, off: number, total: number): void {
    const s = this.out.summary;
    const major = dv.getUint16(off + 12, this.le);
    const minor = dv.getUint16(off + 14, this.le);
    if (major !== 1 || minor > 2) {
      const what = `unsupported pcapng version ${major}.${minor}`;
      if (this.section < 0) {
        s.version = `${major}.${minor}`;
        throw new CaptureError('unsupported', what);
      }
      this.stop(`pcapng section ${this.section + 2} at byte ${this.pos} has ${what}; stopped reading`, off);
      return;
    }
    this.section++;
    this.ifaces = [];
    s.sections++;
    if (this.section === 0) {
      s.version = `${major}.${minor}`;
      s.byteOrder = this.le ? 'little' : 'big';
    }
    this.options(dv, off + 24, off + total - 4, 'section header', (code, at, len) => {
      if (code === OPT_COMMENT) {
        if (s.comments.length < MAX_COMMENTS) s.comments.push(utf8.decode(buf.subarray(at, at + len)));
        else s.problems.add('pcapng: too many section comments (rest dropped)');
      }
    });
  }

  private interfaceBlock(buf: Uint8Array, dv: DataView, off: number, total: number): void {
    const s = this.out.summary;
    if (total < 20) {
      s.problems.add('pcapng: interface block too short');
      return;
    }
    if (this.ifaces.length >= MAX_INTERFACES_PER_SECTION) {
      s.problems.add('pcapng: too many interfaces in a section (rest ignored)');
      return;
    }
    const le = this.le;
    const linkType = dv.getUint16(off + 8, le);
    const snaplen = dv.getUint32(off + 12, le);
    let name: string | undefined;
    let description: string | undefined;
    let tsresol: number | undefined;
    let offsetSec = 0;
    this.options(dv, off + 16, off + total - 4, 'interface', (code, at, len) => {
      if (code === IF_NAME) name = utf8.decode(buf.subarray(at, at + len));
      else if (code === IF_DESCRIPTION) description = utf8.decode(buf.subarray(at, at + len));
      else if (code === IF_TSRESOL && len >= 1) tsresol = buf[at];
      else if (code === IF_TSOFFSET && len >= 8) {
        const lo = dv.getUint32(at + (le ? 0 : 4), le);
        const hi = dv.getInt32(at + (le ? 4 : 0), le);
        offsetSec = hi * 4294967296 + lo;
      }
    });
    const ts = new TsConverter(tsresol, offsetSec);
    const id = this.ifaces.length;
    this.ifaces.push({ linkType, snaplen, ts });
    if (s.interfaces.length < MAX_INTERFACES_LISTED) {
      const info: InterfaceInfo = { section: this.section, id, linkType, snaplen, tsUnitsPerSec: ts.unitsPerSec, tsOffsetSec: offsetSec };
      if (name !== undefined) info.name = name;
      if (description !== undefined) info.description = description;
      s.interfaces.push(info);
    } else {
      s.problems.add('pcapng: interface list full (interface not listed)');
    }
  }

  private secretsBlock(buf: Uint8Array, dv: DataView, off: number, total: number): void {
    const s = this.out.summary;
    if (total < 20) {
      s.problems.add('pcapng: decryption secrets block too short');
      return;
    }
    const secretsType = dv.getUint32(off + 8, this.le);
    const len = dv.getUint32(off + 12, this.le);
    if (len > total - 20) {
      s.problems.add('pcapng: decryption secrets length exceeds its block');
      return;
    }
    if (this.secretsBytes + len > MAX_SECRETS_BYTES) {
      s.problems.add('pcapng: decryption secrets dropped (size cap reached)');
      return;
    }
    this.secretsBytes += len;
    // Copied: the block lives in a chunk buffer that is reused after this call.
    this.out.secrets(secretsType, buf.slice(off + 16, off + 16 + len));
  }

  private unknownBlock(type: number): void {
    // Each distinct type is a counter key: bound how many distinct keys a hostile file can create.
    if (this.unknownKinds.has(type) || this.unknownKinds.size < MAX_UNKNOWN_KINDS) {
      this.unknownKinds.add(type);
      this.out.summary.problems.add(`pcapng: unknown block type ${hex32(type)}`);
    } else {
      this.out.summary.problems.add('pcapng: unknown block type (other)');
    }
  }

  /** Packet options: only opt_comment matters here. Kept allocation-free when there is no comment. */
  private packetComments(buf: Uint8Array, dv: DataView, at: number, end: number): string[] | undefined {
    let comments: string[] | undefined;
    while (end - at >= 4) {
      const code = dv.getUint16(at, this.le);
      const len = dv.getUint16(at + 2, this.le);
      if (code === OPT_END) break;
      const next = at + 4 + len + ((4 - (len & 3)) & 3);
      if (at + 4 + len > end) {
        this.out.summary.problems.add('pcapng: packet option overruns its block');
        break;
      }
      if (code === OPT_COMMENT) (comments ??= []).push(utf8.decode(buf.subarray(at + 4, at + 4 + len)));
      at = next;
    }
    return comments;
  }

  /** Walks the options of a non-packet block, bounded by its end; an overrun is counted and ends the walk. */
  private options(
    dv: DataView,
    at: number,
    end: number,
    what: string,
    visit: (code: number, valueAt: number, len: number) => void,
  ): void {
    while (end - at >= 4) {
      const code = dv.getUint16(at, this.le);
      const len = dv.getUint16(at + 2, this.le);
      if (code === OPT_END) return;
      if (at + 4 + len > end) {
        this.out.summary.problems.add(`pcapng: ${what} option overruns its block`);
        return;
      }
      visit(code, at + 4, len);
      at += 4 + len + ((4 - (len & 3)) & 3);
    }
  }

  private stop(message: string, off: number): number {
    this.out.summary.truncated = message;
    this.done = true;
    return off;
  }
}
