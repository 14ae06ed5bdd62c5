/**
 * TCP header (RFC 9293) and the options flow analysis needs (MSS, window scale,
 * SACK-permitted, timestamps, and whether an MD5/AO signature is present). The option walk is bounded by the header and always
 * advances; malformed option lengths are counted and end the walk, never thrown.
 * A header whose options were cut by the snaplen still yields the fixed fields.
 */
import type { Counter } from '../util/counter.js';
import type { TcpHeader } from './types.js';
import { u16, u32 } from './bytes.js';
import type { TransportSpan } from './transport.js';

/** RFC 7323: shifts above 14 are treated as 14. */
const MAX_WINDOW_SCALE = 14;

/**
 * Parse the TCP header at d[start..): `capEnd` is where the captured bytes end, `claimEnd`
 * where the IP header says the segment ends (capEnd <= claimEnd).
 */
export function parseTcp(
  d: Uint8Array,
  start: number,
  capEnd: number,
  claimEnd: number,
  span: TransportSpan,
  problems: Counter,
): TcpHeader | undefined {
  if (claimEnd - start < 20) {
    problems.add('TCP: segment shorter than 20-byte header');
    return undefined;
  }
  if (capEnd - start < 20) {
    problems.add('TCP: header cut by snaplen');
    return undefined;
  }
  const dataOffset = d[start + 12]! >> 4;
  if (dataOffset < 5) {
    problems.add(`TCP: data offset ${dataOffset} < 5`);
    return undefined;
  }
  const hlen = dataOffset * 4;
  if (start + hlen > claimEnd) {
    problems.add('TCP: data offset beyond segment');
    return undefined;
  }
  // Every field is created here, options included, so all headers share one object shape:
  // adding tsVal/tsEcr later (Linux puts timestamps on every segment) would grow the
  // object past its in-object slots and allocate a property store per packet.
  const tcp: TcpHeader = {
    seq: u32(d, start + 4),
    ack: u32(d, start + 8),
    flags: d[start + 13]!,
    window: u16(d, start + 14),
    mss: undefined,
    windowScale: undefined,
    sackPermitted: undefined,
    tsVal: undefined,
    tsEcr: undefined,
    urgPtr: u16(d, start + 18),
    signature: false,
  };
  span.srcPort = u16(d, start);
  span.dstPort = u16(d, start + 2);
  span.dataEnd = capEnd;
  span.truncated = capEnd < claimEnd;
  let optEnd = start + hlen;
  const cut = optEnd > capEnd;
  if (cut) {
    problems.add('TCP: data offset beyond captured bytes');
    optEnd = capEnd;
  }
  span.dataStart = optEnd;
  if (hlen > 20) parseOptions(d, start + 20, optEnd, cut, tcp, problems);
  return tcp;
}

function parseOptions(d: Uint8Array, pos: number, end: number, cut: boolean, tcp: TcpHeader, problems: Counter): void {
  while (pos < end) {
    const kind = d[pos]!;
    if (kind === 0) return;
    if (kind === 1) {
      pos++;
      continue;
    }
    if (pos + 2 > end) {
      if (!cut) problems.add('TCP option: no room for length');
      return;
    }
    const len = d[pos + 1]!;
    if (len < 2) {
      problems.add(`TCP option: length ${len} < 2`);
      return;
    }
    if (pos + len > end) {
      if (!cut) problems.add('TCP option: length beyond header');
      return;
    }
    switch (kind) {
      case 2:
        if (len === 4) tcp.mss = u16(d, pos + 2);
        else problems.add('TCP option: MSS length not 4');
        break;
      case 3:
        if (len === 3) tcp.windowScale = Math.min(d[pos + 2]!, MAX_WINDOW_SCALE);
        else problems.add('TCP option: window scale length not 3');
        break;
      case 4:
        if (len === 2) tcp.sackPermitted = true;
        else problems.add('TCP option: SACK-permitted length not 2');
        break;
      case 8:
        if (len === 10) {
          tcp.tsVal = u32(d, pos + 2);
          tcp.tsEcr = u32(d, pos + 6);
        } else {
          problems.add('TCP option: timestamps length not 10');
        }
        break;
      case 19: // RFC 2385 MD5 signature
      case 29: // RFC 5925 TCP-AO
        tcp.signature = true;
        break;
    }
    pos += len;
  }
}
