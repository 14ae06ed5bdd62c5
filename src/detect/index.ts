/**
 * Every detector, in one table: the composition root (src/pipeline/inspect.ts) and any
 * other runner get the same set from here. A new detector is one file exporting its
 * factory plus one line below. `name` scopes its findings in the store (keys, caps and
 * the findings-capped note); a factory may decline (return undefined) when its options
 * do not apply (no go env policy → no policy detector).
 */
import type { HostCatalog } from '../attribution/catalog.js';
import type { FindingScope, FindingStore } from '../findings/store.js';
import { createDnsAnswerAddressDetector } from './dns/answer-addresses.js';
import { createDnsConflictDetector } from './dns/conflicting-responses.js';
import { createDnsErrorDetector } from './dns/error-for-go-host.js';
import { createDnsResolverDisagreementDetector } from './dns/resolver-disagreement.js';
import { createConnectProxyDetector } from './http/connect-proxy.js';
import { createUnknownDownloadHostDetector } from './http/download-via-unknown-host.js';
import { createHttpPlaintextDetector } from './http/plaintext-go.js';
import { createHttpRedirectDetector } from './http/redirect-to-http.js';
import { createPolicyDetector } from './policy/policy-detector.js';
import type { GoPolicy } from './policy/policy.js';
import { createStreamAmbiguityDetector } from './stream/stream-ambiguity.js';
import { createCertificateChainDetector } from './tls/certificate-chain.js';
import { createDowngradeDetector } from './tls/downgrade.js';
import { createInterceptionDetector } from './tls/interception.js';
import { createCertificateNotVisibleDetector } from './tls/not-visible.js';
import { createServerHelloShapeDetector } from './tls/server-hello-shape.js';
import type { Detector } from './types.js';

export interface DetectorOptions {
  catalog: HostCatalog;
  /** The go command's effective GOPROXY/GOSUMDB/GOPRIVATE … settings. */
  policy?: GoPolicy;
  /** HTTP proxies the user expects ("127.0.0.9:3128"), from the config. */
  httpProxies?: string[];
}

export interface DetectorRegistration {
  name: string;
  create(opts: DetectorOptions, findings: FindingScope): Detector | undefined;
}

export const DETECTORS: readonly DetectorRegistration[] = [
  { name: 'TLS certificate', create: createCertificateChainDetector },
  { name: 'TLS interception', create: createInterceptionDetector },
  { name: 'TLS downgrade', create: createDowngradeDetector },
  { name: 'TLS certificate not visible', create: createCertificateNotVisibleDetector },
  { name: 'TLS ServerHello shape', create: createServerHelloShapeDetector },
  { name: 'DNS answer', create: createDnsAnswerAddressDetector },
  { name: 'DNS conflict', create: createDnsConflictDetector },
  { name: 'DNS error', create: createDnsErrorDetector },
  { name: 'DNS resolver disagreement', create: createDnsResolverDisagreementDetector },
  { name: 'plaintext HTTP', create: createHttpPlaintextDetector },
  { name: 'HTTP redirect', create: createHttpRedirectDetector },
  { name: 'unknown download host', create: createUnknownDownloadHostDetector },
  { name: 'CONNECT proxy', create: createConnectProxyDetector },
  { name: 'policy', create: createPolicyDetector },
  { name: 'stream ambiguity', create: createStreamAmbiguityDetector },
];

export interface NamedDetector {
  name: string;
  detector: Detector;
  /** Set by the runner when the detector threw: it is not called again. */
  failed?: boolean;
}

export function createDetectors(opts: DetectorOptions, store: FindingStore, registrations: readonly DetectorRegistration[] = DETECTORS): NamedDetector[] {
  const out: NamedDetector[] = [];
  for (const r of registrations) {
    const detector = r.create(opts, store.scope(r.name));
    if (detector) out.push({ name: r.name, detector });
  }
  return out;
}
