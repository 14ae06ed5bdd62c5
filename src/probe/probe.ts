/**
 * `gotap probe`: the active check for what a capture cannot show. Go talks TLS 1.3 to
 * Google, so the certificate travels encrypted; connecting ourselves (with SNI, as the go
 * command does) shows the chain the network presents now. Each name is resolved through
 * the system resolver and every resolver given, each distinct address is connected to,
 * and the chain is judged by the same trust store and the same finding rules as a
 * capture (`chainDrafts`, `InterceptionJudge`, `downgradeDraft`), at the current time.
 * Network failures are results, never exceptions.
 */
import { Resolver, lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { connect, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import type { CatalogEntry } from '../attribution/types.js';
import { chainDrafts, downgradeDraft, InterceptionJudge } from '../detect/tls/index.js';
import type { Evidence, Finding } from '../findings/types.js';
import { assessChainFact, type AcceptedInterceptionRule } from '../enrich/chain-fact.js';
import { FindingStore } from '../findings/store.js';
import type { CertificateSummary } from '../model/types.js';
import type { ChainAssessment, TrustStore } from '../x509/trust-store.js';

export interface ProbeOptions {
  port?: number;
  /** Connect to this address only, skipping name resolution. */
  address?: string;
  /** DNS servers to ask besides the system resolver ("8.8.8.8", "127.0.0.53:5353"). */
  resolvers?: string[];
  timeoutMs: number;
  trust: TrustStore;
  catalog: { lookup(host: string, path?: string): CatalogEntry | undefined };
  acceptedInterception?: AcceptedInterceptionRule[];
  /** Shared across the hosts of one run, so one leaf key seen for unrelated hosts is noticed. */
  judge?: InterceptionJudge;
}

export interface ProbeResolution {
  /** "system" or the resolver address. */
  resolver: string;
  addresses: string[];
  error?: string;
}

export interface ProbeConnection {
  address: string;
  port: number;
  error?: string;
  /** "TLSv1.3" as Node names it. */
  tlsVersion?: string;
  alpn?: string;
  certificate?: CertificateSummary;
  assessment?: ChainAssessment;
}

export interface ProbeResult {
  host: string;
  port: number;
  role: string;
  resolutions: ProbeResolution[];
  connections: ProbeConnection[];
  findings: Finding[];
}

const TLS_VERSIONS: Record<string, number> = { TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };
/** Certificates taken from one peer chain at most. */
const MAX_CHAIN = 16;

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/** DER certificates of the peer chain, leaf first, following issuerCertificate until it repeats. */
function peerChain(leaf: DetailedPeerCertificate | PeerCertificate): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<unknown>();
  let cur: DetailedPeerCertificate | undefined = leaf as DetailedPeerCertificate;
  while (cur && cur.raw && !seen.has(cur) && out.length < MAX_CHAIN) {
    seen.add(cur);
    out.push(new Uint8Array(cur.raw));
    if (cur.issuerCertificate === cur) break;
    cur = cur.issuerCertificate;
  }
  return out;
}

interface Handshake {
  certs: Uint8Array[];
  protocol?: string;
  alpn?: string;
}

function handshake(address: string, port: number, servername: string | undefined, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: address, port, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const result = {
        certs: peerChain(socket.getPeerCertificate(true)),
        protocol: socket.getProtocol() ?? undefined,
        alpn: socket.alpnProtocol || undefined,
      };
      socket.destroy();
      resolvePromise(result);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

async function resolveAll(host: string, opts: ProbeOptions): Promise<ProbeResolution[]> {
  const out: ProbeResolution[] = [];
  try {
    const addrs = await lookup(host, { all: true, verbatim: true });
    out.push({ resolver: 'system', addresses: [...new Set(addrs.map((a) => a.address))] });
  } catch (err) {
    out.push({ resolver: 'system', addresses: [], error: errorText(err) });
  }
  for (const server of opts.resolvers ?? []) {
    const r = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
    try {
      r.setServers([server]);
    } catch (err) {
      out.push({ resolver: server, addresses: [], error: errorText(err) });
      continue;
    }
    const answers = await Promise.allSettled([r.resolve4(host), r.resolve6(host)]);
    const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
    const failures = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => errorText(a.reason));
    const hardError = failures.find((f) => f !== 'ENODATA');
    out.push({ resolver: server, addresses, ...(addresses.length === 0 && hardError ? { error: hardError } : {}) });
  }
  return out;
}

/** Resolves, connects and judges one host. Never throws for network trouble. */
export async function probeHost(host: string, opts: ProbeOptions): Promise<ProbeResult> {
  const port = opts.port ?? 443;
  const entry = opts.catalog.lookup(host);
  const judge = opts.judge ?? new InterceptionJudge();
  const store = new FindingStore(() => undefined);
  const book = store.scope('probe');
  const literal = isIP(host) !== 0;

  const resolutions: ProbeResolution[] =
    opts.address !== undefined
      ? [{ resolver: 'given (--connect)', addresses: [opts.address] }]
      : literal
        ? [{ resolver: 'literal', addresses: [host] }]
        : await resolveAll(host, opts);
  const addresses = [...new Set(resolutions.flatMap((r) => r.addresses))];

  const connections: ProbeConnection[] = [];
  for (const address of addresses) {
    const conn: ProbeConnection = { address, port };
    connections.push(conn);
    const now = Date.now() / 1000;
    let hs: Handshake;
    try {
      hs = await handshake(address, port, literal ? undefined : host, opts.timeoutMs);
    } catch (err) {
      conn.error = errorText(err);
      continue;
    }
    conn.tlsVersion = hs.protocol;
    conn.alpn = hs.alpn;
    const where = `probe ${address}:${port}`;
    const evidence = (what: string): Evidence[] => [{ packet: 0, ts: now, flowId: 0, what: `${where}: ${what}` }];
    if (hs.certs.length === 0) {
      conn.error = 'the server sent no certificate';
      continue;
    }
    const fact = assessChainFact(opts.trust, hs.certs, { ts: now, packet: 0 }, host, opts.acceptedInterception);
    const { assessment: a, product, accepted } = fact;
    conn.assessment = a;
    conn.certificate = fact.summary;
    const certWhat = `${hs.protocol ?? 'TLS'} chain of ${a.chainLength}, leaf issued by ${a.leaf?.issuer ?? '?'}, ${a.verdict}`;
    for (const d of chainDrafts(a, host, { ...(product !== undefined ? { product } : {}), accepted })) book.report(d, evidence(certWhat));
    for (const d of judge.drafts(a, host, entry, now, product, accepted)) book.report(d, evidence(certWhat));
    const version = hs.protocol === undefined ? undefined : TLS_VERSIONS[hs.protocol];
    if (version !== undefined && version < 0x0304 && entry && entry.role !== 'other') {
      book.report(downgradeDraft(host, version, entry.google === true), evidence(`offered TLS 1.3, server chose ${hs.protocol}`));
    }
  }
  return { host, port, role: entry?.role ?? 'other', resolutions, connections, findings: store.findings() };
}
