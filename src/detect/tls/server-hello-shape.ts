/**
 * A passive signal that needs no certificate: a TLS 1.3 ServerHello from a Google-operated
 * Go host with parameters Google's front ends do not choose for the go command. A TLS 1.3
 * ServerHello carries only the negotiated suite and the extensions RFC 8446 §4.1.3 allows
 * there: supported_versions (43), key_share (51) and, on resumption, pre_shared_key (41);
 * the TLS 1.3 suites are the AEADs of §B.4 (0x1301–0x1303). Anything else (an extra
 * extension, a non-TLS-1.3 suite) means a different TLS stack answered. TLS 1.2 is
 * tls-downgrade's. A signal, not proof: info.
 */
import { msg } from '../../findings/message.js';
import type { FindingScope } from '../../findings/store.js';
import type { DetectorOptions } from '../index.js';
import type { Detector } from '../types.js';
import { clientHelloEvidence, entryOf, findingHost } from './context.js';

const TLS13 = 0x0304;
const TLS13_SUITES = new Set([0x1301, 0x1302, 0x1303]);
const TLS13_SERVER_HELLO_EXTENSIONS = new Set([41, 43, 51]);

const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

export function createServerHelloShapeDetector(opts: DetectorOptions, findings: FindingScope): Detector {
  return {
    event(ev, ctx): void {
      if (ev.type !== 'tls-server-hello' || ev.helloRetryRequest || ev.version !== TLS13) return;
      const entry = entryOf(ctx.attribution, opts.catalog);
      if (!entry || entry.role === 'other' || entry.google !== true) return;
      const odd: string[] = [];
      if (!TLS13_SUITES.has(ev.cipher)) odd.push(`cipher suite ${hex(ev.cipher)}`);
      const extra = ev.extensions.filter((e) => !TLS13_SERVER_HELLO_EXTENSIONS.has(e));
      if (extra.length > 0) odd.push(`extension(s) ${extra.slice(0, 8).join(', ')}`);
      if (odd.length === 0) return;
      const host = findingHost(ctx.attribution);
      const h = host ?? 'this server';
      const what = odd.join(' and ');
      findings.report(
        {
          id: 'tls-server-hello-shape',
          severity: 'info',
          host,
          title: msg`${h}'s TLS 1.3 ServerHello has ${what}, which Google's front ends do not send`,
          detail: msg`A TLS 1.3 ServerHello carries only supported_versions, key_share and (on resumption) pre_shared_key, with one of the TLS 1.3 AEAD suites (RFC 8446 §4.1.3, §B.4). This one has ${what} (JA3S ${ev.ja3s}): a TLS stack other than Google's answered for ${h}. A signal, not proof; the certificate is encrypted.`,
          fix: msg`capture with a key log (--keylog-file) or run "gotap probe ${h}" to see who answers`,
        },
        [clientHelloEvidence(ctx), { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `ServerHello with ${what}` }].filter((e) => e !== undefined),
      );
    },
  };
}
