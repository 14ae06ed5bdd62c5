/**
 * Turns every server certificate chain's assessment (the flow's chain fact, judged once at
 * capture time by the enrichment step) into findings: untrusted chain, self-signed leaf,
 * expiry, name mismatch, missing intermediate (said as such, never called interception),
 * and chains that verify only through the user's own CA. `chainDrafts` is shared with
 * `gotap probe`, so a live check and a capture give the same ids for the same chain.
 */
import { issuerLabel, leafKeyIsIssuerKey } from '../../enrich/chain-fact.js';
import type { FlowContext } from '../../enrich/flow-context.js';
import type { FindingScope } from '../../findings/store.js';
import { msg, type Message } from '../../findings/message.js';
import type { GotapEvent } from '../../protocols/events.js';
import type { ChainAssessment, ChainProblemCode } from '../../x509/trust-store.js';
import type { Detector, FindingDraft } from '../types.js';
import { findingHost, handshakeEvidence } from './context.js';

function problemText(a: ChainAssessment, codes: ChainProblemCode[]): string {
  return a.problems
    .filter((p) => codes.includes(p.code))
    .map((p) => p.detail)
    .join('; ');
}

/** The findings one chain assessment yields for `host` (no evidence: the caller attaches frames). */
export function chainDrafts(a: ChainAssessment, host: string | undefined, ctx: { product?: string; accepted: boolean }): FindingDraft[] {
  const h = host ?? 'this server';
  const issuer = issuerLabel(a);
  const who: Message = ctx.product ? msg`${ctx.product} (\`${issuer}\`)` : msg`\`${issuer}\``;
  const values = { issuer, ...(ctx.product !== undefined ? { product: ctx.product } : {}) };
  const drafts: FindingDraft[] = [];
  const has = (code: ChainProblemCode): boolean => a.problems.some((p) => p.code === code);
  const leafUnparseable = a.leaf === undefined;

  if (has('unknown-issuer') || has('bad-signature') || has('forged-issuer') || has('path-search-limit') || leafUnparseable) {
    drafts.push({
      id: 'tls-untrusted-chain',
      severity: 'critical',
      host,
      values,
      title: msg`TLS certificate for ${h} does not verify to a trusted root (issued by ${who})`,
      detail: msg`${problemText(a, ['unknown-issuer', 'bad-signature', 'forged-issuer', 'path-search-limit', 'unparseable'])}. The go command refuses such a server ("x509: certificate signed by unknown authority")${
        ctx.product ? msg`; the issuer is the TLS interception product ${ctx.product}.` : msg`; whoever holds this CA can read and change the traffic.`
      }`,
      fix: ctx.product
        ? msg`your network re-signs TLS with \`${issuer}\` (${ctx.product}); if that is your company's proxy, pass its CA with --ca-file and set SSL_CERT_FILE to the corporate bundle for the go command, or ask IT to exempt ${h}; otherwise use another network`
        : msg`find out who operates \`${issuer}\`: if it is your company's inspection CA, pass it with --ca-file and set SSL_CERT_FILE for the go command; if nobody does, treat it as interception and do not trust this network`,
    });
  }
  if (has('self-signed-leaf')) {
    drafts.push({
      id: 'tls-self-signed',
      severity: 'critical',
      host,
      values,
      title: msg`${h} presented a self-signed certificate`,
      detail: msg`${problemText(a, ['self-signed-leaf'])}. Anyone can make such a certificate; the go command refuses it.`,
      fix: msg`if ${h} is your own server, give it a certificate from your CA (or pass this certificate with --ca-file and SSL_CERT_FILE); otherwise something on the path answers in its place`,
    });
  }
  if (has('expired') || has('not-yet-valid')) {
    const expired = has('expired');
    drafts.push({
      id: expired ? 'tls-expired' : 'tls-not-yet-valid',
      severity: 'critical',
      host,
      values,
      title: expired ? msg`TLS certificate for ${h} had expired at capture time` : msg`TLS certificate for ${h} was not yet valid at capture time`,
      detail: msg`${problemText(a, ['expired', 'not-yet-valid'])}. Judged at the packet's capture time, not now; the go command refuses it.`,
      fix: expired
        ? msg`renew the certificate of ${h} (or of the proxy that re-signs it); if the capture machine's clock was wrong, fix it and capture again`
        : msg`check the clock of the machine that captured (and of the client): a certificate valid only in the future usually means a wrong clock, or a middlebox minting certificates with a bad one`,
    });
  }
  if (has('hostname-mismatch')) {
    drafts.push({
      id: 'tls-hostname-mismatch',
      severity: 'critical',
      host,
      values,
      title: msg`TLS certificate presented for ${h} is for another name`,
      detail: msg`${problemText(a, ['hostname-mismatch'])}. The go command refuses it ("x509: certificate is valid for …").`,
      fix: msg`check where ${h} resolves (DNS hijack or a captive portal answers with its own certificate) and that the server is configured for this name`,
    });
  }
  if (has('incomplete-chain')) {
    drafts.push({
      id: 'tls-incomplete-chain',
      severity: 'warn',
      host,
      values,
      title: msg`${h} does not send the intermediate certificate its chain needs`,
      detail: msg`${problemText(a, ['incomplete-chain'])}. This is a server misconfiguration, not evidence of interception: clients that cannot fetch the intermediate themselves (the go command cannot) fail with "x509: certificate signed by unknown authority".`,
      fix: msg`configure ${h} to send its full chain (leaf + intermediates); until then, adding the missing intermediate to SSL_CERT_FILE works around it`,
    });
  }
  if (a.verdict === 'trusted-by-user-ca') {
    const anchor = a.anchor?.subject ?? issuer;
    const intercepted = !ctx.accepted && (ctx.product !== undefined || leafKeyIsIssuerKey(a));
    drafts.push({
      id: 'tls-trusted-by-user-ca',
      severity: intercepted ? 'warn' : 'info',
      host,
      values,
      title: intercepted ? msg`TLS to ${h} is inspected by ${ctx.product ?? issuer}, trusted via your CA file` : msg`TLS to ${h} verifies through your own CA (${anchor})`,
      detail: msg`The chain verifies only to "${anchor}", a CA from --ca-file/config, not to a public root.${
        intercepted ? msg` Its certificates look minted by an interception proxy, so the proxy sees the go command's traffic in clear.` : msg``
      }${ctx.accepted ? msg` Your config accepts this interception.` : msg``}`,
      fix: intercepted
        ? msg`if this inspection is expected, list it in acceptedInterception in your gotap config; otherwise ask IT to exempt ${h} from TLS inspection`
        : msg`nothing to do if you trust this CA; remove it from --ca-file/config otherwise`,
    });
  }
  return drafts;
}

export function createCertificateChainDetector(_opts: unknown, findings: FindingScope): Detector {
  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type !== 'tls-certificates' || ev.dir !== 1 || !ctx.chain) return;
      const { assessment: a, product, accepted } = ctx.chain;
      const evidence = handshakeEvidence(ctx, {
        packet: ev.packet,
        ts: ev.ts,
        flowId: ev.flowId,
        what: `Certificate: ${a.chainLength} certificate(s), leaf issued by ${issuerLabel(a)}, ${a.verdict}`,
      });
      for (const d of chainDrafts(a, findingHost(ctx.attribution), { ...(product !== undefined ? { product } : {}), accepted })) findings.report(d, evidence);
    },
  };
}
