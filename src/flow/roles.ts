/**
 * Which side of a flow is the server when no SYN/SYN-ACK says so (the capture started
 * mid-connection, or UDP). Servers listen on well-known or registered ports, clients
 * on ephemeral ones (Linux 32768–60999, IANA 49152–65535), so the side with the more
 * "service-like" port is the server; a tie is left to the first packet's direction.
 */

/** Ports the go command and its infrastructure talk to: always the server side. */
const SERVICE_PORTS = new Set([53, 80, 443, 853, 1080, 3128, 8080, 8443, 8000, 8888, 9418, 5353]);

/** Higher = more likely a listening port. */
function serverRank(port: number): number {
  if (SERVICE_PORTS.has(port)) return 3;
  if (port > 0 && port < 1024) return 2;
  if (port >= 1024 && port < 32768) return 1;
  return 0;
}

/** 1 when the source port looks like the server's, -1 when the destination's does, 0 when undecided. */
export function serverSideByPort(srcPort: number, dstPort: number): -1 | 0 | 1 {
  const s = serverRank(srcPort);
  const d = serverRank(dstPort);
  return s > d ? 1 : s < d ? -1 : 0;
}
