/**
 * Signs that someone re-signs TLS in the middle, beyond "does it verify": an issuer that
 * is a known interception product (named, so the user knows whom to ask); for hosts with
 * expected issuers (Google's: Google Trust Services) any other issuer; a leaf that reuses
 * its issuer's key (mitmproxy style); one leaf key across unrelated hosts; a leaf minted
 * shortly before the capture (proxies sign on the fly). When a product is named, the
 * other signs are folded into its one finding as corroboration rather than repeated.
 * `InterceptionJudge` is shared with `gotap probe`.
 */
import type { CatalogEntry } from '../../attribution/types.js';
import { interceptionSeverity, isAccepted, issuerLabel, leafKeyIsIssuerKey, productOf, type AcceptedInterceptionRule } from '../../enrich/chain-fact.js';
import type { FlowContext } from '../../enrich/flow-context.js';
import { joinMessages, msg, type Message } from '../../findings/message.js';
import type { FindingScope } from '../../findings/store.js';
import type { GotapEvent } from '../../protocols/events.js';
import type { ChainAssessment } from '../../x509/trust-store.js';
import type { DetectorOptions } from '../index.js';
import { LruMap } from '../../util/lru-map.js';
import type { Detector, FindingDraft } from '../types.js';
import { entryOf, findingHost, handshakeEvidence } from './context.js';

/** A leaf whose notBefore lies this close before the capture was minted for it. */
export const FRESH_LEAF_SECONDS = 24 * 3600;
/** Leaf keys remembered for the shared-key check, and hosts per key. */
const MAX_KEYS = 1024;
const MAX_HOSTS_PER_KEY = 8;

/** Does a subjectAltName string ("DNS:a.example, DNS:*.b.example") cover `host`? */
export function sanCovers(san: string | undefined, host: string): boolean {
  if (!san) return false;
  const h = host.toLowerCase();
  for (const part of san.split(/,\s*/)) {
    if (!part.startsWith('DNS:')) continue;
    const name = part.slice(4).toLowerCase();
    if (name === h) return true;
    if (name.startsWith('*.')) {
      const dot = h.indexOf('.');
      if (dot > 0 && h.slice(dot + 1) === name.slice(2)) return true;
    }
  }
  return false;
}

