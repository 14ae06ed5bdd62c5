/**
 * Every detector, in one list: the composition root (src/pipeline/inspect.ts) and any
 * other runner (live mode) get the same set from here, so adding a detector is one line.
 */
import type { HostCatalog } from '../attribution/catalog.js';
import { createDnsDetectors } from './dns/index.js';
import { createHttpDetectors } from './http/index.js';
import { createPolicyDetector, type GoPolicy } from './policy/index.js';
import { createCertificateChainDetector, createDowngradeDetector, createInterceptionDetector } from './tls/index.js';
import type { TlsDetectorOptions } from './tls/index.js';
import type { Detector, FindingSink } from './types.js';

export interface DetectorOptions {
  trust: TlsDetectorOptions['trust'];
  catalog: HostCatalog;
  acceptedInterception?: TlsDetectorOptions['acceptedInterception'];
  /** Receives every server certificate chain with its summary (the model keeps the worst per host). */
  onCertificate?: TlsDetectorOptions['onCertificate'];
  /** The go command's effective GOPROXY/GOSUMDB/GOPRIVATE … settings. */
  policy?: GoPolicy;
  /** HTTP proxies the user expects ("127.0.0.9:3128"), from the config. */
  httpProxies?: string[];
}

export function createDetectors(opts: DetectorOptions, sink: FindingSink): Detector[] {
  const tls: TlsDetectorOptions = {
    trust: opts.trust,
    catalog: opts.catalog,
    ...(opts.acceptedInterception !== undefined ? { acceptedInterception: opts.acceptedInterception } : {}),
    ...(opts.onCertificate !== undefined ? { onCertificate: opts.onCertificate } : {}),
  };
  return [
    createCertificateChainDetector(tls, sink),
    createInterceptionDetector(tls, sink),
    createDowngradeDetector(tls, sink),
    ...createDnsDetectors({ catalog: opts.catalog }, sink),
    ...createHttpDetectors(
      {
        catalog: opts.catalog,
        ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
        ...(opts.httpProxies !== undefined ? { httpProxies: opts.httpProxies } : {}),
      },
      sink,
    ),
    ...(opts.policy !== undefined ? [createPolicyDetector({ catalog: opts.catalog, policy: opts.policy }, sink)] : []),
  ];
}
