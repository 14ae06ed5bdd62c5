/**
 * Judges every server certificate chain that crosses the wire in the clear (TLS ≤ 1.2)
 * against the trust store at the packet's capture time, and turns the assessment into
 * findings: untrusted chain, self-signed leaf, expiry, name mismatch, missing intermediate
 * (said as such, never called interception), and chains that verify only through the
 * user's own CA. `chainDrafts` is shared with `gotap probe`, so a live check and a capture
 * give the same ids for the same chain.
 */
import type { FlowAttribution } from '../../attribution/types.js';
import type { CertificateSummary } from '../../model/types.js';
import type { GotapEvent, TlsCertificatesEvent } from '../../protocols/events.js';
import type { Detector, FindingSink } from '../types.js';
import {
  HandshakeTracker,
  findingHost,
  isAccepted,
  issuerLabel,
  leafKeyIsIssuerKey,
  productOf,
  serverNameOf,
  type TlsDetectorOptions,
} from './context.js';
import { FindingBook, type FindingDraft } from './finding-book.js';
import type { ChainAssessment, ChainProblemCode } from '../../x509/trust-store.js';

export function certificateSummary(a: ChainAssessment, packet: number, product: string | undefined): CertificateSummary {
  return {
    subject: a.leaf?.subject ?? '(unparseable)',
    issuer: a.leaf?.issuer ?? '(unparseable)',
    issuerOrg: a.leaf?.issuerOrg,
    notBefore: a.leaf?.notBefore ?? '',
    notAfter: a.leaf?.notAfter ?? '',
    fingerprint256: a.leaf?.fingerprint256 ?? '',
    chainLength: a.chainLength,
    verdict: a.verdict,
    interceptionProduct: product,
    packet,
  };
}

function problemText(a: ChainAssessment, codes: ChainProblemCode[]): string {
  return a.problems
    .filter((p) => codes.includes(p.code))
    .map((p) => p.detail)
    .join('; ');
}

