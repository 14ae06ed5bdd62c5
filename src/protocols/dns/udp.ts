/**
 * DNS over UDP (also mDNS and LLMNR): every datagram is one message.
 */
import type { AnalyzerContext, DatagramAnalyzer } from '../analyzer.js';
import { DnsSession, type DnsAnalyzerOptions } from './session.js';

/** `end`: the flow ended, queries still pending are reported as unanswered. */
export type DnsUdpAnalyzer = DatagramAnalyzer;

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
