/**
 * Says what could not be checked: a Go host (role other than 'other') reached over
 * TLS 1.3 whose certificate never became visible on any of its flows (no chain fact —
 * TLS 1.3 encrypts the Certificate message, RFC 8446 §4.4.2; with a key log the
 * decrypted flow gets one and the host drops out). One info finding per host at the end
 * of the capture, so the verdict does not read "No problems found" for hosts whose TLS
 * was never checked (issue 13). Hosts are bounded by MAX_HOSTS.
 */
import { msg } from '../../findings/message.js';
import type { FindingScope } from '../../findings/store.js';
import type { DetectorOptions } from '../index.js';
import type { Detector, Evidence } from '../types.js';
import { entryOf, findingHost } from './context.js';

const TLS13 = 0x0304;
/** Distinct hosts remembered (Go hosts are a handful; the cap only bounds adversarial input). */
const MAX_HOSTS = 256;

export function createCertificateNotVisibleDetector(opts: DetectorOptions, findings: FindingScope): Detector {
  /** Hosts whose certificate was hidden on some flow → the first such ServerHello. */
  const hidden = new Map<string, Evidence>();
  /** Hosts whose certificate was seen on some flow. */
  const visible = new Set<string>();
  return {
    event(ev, ctx): void {
      // The chain fact is set by the server's Certificate: only then can a host become visible.
      if (ev.type === 'tls-certificates') {
        const host = ctx.chain ? findingHost(ctx.attribution) : undefined;
        if (host !== undefined && visible.size < MAX_HOSTS) visible.add(host);
        return;
      }
      if (ev.type !== 'tls-server-hello' || ev.helloRetryRequest || ev.version !== TLS13) return;
      const host = findingHost(ctx.attribution);
      if (host === undefined || hidden.has(host) || hidden.size >= MAX_HOSTS) return;
      const entry = entryOf(ctx.attribution, opts.catalog);
      if (!entry || entry.role === 'other') return;
      hidden.set(host, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: 'ServerHello chose TLS 1.3: the Certificate that follows is encrypted' });
    },
    finish(): void {
      for (const [host, evidence] of hidden) {
        if (visible.has(host)) continue;
        findings.report(
          {
            id: 'tls-certificate-not-visible',
            severity: 'info',
            host,
            title: msg`${host}: certificate not visible (TLS 1.3); interception not ruled out`,
            detail: msg`Every TLS connection to ${host} in this capture used TLS 1.3, which encrypts the server's Certificate message, so gotap could not check who issued it. An interceptor would look the same from outside; the passive signals (server address, timing, ServerHello shape, flight size) are reported separately when they fire.`,
            fix: msg`capture with a key log (--keylog-file, or ptcpdump's --embed-keylog-to-pcapng), or run "gotap probe ${host}" from the same network to see the chain`,
          },
          [evidence],
        );
      }
    },
  };
}
