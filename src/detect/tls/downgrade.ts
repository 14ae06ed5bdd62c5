/**
 * Two handshake-shape signals that need no certificate parsing: a server choosing
 * TLS ≤ 1.2 for a client that offered TLS 1.3, at a Go host (Google's front ends always
 * pick 1.3 for the go command, so 1.2 there means something in between answered — and
 * 1.2 is what lets a capture see the certificate at all); and a client's plaintext fatal
 * alert about the certificate right after the server's Certificate (the client, e.g. the
 * go command, rejected the chain it was shown).
 */
import type { FlowAttribution } from '../../attribution/types.js';
import type { GotapEvent } from '../../protocols/events.js';
import type { Detector, Evidence, FindingSink } from '../types.js';
import { HandshakeTracker, findingHost, type TlsDetectorOptions } from './context.js';
import { tlsVersionName } from '../../protocols/tls/version-names.js';
import { FindingBook, type FindingDraft } from './finding-book.js';

const TLS13 = 0x0304;

/** Alert descriptions that mean "I do not accept your certificate" (RFC 8446 §6.2). */
const CERTIFICATE_ALERTS = new Set([42, 43, 44, 45, 46, 48]);

/** The finding for a server that chose `version` although the client offered 1.3 (shared with `gotap probe`). */
export function downgradeDraft(host: string | undefined, version: number, google: boolean): FindingDraft {
  const h = host ?? 'this server';
  return {
    id: 'tls-downgrade',
    severity: google ? 'warn' : 'info',
    host,
    title: `${h} answered with ${tlsVersionName(version)} although the client offered TLS 1.3`,
    detail:
      `The ClientHello offered TLS 1.3 and the server chose ${tlsVersionName(version)}. ` +
      (google
        ? `${h} is served by Google, which negotiates TLS 1.3 with the go command: a middlebox terminated this connection.`
        : `${h} has a Go role; a server or proxy limited to ${tlsVersionName(version)} answered.`),
    fix: google
      ? `find the proxy or security appliance between you and ${h} (its certificate issuer is in the other findings for this host) and ask IT to exempt ${h} from TLS inspection`
      : `if ${h} is your own mirror, enable TLS 1.3 on it; otherwise check what answers in its place`,
  };
}

export function createDowngradeDetector(opts: TlsDetectorOptions, sink: FindingSink): Detector {
  const book = new FindingBook(sink);
  const frames = new HandshakeTracker();

  function entryOf(attribution: FlowAttribution) {
    return attribution.entry ?? (attribution.host === undefined ? undefined : opts.catalog.lookup(attribution.host));
  }

  return {
    event(ev: GotapEvent, attribution: FlowAttribution): void {
      switch (ev.type) {
        case 'tls-client-hello': {
          const f = frames.get(ev.flowId);
          f.offered13 = ev.supportedVersions.includes(TLS13);
          f.clientHello = {
            packet: ev.packet,
            ts: ev.ts,
            flowId: ev.flowId,
            what: `ClientHello${ev.sni === undefined ? '' : ` SNI ${ev.sni}`} offered ${f.offered13 ? 'TLS 1.3' : tlsVersionName(ev.legacyVersion)}`,
          };
          break;
        }
        case 'tls-server-hello': {
          if (ev.helloRetryRequest) break;
          const f = frames.get(ev.flowId);
          f.version = ev.version;
          f.serverHello = { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `ServerHello chose ${tlsVersionName(ev.version)}` };
          const entry = entryOf(attribution);
          if (!f.offered13 || ev.version >= TLS13 || !entry || entry.role === 'other') break;
          const evidence: Evidence[] = [f.clientHello, f.serverHello].filter((e): e is Evidence => e !== undefined);
          book.report(downgradeDraft(findingHost(attribution), ev.version, entry.google === true), evidence);
          break;
        }
        case 'tls-certificates':
          if (ev.dir === 1) {
            frames.get(ev.flowId).certificate = {
              packet: ev.packet,
              ts: ev.ts,
              flowId: ev.flowId,
              what: `Certificate (${ev.certs.length} certificate(s))`,
            };
          }
          break;
        case 'tls-alert': {
          if (ev.dir !== 0 || ev.encrypted || ev.level !== 2 || ev.description === undefined || !CERTIFICATE_ALERTS.has(ev.description)) break;
          const f = frames.get(ev.flowId);
          if (!f.certificate) break;
          const host = findingHost(attribution);
          const h = host ?? 'this server';
          const name = ev.descriptionName ?? `alert ${ev.description}`;
          book.report(
            {
              id: 'tls-client-rejected-certificate',
              severity: 'critical',
              host,
              title: `The client rejected the certificate of ${h} (fatal alert ${name})`,
              detail:
                `Right after the server's Certificate (frame ${f.certificate.packet}) the client sent a fatal ${name} alert and gave up: ` +
                `it did not trust the chain it was shown. For the go command this is "x509: certificate signed by unknown authority" or a name/expiry error; ` +
                `the certificate findings for ${h} say who issued it.`,
              fix: `look at the issuer of the chain ${h} presented (other findings for this host): if it is your company's inspection CA, set SSL_CERT_FILE to the corporate bundle; otherwise something is intercepting ${h} — do not add its CA, use another network`,
            },
            [f.clientHello, f.serverHello, f.certificate, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `client fatal alert ${name}` }].filter(
              (e): e is Evidence => e !== undefined,
            ),
          );
          break;
        }
        default:
          break;
      }
    },
    flowEnded(flow): void {
      frames.end(flow.id);
    },
  };
}
