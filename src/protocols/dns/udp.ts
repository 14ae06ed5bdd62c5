/**
 * DNS over UDP (also mDNS and LLMNR): every datagram is one message.
 */
import type { AnalyzerContext } from '../analyzer.js';
import type { Direction } from '../../flow/types.js';
import { DnsSession, type DnsAnalyzerOptions } from './session.js';

export interface DnsUdpAnalyzer {
  datagram(dir: Direction, payload: Uint8Array, frame: number, ts: number): void;
  /** The flow ended: queries still pending are reported as unanswered. */
  end(ts: number, frame: number): void;
}

export function createDnsUdpAnalyzer(ctx: AnalyzerContext, options: DnsAnalyzerOptions = {}): DnsUdpAnalyzer {
  const session = new DnsSession(ctx, 'udp', options);
  return {
    datagram(dir, payload, frame, ts) {
      session.message(dir, payload, frame, ts);
    },
    end() {
      session.end();
    },
  };
}