function minutes(seconds: number): string {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export class InterceptionJudge {
  /** Leaf SPKI → host → leaf fingerprint (bounded; oldest key forgotten first). */
  private readonly keys = new LruMap<string, Map<string, string>>(MAX_KEYS);

  /** Other hosts, not covered by this leaf, whose different leaves carried the same key. */
  private sharedWith(a: ChainAssessment, host: string | undefined): string[] {
    const leaf = a.leaf;
    if (!leaf || !host || a.verdict === 'trusted') return [];
    let hosts = this.keys.get(leaf.spkiSha256);
    if (!hosts) {
      hosts = new Map();
      this.keys.set(leaf.spkiSha256, hosts);
    }
    if (!hosts.has(host) && hosts.size < MAX_HOSTS_PER_KEY) hosts.set(host, leaf.fingerprint256);
    return [...hosts].filter(([h, fp]) => h !== host && fp !== leaf.fingerprint256 && !sanCovers(leaf.subjectAltName, h)).map(([h]) => h);
  }

  /** Findings for one chain at capture time `atTs` (seconds); `product`/`accepted` as the chain fact says. */
  drafts(a: ChainAssessment, host: string | undefined, entry: CatalogEntry | undefined, atTs: number, product: string | undefined, accepted: boolean): FindingDraft[] {
    const leaf = a.leaf;
    if (!leaf) return [];
    const h = host ?? 'this server';
    const goHost = entry !== undefined && entry.role !== 'other';
    const issuer = issuerLabel(a);
    const expected = entry?.expectedIssuerOrgs;
    const unexpectedIssuer = expected !== undefined && expected.length > 0 && !expected.includes(leaf.issuerOrg ?? '');
    const keyReuse = leafKeyIsIssuerKey(a);
    const age = atTs - Date.parse(leaf.notBefore) / 1000;
    const fresh = goHost && (a.verdict === 'untrusted' || a.verdict === 'incomplete') && age >= -300 && age < FRESH_LEAF_SECONDS;
    const shared = goHost || product ? this.sharedWith(a, host) : [];
    const values = { issuer, ...(product !== undefined ? { product } : {}) };

    const signals: Message[] = [];
    if (unexpectedIssuer) signals.push(msg`issuer O=${leaf.issuerOrg ?? '(none)'} where ${h} is served by ${expected.join(' / ')}`);
    if (keyReuse) signals.push(msg`the leaf reuses its issuer's public key`);
    if (fresh) signals.push(msg`the leaf was minted ${minutes(age)} before the capture`);
    if (shared.length > 0) signals.push(msg`the same leaf key was presented for ${shared.join(', ')}`);
    const severity = interceptionSeverity(a, accepted);

    if (product || accepted) {
      const name = product ?? issuer;
      return [
        {
          id: 'tls-interception',
          severity,
          host,
          values,
          title: accepted ? msg`TLS to ${h} is inspected by ${name} (accepted in your config)` : msg`TLS to ${h} is intercepted by ${name}`,
          detail: msg`The certificate for ${h} is issued by "${leaf.issuer}", ${
            product ? msg`the TLS interception product ${product}` : msg`an interception CA your config accepts`
          }; the chain is ${a.verdict}.${signals.length > 0 ? msg` Also: ${joinMessages(signals, '; ')}.` : msg``} The interceptor decrypts and can change everything the go command sends and receives.`,
          fix: accepted
            ? msg`nothing to do: your config lists this interception as accepted`
            : a.verdict === 'trusted-by-user-ca'
              ? msg`your network re-signs TLS with \`${issuer}\`; if that is expected, list it in acceptedInterception in your gotap config, otherwise ask IT to exempt ${h}`
              : msg`your network re-signs TLS with \`${issuer}\`; set SSL_CERT_FILE to your corporate bundle (and pass it to gotap with --ca-file) or ask IT to exempt ${h}`,
        },
      ];
    }

    const drafts: FindingDraft[] = [];
    if (unexpectedIssuer) {
      drafts.push({
        id: 'tls-unexpected-issuer',
        severity: a.verdict === 'trusted-by-user-ca' ? 'info' : a.verdict === 'trusted' ? 'warn' : 'critical',
        host,
        values,
        title: msg`Certificate for ${h} is not from ${expected.join(' / ')}`,
        detail: msg`${h} is ${
          entry?.google ? msg`operated by Google, whose certificates come from Google Trust Services` : msg`expected to use certificates from ${expected.join(' / ')}`
        }, but this one is issued by "${leaf.issuer}" (chain ${a.verdict}). Something other than the real ${h} answered: an interception proxy, a mirror under this name, or a DNS hijack.${
          a.verdict === 'trusted-by-user-ca' ? msg` It verifies through your own CA, so this is explained if that CA is yours.` : msg``
        }`,
        fix:
          a.verdict === 'trusted-by-user-ca'
            ? msg`nothing to do if \`${issuer}\` is your company's CA; otherwise remove it from --ca-file/config`
            : msg`find out who issues \`${issuer}\` on your network (proxy, mirror, DNS); ask IT to exempt ${h}, or add expectedIssuerOrgs for this host in your gotap config if it is your own mirror`,
      });
    }
    if (keyReuse) {
      drafts.push({
        id: 'tls-leaf-key-reuse',
        severity,
        host,
        values,
        title: msg`Certificate for ${h} reuses its issuer's key`,
        detail: msg`The leaf for ${h} carries the same public key as "${leaf.issuer}" (chain ${a.verdict}). Real CAs never do this; interception tools such as mitmproxy do.`,
        fix: msg`find the proxy that signs with \`${issuer}\` and ask IT to exempt ${h}; if it is expected, pass its CA with --ca-file and list it in acceptedInterception`,
      });
    }
    if (shared.length > 0) {
      drafts.push({
        id: 'tls-shared-leaf-key',
        severity,
        host,
        values,
        title: msg`${h} and ${shared.join(', ')} present different certificates with one key`,
        detail: msg`The leaf for ${h} (issued by "${leaf.issuer}", chain ${a.verdict}) has the same public key as the certificates seen for ${shared.join(', ')}, which it does not cover: one box answers for unrelated hosts, as interception proxies do.`,
        fix: msg`find the device that issues \`${issuer}\` certificates on your network and ask IT to exempt ${h}`,
      });
    }
    if (fresh) {
      drafts.push({
        id: 'tls-fresh-leaf',
        severity: 'warn',
        host,
        values,
        title: msg`Certificate for ${h} was minted ${minutes(age)} before the capture`,
        detail: msg`The leaf for ${h} became valid at ${leaf.notBefore}, ${minutes(age)} before this connection, and the chain is ${a.verdict}: interception proxies mint certificates on the fly like this.`,
        fix: msg`check which device issues \`${issuer}\` on your network and ask IT to exempt ${h}`,
      });
    }
    return drafts;
  }
}

/** The judge for a chain outside a capture's flow (gotap probe): product and acceptance from the rules. */
export function judgeChain(
  judge: InterceptionJudge,
  a: ChainAssessment,
  host: string | undefined,
  entry: CatalogEntry | undefined,
  atTs: number,
  rules: readonly AcceptedInterceptionRule[] | undefined,
): FindingDraft[] {
  const product = productOf(a);
  return judge.drafts(a, host, entry, atTs, product, isAccepted(a, product, rules));
}

export function createInterceptionDetector(opts: DetectorOptions, findings: FindingScope): Detector {
  const judge = new InterceptionJudge();
  return {
    event(ev: GotapEvent, ctx: FlowContext): void {
      if (ev.type !== 'tls-certificates' || ev.dir !== 1 || !ctx.chain) return;
      const { assessment: a, product, accepted } = ctx.chain;
      const attribution = ctx.attribution;
      const evidence = handshakeEvidence(ctx, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `Certificate: leaf for ${a.leaf?.subject ?? '?'} issued by ${issuerLabel(a)}` });
      for (const d of judge.drafts(a, findingHost(attribution), entryOf(attribution, opts.catalog), ev.ts, product, accepted)) findings.report(d, evidence);
    },
  };
}
