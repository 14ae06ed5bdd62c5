/**
 * Two handshake-shape signals that need no certificate parsing: a server choosing
 * TLS ≤ 1.2 for a client that offered TLS 1.3, at a Go host (Google's front ends always
 * pick 1.3 for the go command, so 1.2 there means something in between answered — and
 * 1.2 is what lets a capture see the certificate at all); and a client's plaintext fatal
 * alert about the certificate right after the server's Certificate (the client, e.g. the
 * go command, rejected the chain it was shown).
 */
import type { FlowContext } from '../../enrich/flow-context.js';
import { msg } from '../../findings/message.js';
import type { FindingScope } from '../../findings/store.js';
import type { GotapEvent } from '../../protocols/events.js';
import { tlsVersionName } from '../../protocols/tls/version-names.js';
import type { DetectorOptions } from '../index.js';
import type { Detector, Evidence, FindingDraft } from '../types.js';
import { entryOf, findingHost } from './context.js';

const TLS13 = 0x0304;

/** Alert descriptions that mean "I do not accept your certificate" (RFC 8446 §6.2). */
const CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48]);

/** The finding for a server that chose `version` although the client offered 1.3 (shared with `gotap probe`). */
export function downgradeDraft(host: string | undefined, version: number, google: boolean): FindingDraft {
  const h = host ?? 'this server';
  const v = tlsVersionName(version);
  return {
    id: 'tls-downgrade',
    severity: google ? 'warn' : 'info',
    host,
    title: msg`${h} answered with ${v} although the client offered TLS 1.3`,
    detail: msg`The ClientHello offered TLS 1.3 and the server chose ${v}. ${
      google
        ? msg`${h} is served by Google, which negotiates TLS 1.3 with the go command: a middlebox terminated this connection.`
        : msg`${h} has a Go role; a server or proxy limited to ${v} answered.`
    }`,
    fix: google
      ? msg`find the proxy or security appliance between you and ${h} (its certificate issuer is in the other findings for this host) and ask IT to exempt ${h} from TLS inspection`
      : msg`if ${h} is your own mirror, enable TLS 1.3 on it; otherwise check what answers in its place`,
  };
}

/** "ClientHello SNI proxy.golang.org offered TLS 1.3". */
function offerEvidence(ctx: FlowContext): Evidence | undefined {
  const h = ctx.handshake.clientHello;
  if (!h) return undefined;
  return { packet: h.packet, ts: h.ts, flowId: ctx.flowId, what: `ClientHello${h.sni === undefined ? '' : ` SNI ${h.sni}`} offered ${h.offered13 ? 'TLS 1.3' : tlsVersionName(h.legacyVersion)}` };
}

export function createDowngradeDetector(opts: DetectorOptions, findings: FindingScope): Detector {
  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      switch (ev.type) {
        case 'tls-server-hello': {
          if (ev.helloRetryRequest) break;
          const entry = entryOf(ctx.attribution, opts.catalog);
          if (!ctx.handshake.clientHello?.offered13 || ev.version >= TLS13 || !entry || entry.role === 'other') break;
          const evidence = [offerEvidence(ctx), { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `ServerHello chose ${tlsVersionName(ev.version)}` }].filter(
            (e): e is Evidence => e !== undefined,
          );
          findings.report(downgradeDraft(findingHost(ctx.attribution), ev.version, entry.google === true), evidence);
          break;
        }
        case 'tls-alert': {
          if (ev.dir !== 0 || ev.encrypted || ev.level !== 2 || ev.description === undefined || !CERTIFICATE_ALERTS.has(ev.description)) break;
          const cert = ctx.handshake.certificate;
          if (!cert) break;
          const host = findingHost(ctx.attribution);
          const h = host ?? 'this server';
          const name = ev.descriptionName ?? `alert ${ev.description}`;
          const server = ctx.handshake.serverHello;
          findings.report(
            {
              id: 'tls-client-rejected-certificate',
              severity: 'critical',
              host,
              title: msg`The client rejected the certificate of ${h} (fatal alert ${name})`,
              detail: msg`Right after the server's Certificate (frame ${cert.packet}) the client sent a fatal ${name} alert and gave up: it did not trust the chain it was shown. For the go command this is "x509: certificate signed by unknown authority" or a name/expiry error; the certificate findings for ${h} say who issued it.`,
              fix: msg`look at the issuer of the chain ${h} presented (other findings for this host): if it is your company's inspection CA, set SSL_CERT_FILE to the corporate bundle; otherwise something is intercepting ${h} — do not add its CA, use another network`,
            },
            [
              offerEvidence(ctx),
              server && !server.helloRetryRequest ? { packet: server.packet, ts: server.ts, flowId: ctx.flowId, what: `ServerHello chose ${tlsVersionName(server.version)}` } : undefined,
              { packet: cert.packet, ts: cert.ts, flowId: ctx.flowId, what: `Certificate (${cert.count} certificate(s))` },
              { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `client fatal alert ${name}` },
            ].filter((e): e is Evidence => e !== undefined),
          );
          break;
        }
        default:
          break;
      }
    },
  };
}
