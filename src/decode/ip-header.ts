/**
 * The network-layer facts the decoder needs from an IPv4 or IPv6 header. One instance
 * is owned by the Decoder and overwritten per packet, so parsing allocates nothing
 * besides the two address strings.
 */

export interface IpHeader {
  version: 4 | 6;
  src: string;
  dst: string;
  /** Upper-layer protocol (for a fragment: of the fragmentable part). */
  protocol: number;
  ttl: number;
  /** Offset of the upper-layer data (after options / extension headers). */
  payloadStart: number;
  /** Where the header says the packet ends. */
  claimedEnd: number;
  /** min(claimedEnd, captured end): what exists. */
  payloadEnd: number;
  /** claimedEnd lies beyond the captured bytes. */
  truncated: boolean;
  fragment: boolean;
  /** Byte offset of this fragment's data within the original datagram's payload. */
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
  /** Offset of the source address in the frame (the destination follows it). */
  addrOff: number;
  /** IPv4 header checksum verified (always true for IPv6, which has none). */
  headerChecksumOk: boolean;
  /** IPv6: a routing header with segments left, so the pseudo-header's destination is not this one. */
  routed: boolean;
}

export function newIpHeader(): IpHeader {
  return {
    version: 4,
    src: '',
    dst: '',
    protocol: 0,
    ttl: 0,
    payloadStart: 0,
    claimedEnd: 0,
    payloadEnd: 0,
    truncated: false,
    fragment: false,
    fragOffset: 0,
    moreFragments: false,
    fragId: 0,
    addrOff: 0,
    headerChecksumOk: true,
    routed: false,
  };
}
