/**
 * Contracts of the decode stage: one captured frame becomes at most one IP packet
 * with its transport header. Decoding never throws on packet bytes; what cannot be
 * decoded is counted by kind in the decoder's counters and skipped.
 */
import type { ChecksumVerdict } from './checksum.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/**
 * Why the receiving Linux stack would drop a packet (docs/reassembly.md). The decoder
 * sets the network-layer kinds; the flow layer adds the TCP-state ones.
 */
export type DropKind =
  /** IPv4 header checksum wrong (ip_rcv_core). */
  | 'ip-checksum'
  /** IP total/payload length beyond the frame that was captured whole (ip_rcv_core, ipv6_rcv). */
  | 'ip-length'
  /** TCP/UDP checksum wrong (not an offload pseudo-header sum). */
  | 'checksum'
  /** Ethernet unicast destination or VLAN other than the one this direction of the flow uses. */
  | 'link-destination'
  /** Data or FIN without the ACK flag in a synchronised connection (tcp_rcv_established). */
  | 'no-ack'
  /** Beyond the receive window the peer advertised (tcp_sequence, tcp_data_queue). */
  | 'out-of-window'
  /** TCP timestamp older than the last one accepted (PAWS, RFC 7323 §5). */
  | 'paws'
  /** TCP MD5 (RFC 2385) or TCP-AO option with no key configured (tcp_inbound_hash). */
  | 'tcp-signature'
  /** SYN in a synchronised connection (RFC 5961 §4: challenge ACK, segment dropped). */
  | 'syn'
  /** RST whose sequence number is not exactly the next expected one (RFC 5961 §3.2). */
  | 'rst-sequence'
  /** Data before the handshake allows it (server data before the SYN-ACK, client data before it). */
  | 'before-handshake';

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
  /** Urgent pointer (meaningful with the URG flag). */
  urgPtr: number;
  /** Carries a TCP MD5 signature (kind 19) or TCP-AO (kind 29) option. */
  signature: boolean;
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
  /** Ethernet destination MAC (48-bit number), -1 when the link layer has none. */
  linkDst: number;
  /** Outermost VLAN id, -1 when untagged. */
  vlan: number;
  /** The receiver drops this packet at the network layer; the flow layer counts it and never delivers it. */
  drop: DropKind | undefined;
  /**
   * Verifies the TCP/UDP checksum (see checksum.ts for the verdicts). Valid only during the
   * call that received this packet; costs a pass over the payload, so call it only when needed.
   */
  checksum: () => ChecksumVerdict;
}