/** The findings one chain assessment yields for `host` (no evidence: the caller attaches frames). */
export function chainDrafts(
  a: ChainAssessment,
  host: string | undefined,
  ctx: { product?: string; accepted: boolean },
): FindingDraft[] {
  const h = host ?? 'this server';
  const issuer = issuerLabel(a);
  const who = ctx.product ? `${ctx.product} (\`${issuer}\`)` : `\`${issuer}\``;
  const drafts: FindingDraft[] = [];
  const has = (code: ChainProblemCode): boolean => a.problems.some((p) => p.code === code);
  const leafUnparseable = a.leaf === undefined;

  if (has('unknown-issuer') || has('bad-signature') || leafUnparseable) {
    drafts.push({
      id: 'tls-untrusted-chain',
      severity: 'critical',
      host,
      title: `TLS certificate for ${h} does not verify to a trusted root (issued by ${who})`,
      detail:
        `${problemText(a, ['unknown-issuer', 'bad-signature', 'unparseable'])}. ` +
        `The go command refuses such a server ("x509: certificate signed by unknown authority")` +
        (ctx.product ? `; the issuer is the TLS interception product ${ctx.product}.` : '; whoever holds this CA can read and change the traffic.'),
      fix: ctx.product
        ? `your network re-signs TLS with \`${issuer}\` (${ctx.product}); if that is your company's proxy, pass its CA with --ca-file and set SSL_CERT_FILE to the corporate bundle for the go command, or ask IT to exempt ${h}; otherwise use another network`
        : `find out who operates \`${issuer}\`: if it is your company's inspection CA, pass it with --ca-file and set SSL_CERT_FILE for the go command; if nobody does, treat it as interception and do not trust this network`,
    });
  }
  if (has('self-signed-leaf')) {
    drafts.push({
      id: 'tls-self-signed',
      severity: 'critical',
      host,
      title: `${h} presented a self-signed certificate`,
      detail: `${problemText(a, ['self-signed-leaf'])}. Anyone can make such a certificate; the go command refuses it.`,
      fix: `if ${h} is your own server, give it a certificate from your CA (or pass this certificate with --ca-file and SSL_CERT_FILE); otherwise something on the path answers in its place`,
    });
  }
  if (has('expired') || has('not-yet-valid')) {
    const expired = has('expired');
    drafts.push({
      id: expired ? 'tls-expired' : 'tls-not-yet-valid',
      severity: 'critical',
      host,
      title: expired ? `TLS certificate for ${h} had expired at capture time` : `TLS certificate for ${h} was not yet valid at capture time`,
      detail: `${problemText(a, ['expired', 'not-yet-valid'])}. Judged at the packet's capture time, not now; the go command refuses it.`,
      fix: expired
        ? `renew the certificate of ${h} (or of the proxy that re-signs it); if the capture machine's clock was wrong, fix it and capture again`
        : `check the clock of the machine that captured (and of the client): a certificate valid only in the future usually means a wrong clock, or a middlebox minting certificates with a bad one`,
    });
  }
  if (has('hostname-mismatch')) {
    drafts.push({
      id: 'tls-hostname-mismatch',
      severity: 'critical',
      host,
      title: `TLS certificate presented for ${h} is for another name`,
      detail: `${problemText(a, ['hostname-mismatch'])}. The go command refuses it ("x509: certificate is valid for …").`,
      fix: `check where ${h} resolves (DNS hijack or a captive portal answers with its own certificate) and that the server is configured for this name`,
    });
  }
  if (has('incomplete-chain')) {
    drafts.push({
      id: 'tls-incomplete-chain',
      severity: 'warn',
      host,
      title: `${h} does not send the intermediate certificate its chain needs`,
      detail:
        `${problemText(a, ['incomplete-chain'])}. This is a server misconfiguration, not evidence of interception: ` +
        `clients that cannot fetch the intermediate themselves (the go command cannot) fail with "x509: certificate signed by unknown authority".`,
      fix: `configure ${h} to send its full chain (leaf + intermediates); until then, adding the missing intermediate to SSL_CERT_FILE works around it`,
    });
  }
  if (a.verdict === 'trusted-by-user-ca') {
    const anchor = a.anchor?.subject ?? issuer;
    const intercepted = !ctx.accepted && (ctx.product !== undefined || leafKeyIsIssuerKey(a));
    drafts.push({
      id: 'tls-trusted-by-user-ca',
      severity: intercepted ? 'warn' : 'info',
      host,
      title: intercepted
        ? `TLS to ${h} is inspected by ${ctx.product ?? issuer}, trusted via your CA file`
        : `TLS to ${h} verifies through your own CA (${anchor})`,
      detail:
        `The chain verifies only to "${anchor}", a CA from --ca-file/config, not to a public root.` +
        (intercepted ? ' Its certificates look minted by an interception proxy, so the proxy sees the go command\'s traffic in clear.' : '') +
        (ctx.accepted ? ' Your config accepts this interception.' : ''),
      fix: intercepted
        ? `if this inspection is expected, list it in acceptedInterception in your gotap config; otherwise ask IT to exempt ${h} from TLS inspection`
        : 'nothing to do if you trust this CA; remove it from --ca-file/config otherwise',
    });
  }
  return drafts;
}

export function createCertificateChainDetector(opts: TlsDetectorOptions, sink: FindingSink): Detector {
  const book = new FindingBook(sink);
  const frames = new HandshakeTracker();

  function onCertificates(ev: TlsCertificatesEvent, attribution: FlowAttribution): void {
    const a = opts.trust.assessEvent(ev, serverNameOf(attribution));
    const product = productOf(a);
    const accepted = isAccepted(a, product, opts.acceptedInterception);
    opts.onCertificate?.(ev, attribution, certificateSummary(a, ev.packet, product));
    const evidence = frames.evidence(ev.flowId, {
      packet: ev.packet,
      ts: ev.ts,
      flowId: ev.flowId,
      what: `Certificate: ${a.chainLength} certificate(s), leaf issued by ${issuerLabel(a)}, ${a.verdict}`,
    });
    for (const d of chainDrafts(a, findingHost(attribution), { product, accepted })) book.report(d, evidence);
  }

  return {
    event(ev: GotapEvent, attribution: FlowAttribution): void {
      if (frames.observeHello(ev)) return;
      if (ev.type === 'tls-certificates' && ev.dir === 1) {
        onCertificates(ev, attribution);
      }
    },
    flowEnded(flow): void {
      frames.end(flow.id);
    },
  };
}
