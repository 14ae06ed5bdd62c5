/**
 * Where a transport header leaves its payload. One instance is owned by the Decoder and
 * overwritten per packet, so the TCP/UDP parsers return positions without allocating.
 */

export interface TransportSpan {
  srcPort: number;
  dstPort: number;
  dataStart: number;
  dataEnd: number;
  /** The headers claim more than was captured: the span is what exists. */
  truncated: boolean;
}

export function newTransportSpan(): TransportSpan {
  return { srcPort: 0, dstPort: 0, dataStart: 0, dataEnd: 0, truncated: false };
}
