/**
 * The decode stage: one PacketRecord in, at most one DecodedPacket out. Chains the link,
 * IP (with fragment reassembly) and transport parsers, which write into scratch objects
 * owned here so the per-packet cost is the output object and the address strings.
 * Never throws on packet bytes: whatever is not a complete IP packet is counted by kind
 * in `problems` (malformed) or `unsupported` (valid but not analysed) and yields undefined.
 * A packet the receiving stack would drop at the network layer (bad IPv4 header checksum,
 * IP length beyond a frame captured whole) is still returned, with `drop` set, so the flow
 * layer can compare its bytes with the copy the receiver keeps. The TCP/UDP checksum is
 * verified lazily through `checksum()`, which reads this packet's scratch state.
 */
import type { PacketRecord } from '../capture/types.js';
import { Counter } from '../util/counter.js';
import { FragmentReassembler } from './fragments.js';
import { newIpHeader, type IpHeader } from './ip-header.js';
import { parseIpv4 } from './ipv4.js';
import { parseIpv6, walkIpv6Extensions } from './ipv6.js';
import { locateNetwork, type NetworkLocation } from './link.js';
import { parseTcp } from './tcp.js';
import { newTransportSpan, type TransportSpan } from './transport.js';
import { CHECKSUM_BAD, CHECKSUM_OK, CHECKSUM_UNKNOWN, pseudoHeaderSum, transportVerdict, type ChecksumVerdict } from './checksum.js';
import type { DecodedPacket, DropKind, TcpHeader } from './types.js';
import { parseUdp } from './udp.js';

export interface DecoderLimits {
  /** Capture-time seconds a fragment queue waits for missing fragments (Linux ipfrag_time). */
  fragmentTimeoutSec: number;
  /** Fragment queues (datagrams being reassembled) at once; the oldest is evicted beyond. */
  maxFragmentQueues: number;
  /** Fragment payload bytes buffered across all queues; the oldest queue is evicted beyond. */
  maxFragmentBytes: number;
  /** Largest reassembled payload accepted; fragments reaching beyond it are dropped. */
  maxDatagram: number;
}

export const DEFAULT_DECODER_LIMITS: Readonly<DecoderLimits> = {
  fragmentTimeoutSec: 30,
  maxFragmentQueues: 1024,
  // Linux ipfrag_high_thresh.
  maxFragmentBytes: 4 * 1024 * 1024,
  maxDatagram: 65535,
};

const TCP = 6;
const UDP = 17;
/** Fast path: pure ACKs (a third of a download's packets) share one empty payload instead of a view each. */
const NO_PAYLOAD = new Uint8Array(0);

export class Decoder {
  /** Malformed input by kind ("IPv4: header length 3 < 5"). */
  readonly problems = new Counter();
  /** Valid input that is not analysed, by kind ("ethertype 0x0806 (ARP)"). */
  readonly unsupported = new Counter();
  readonly limits: Readonly<DecoderLimits>;
  private readonly fragments: FragmentReassembler;
  private readonly loc: NetworkLocation = { offset: 0, end: 0, version: 4, linkDst: -1, vlan: -1 };
  private readonly ip: IpHeader = newIpHeader();
  private readonly span: TransportSpan = newTransportSpan();
  /** Lazy checksum state of the packet being decoded: transport bytes, frame (addresses), verdict. */
  private csBuf: Uint8Array = new Uint8Array(0);
  private csFrame: Uint8Array = new Uint8Array(0);
  private csStart = 0;
  private csEnd = 0;
  private csLength = 0;
  private csField = 0;
  private csVerdict = -1;
  private readonly checksum = (): ChecksumVerdict => this.verifyChecksum();

  constructor(limits?: Partial<DecoderLimits>) {
    const l = { ...DEFAULT_DECODER_LIMITS, ...limits };
    // Caps below 1 would make every fragment an eviction loop; clamp to sane minimums.
    l.maxFragmentQueues = Math.max(1, Math.floor(l.maxFragmentQueues));
    l.maxFragmentBytes = Math.max(0, Math.floor(l.maxFragmentBytes));
    l.maxDatagram = Math.max(0, Math.floor(l.maxDatagram));
    this.limits = l;
    this.fragments = new FragmentReassembler(
      { timeoutSec: l.fragmentTimeoutSec, maxQueues: l.maxFragmentQueues, maxBytes: l.maxFragmentBytes, maxDatagram: l.maxDatagram },
      this.problems,
    );
  }

  /** Datagrams waiting for more fragments. */
  get pendingFragmentQueues(): number {
    return this.fragments.pending;
  }

  /** Fragment bytes currently buffered. */
  get bufferedFragmentBytes(): number {
    return this.fragments.bufferedBytes;
  }

  /** End of capture: count fragment queues that never completed and release them. */
  finish(): void {
    this.fragments.finish();
  }

