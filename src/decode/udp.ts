/**
 * UDP header (RFC 768). The length field trims padding; a length below 8 is malformed;
 * a length beyond what exists keeps what exists and marks the payload truncated.
 */
import type { Counter } from '../util/counter.js';
import { u16 } from './bytes.js';
import type { TransportSpan } from './transport.js';

/**
 * Parse the UDP header at d[start..): `capEnd` is where the captured bytes end, `claimEnd`
 * where the IP header says the datagram ends (capEnd <= claimEnd).
 */
export function parseUdp(
  d: Uint8Array,
  start: number,
  capEnd: number,
  claimEnd: number,
  span: TransportSpan,
  problems: Counter,
): boolean {
  if (claimEnd - start < 8) {
    problems.add('UDP: datagram shorter than 8-byte header');
    return false;
  }
  if (capEnd - start < 8) {
    problems.add('UDP: header cut by snaplen');
    return false;
  }
  const len = u16(d, start + 4);
  if (len < 8) {
    problems.add(`UDP: length ${len} < 8`);
    return false;
  }
  span.srcPort = u16(d, start);
  span.dstPort = u16(d, start + 2);
  span.dataStart = start + 8;
  const end = start + len;
  if (end > claimEnd) problems.add('UDP: length beyond IP payload');
  span.truncated = end > capEnd;
  span.dataEnd = span.truncated ? capEnd : end;
  return true;
}
