/**
 * Signs that someone re-signs TLS in the middle, beyond "does it verify": an issuer that
 * is a known interception product (named, so the user knows whom to ask); for hosts with
 * expected issuers (Google's: Google Trust Services) any other issuer; a leaf that reuses
 * its issuer's key (mitmproxy style); one leaf key across unrelated hosts; a leaf minted
 * shortly before the capture (proxies sign on the fly). When a product is named, the
 * other signs are folded into its one finding as corroboration rather than repeated.
 * `InterceptionJudge` is shared with `gotap probe`.
 */
import type { CatalogEntry, FlowAttribution } from '../../attribution/types.js';
import type { GotapEvent, TlsCertificatesEvent } from '../../protocols/events.js';
import type { Detector, FindingSink } from '../types.js';
import {
  HandshakeTracker,
  findingHost,
  interceptionSeverity,
  isAccepted,
  issuerLabel,
  leafKeyIsIssuerKey,
  productOf,
  serverNameOf,
  type TlsDetectorOptions,
} from './context.js';
import { FindingBook, type FindingDraft } from './finding-book.js';
import type { ChainAssessment } from '../../x509/trust-store.js';

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
  private readonly keys = new Map<string, Map<string, string>>();

  constructor(private readonly accepted: TlsDetectorOptions['acceptedInterception']) {}

  /** Other hosts, not covered by this leaf, whose different leaves carried the same key. */
  private sharedWith(a: ChainAssessment, host: string | undefined): string[] {
    const leaf = a.leaf;
    if (!leaf || !host || a.verdict === 'trusted') return [];
    let hosts = this.keys.get(leaf.spkiSha256);
    if (!hosts) {
      if (this.keys.size >= MAX_KEYS) {
        const oldest = this.keys.keys().next().value;
        if (oldest !== undefined) this.keys.delete(oldest);
      }
      hosts = new Map();
      this.keys.set(leaf.spkiSha256, hosts);
    }
    if (!hosts.has(host) && hosts.size < MAX_HOSTS_PER_KEY) hosts.set(host, leaf.fingerprint256);
    return [...hosts].filter(([h, fp]) => h !== host && fp !== leaf.fingerprint256 && !sanCovers(leaf.subjectAltName, h)).map(([h]) => h);
  }

  /** Findings for one chain at capture time `atTs` (seconds). */
  drafts(a: ChainAssessment, host: string | undefined, entry: CatalogEntry | undefined, atTs: number): FindingDraft[] {
    const leaf = a.leaf;
    if (!leaf) return [];
    const h = host ?? 'this server';
    const product = productOf(a);
    const accepted = isAccepted(a, product, this.accepted);
    const goHost = entry !== undefined && entry.role !== 'other';
    const issuer = issuerLabel(a);
    const expected = entry?.expectedIssuerOrgs;
    const unexpectedIssuer = expected !== undefined && expected.length > 0 && !expected.includes(leaf.issuerOrg ?? '');
    const keyReuse = leafKeyIsIssuerKey(a);
    const age = atTs - Date.parse(leaf.notBefore) / 1000;
    const fresh = goHost && (a.verdict === 'untrusted' || a.verdict === 'incomplete') && age >= -300 && age < FRESH_LEAF_SECONDS;
    const shared = goHost || product ? this.sharedWith(a, host) : [];

    const signals: string[] = [];
    if (unexpectedIssuer) signals.push(`issuer O=${leaf.issuerOrg ?? '(none)'} where ${h} is served by ${expected.join(' / ')}`);
    if (keyReuse) signals.push('the leaf reuses its issuer\'s public key');
    if (fresh) signals.push(`the leaf was minted ${minutes(age)} before the capture`);
    if (shared.length > 0) signals.push(`the same leaf key was presented for ${shared.join(', ')}`);
    const severity = interceptionSeverity(a, accepted);

    if (product || accepted) {
      const name = product ?? issuer;
      return [
        {
          id: 'tls-interception',
          severity,
          host,
          title: accepted ? `TLS to ${h} is inspected by ${name} (accepted in your config)` : `TLS to ${h} is intercepted by ${name}`,
          detail:
            `The certificate for ${h} is issued by "${leaf.issuer}", ${product ? `the TLS interception product ${product}` : 'an interception CA your config accepts'}` +
            `; the chain is ${a.verdict}.` +
            (signals.length > 0 ? ` Also: ${signals.join('; ')}.` : '') +
            ' The interceptor decrypts and can change everything the go command sends and receives.',
          fix: accepted
            ? 'nothing to do: your config lists this interception as accepted'
            : a.verdict === 'trusted-by-user-ca'
              ? `your network re-signs TLS with \`${issuer}\`; if that is expected, list it in acceptedInterception in your gotap config, otherwise ask IT to exempt ${h}`
              : `your network re-signs TLS with \`${issuer}\`; set SSL_CERT_FILE to your corporate bundle (and pass it to gotap with --ca-file) or ask IT to exempt ${h}`,
        },
      ];
    }

    const drafts: FindingDraft[] = [];
    if (unexpectedIssuer) {
      drafts.push({
        id: 'tls-unexpected-issuer',
        severity: a.verdict === 'trusted-by-user-ca' ? 'info' : a.verdict === 'trusted' ? 'warn' : 'critical',
        host,
        title: `Certificate for ${h} is not from ${expected.join(' / ')}`,
        detail:
          `${h} is ${entry?.google ? 'operated by Google, whose certificates come from Google Trust Services' : `expected to use certificates from ${expected.join(' / ')}`}, ` +
          `but this one is issued by "${leaf.issuer}" (chain ${a.verdict}). Something other than the real ${h} answered: an interception proxy, a mirror under this name, or a DNS hijack.` +
          (a.verdict === 'trusted-by-user-ca' ? ' It verifies through your own CA, so this is explained if that CA is yours.' : ''),
        fix:
          a.verdict === 'trusted-by-user-ca'
            ? `nothing to do if \`${issuer}\` is your company's CA; otherwise remove it from --ca-file/config`
            : `find out who issues \`${issuer}\` on your network (proxy, mirror, DNS); ask IT to exempt ${h}, or add expectedIssuerOrgs for this host in your gotap config if it is your own mirror`,
      });
    }
    if (keyReuse) {
      drafts.push({
        id: 'tls-leaf-key-reuse',
        severity,
        host,
        title: `Certificate for ${h} reuses its issuer's key`,
        detail: `The leaf for ${h} carries the same public key as "${leaf.issuer}" (chain ${a.verdict}). Real CAs never do this; interception tools such as mitmproxy do.`,
        fix: `find the proxy that signs with \`${issuer}\` and ask IT to exempt ${h}; if it is expected, pass its CA with --ca-file and list it in acceptedInterception`,
      });
    }
    if (shared.length > 0) {
      drafts.push({
        id: 'tls-shared-leaf-key',
        severity,
        host,
        title: `${h} and ${shared.join(', ')} present different certificates with one key`,
        detail: `The leaf for ${h} (issued by "${leaf.issuer}", chain ${a.verdict}) has the same public key as the certificates seen for ${shared.join(', ')}, which it does not cover: one box answers for unrelated hosts, as interception proxies do.`,
        fix: `find the device that issues \`${issuer}\` certificates on your network and ask IT to exempt ${h}`,
      });
    }
    if (fresh) {
      drafts.push({
        id: 'tls-fresh-leaf',
        severity: 'warn',
        host,
        title: `Certificate for ${h} was minted ${minutes(age)} before the capture`,
        detail: `The leaf for ${h} became valid at ${leaf.notBefore}, ${minutes(age)} before this connection, and the chain is ${a.verdict}: interception proxies mint certificates on the fly like this.`,
        fix: `check which device issues \`${issuer}\` on your network and ask IT to exempt ${h}`,
      });
    }
    return drafts;
  }
}

export function createInterceptionDetector(opts: TlsDetectorOptions, sink: FindingSink): Detector {
  const book = new FindingBook(sink);
  const frames = new HandshakeTracker();
  const judge = new InterceptionJudge(opts.acceptedInterception);

  function onCertificates(ev: TlsCertificatesEvent, attribution: FlowAttribution): void {
    const a = opts.trust.assessEvent(ev, serverNameOf(attribution));
    const host = findingHost(attribution);
    const entry = attribution.entry ?? (attribution.host === undefined ? undefined : opts.catalog.lookup(attribution.host));
    const evidence = frames.evidence(ev.flowId, { packet: ev.packet, ts: ev.ts, flowId: ev.flowId, what: `Certificate: leaf for ${a.leaf?.subject ?? '?'} issued by ${issuerLabel(a)}` });
    for (const d of judge.drafts(a, host, entry, ev.ts)) book.report(d, evidence);
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