  decode(rec: PacketRecord): DecodedPacket | undefined {
    const ts = rec.tsSec + rec.tsNsec / 1e9;
    if (this.fragments.pending > 0) this.fragments.expire(ts);
    const d = rec.data;
    const loc = this.loc;
    if (!locateNetwork(rec.linkType, d, loc, this.problems, this.unsupported)) return undefined;
    const ip = this.ip;
    const ok =
      loc.version === 4
        ? parseIpv4(d, loc.offset, loc.end, ip, this.problems)
        : parseIpv6(d, loc.offset, loc.end, ip, this.problems, this.unsupported);
    if (!ok) return undefined;
    // The header claims more than a frame that was captured whole: not a snaplen cut but a lie.
    const drop: DropKind | undefined = !ip.headerChecksumOk
      ? 'ip-checksum'
      : ip.truncated && d.length >= rec.origLen && loc.end === d.length
        ? 'ip-length'
        : undefined;
    if (drop === 'ip-length') {
      // The transport layer must not treat the missing bytes as a snaplen cut.
      ip.claimedEnd = ip.payloadEnd;
      ip.truncated = false;
    }
    let buf = d;
    if (ip.fragment && drop !== undefined) {
      // The receiver drops the fragment before reassembly; it never joins a datagram.
      this.problems.add(`${ip.version === 4 ? 'IPv4' : 'IPv6'}: fragment dropped as a Linux receiver would (${drop})`);
      return undefined;
    }
    if (ip.fragment) {
      const whole = this.reassemble(d, ts);
      if (whole === undefined) return undefined;
      buf = whole;
    }
    this.csFrame = d;
    this.csVerdict = -1;
    const p = this.transport(buf, rec, ts);
    if (p !== undefined) p.drop = drop;
    return p;
  }

  /** The TCP/UDP checksum verdict of the packet being decoded, computed at most once. */
  private verifyChecksum(): ChecksumVerdict {
    if (this.csVerdict >= 0) return this.csVerdict as ChecksumVerdict;
    const ip = this.ip;
    let v: ChecksumVerdict;
    if ((ip.protocol !== TCP && ip.protocol !== UDP) || this.span.truncated || ip.routed || this.csEnd > this.csBuf.length) {
      v = CHECKSUM_UNKNOWN;
    } else if (ip.protocol === UDP && this.csBuf[this.csField] === 0 && this.csBuf[this.csField + 1] === 0) {
      // IPv4 UDP may omit its checksum; IPv6 UDP may not (RFC 8200 §8.1), Linux drops it.
      v = ip.version === 4 ? CHECKSUM_OK : CHECKSUM_BAD;
    } else {
      const addrLen = ip.version === 4 ? 4 : 16;
      const pseudo = pseudoHeaderSum(this.csFrame, ip.addrOff, ip.addrOff + addrLen, addrLen, ip.protocol, this.csLength);
      v = transportVerdict(this.csBuf, this.csStart, this.csEnd, pseudo, this.csField);
    }
    this.csVerdict = v;
    return v;
  }

  /** Feed a fragment to reassembly; on completion point `ip` at the reassembled payload. */
  private reassemble(d: Uint8Array, ts: number): Uint8Array | undefined {
    const ip = this.ip;
    const family = ip.version === 4 ? 'IPv4' : 'IPv6';
    if (ip.truncated) {
      this.problems.add(`${family}: fragment cut by snaplen`);
      return undefined;
    }
    const key =
      ip.version === 4
        ? `${ip.src} ${ip.dst} ${ip.protocol} ${ip.fragId}`
        : `${ip.src} ${ip.dst} ${ip.fragId}`;
    const data = d.subarray(ip.payloadStart, ip.payloadEnd);
    const whole = this.fragments.add(family, key, ip.fragOffset, ip.moreFragments, data, ip.protocol, ts);
    if (whole === undefined) return undefined;
    ip.payloadStart = 0;
    ip.payloadEnd = whole.length;
    ip.claimedEnd = whole.length;
    ip.truncated = false;
    if (ip.version === 6) {
      const nh = this.fragments.completedProtocol;
      if (!walkIpv6Extensions(whole, 0, nh, ip, false, this.problems, this.unsupported)) return undefined;
    }
    return whole;
  }

  private transport(buf: Uint8Array, rec: PacketRecord, ts: number): DecodedPacket | undefined {
    const ip = this.ip;
    const span = this.span;
    let tcp: TcpHeader | undefined;
    if (ip.protocol === TCP) {
      tcp = parseTcp(buf, ip.payloadStart, ip.payloadEnd, ip.claimedEnd, span, this.problems);
      if (tcp === undefined) return undefined;
      this.csBuf = buf;
      this.csStart = ip.payloadStart;
      this.csEnd = ip.claimedEnd;
      this.csLength = ip.claimedEnd - ip.payloadStart;
      this.csField = ip.payloadStart + 16;
    } else if (ip.protocol === UDP) {
      if (!parseUdp(buf, ip.payloadStart, ip.payloadEnd, ip.claimedEnd, span, this.problems)) return undefined;
      this.csBuf = buf;
      this.csStart = ip.payloadStart;
      this.csEnd = span.dataEnd;
      this.csLength = span.dataEnd - ip.payloadStart;
      this.csField = ip.payloadStart + 6;
    } else {
      span.srcPort = 0;
      span.dstPort = 0;
      span.dataStart = ip.payloadStart;
      span.dataEnd = ip.payloadEnd;
      span.truncated = ip.truncated;
    }
    return {
      frame: rec.frame,
      ts,
      ipVersion: ip.version,
      src: ip.src,
      dst: ip.dst,
      protocol: ip.protocol,
      ttl: ip.ttl,
      srcPort: span.srcPort,
      dstPort: span.dstPort,
      tcp,
      payload: span.dataEnd > span.dataStart ? buf.subarray(span.dataStart, span.dataEnd) : NO_PAYLOAD,
      payloadTruncated: span.truncated,
      wireLen: rec.origLen,
      linkDst: this.loc.linkDst,
      vlan: this.loc.vlan,
      drop: undefined,
      checksum: this.checksum,
    };
  }
}
