/**
 * Contracts of the decode stage: one captured frame becomes at most one IP packet
 * with its transport header. Decoding never throws on packet bytes; what cannot be
 * decoded is counted by kind in the decoder's counters and skipped.
 */

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpHeader {
  seq: number;
  ack: number;
  /** Low 8 flag bits (FIN..CWR), see TCP_* constants. */
  flags: number;
  window: number;
  /** Options, when present. */
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  tsVal?: number;
  tsEcr?: number;
}

export interface DecodedPacket {
  /** Frame number; for a reassembled IP datagram, the frame of the fragment that completed it. */
  frame: number;
  /** Capture time in seconds since the epoch (float; exact values stay on the PacketRecord). */
  ts: number;
  ipVersion: 4 | 6;
  /** Addresses as text: dotted quad, or RFC 5952 compressed IPv6. */
  src: string;
  dst: string;
  /** Transport protocol number after IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 ...). */
  protocol: number;
  ttl: number;
  /** 0 when the protocol has no ports. */
  srcPort: number;
  dstPort: number;
  /** Present for TCP. */
  tcp?: TcpHeader;
  /**
   * Transport payload (TCP/UDP data; raw IP payload for other protocols), trimmed to the
   * length the IP/UDP headers claim. A view valid only during the call; copy to keep.
   */
  payload: Uint8Array;
  /** The headers claim more payload than was captured (snaplen): payload is what exists. */
  payloadTruncated: boolean;
  /** Frame length on the wire (origLen). */
  wireLen: number;
}
