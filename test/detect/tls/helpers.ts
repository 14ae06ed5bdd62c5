/** Runs a real capture through the pipeline, the real Attributor and the TLS detectors. */
import { resolve } from 'node:path';
import { Attributor } from '../../../src/attribution/attributor.js';
import { HostCatalog } from '../../../src/attribution/catalog.js';
import type { Finding } from '../../../src/detect/types.js';
import type { AcceptedInterceptionRule } from '../../../src/detect/tls/context.js';
import { createCertificateChainDetector } from '../../../src/detect/tls/certificate-chain.js';
import { createDowngradeDetector } from '../../../src/detect/tls/downgrade.js';
import { createInterceptionDetector } from '../../../src/detect/tls/interception.js';
import { TrustStore } from '../../../src/x509/trust-store.js';
import type { CertificateSummary } from '../../../src/model/types.js';
import { analyzeCapture } from '../../../src/pipeline/analyze.js';
import { repoRoot } from '../../corpus.js';

export const capture = (rel: string): string => resolve(repoRoot, rel);

export interface TlsRun {
  findings: Finding[];
  summaries: CertificateSummary[];
}

export async function runTls(rel: string, opts: { caFiles?: string[]; accepted?: AcceptedInterceptionRule[] } = {}): Promise<TlsRun> {
  const trust = await TrustStore.create({ caFiles: opts.caFiles?.map(capture) });
  const catalog = new HostCatalog();
  const attributor = new Attributor(catalog);
  const findings: Finding[] = [];
  const summaries: CertificateSummary[] = [];
  const options = { trust, catalog, acceptedInterception: opts.accepted, onCertificate: (_e: unknown, _a: unknown, s: CertificateSummary) => summaries.push(s) };
  const sink = (f: Finding): void => void findings.push(f);
  const detectors = [createCertificateChainDetector(options, sink), createInterceptionDetector(options, sink), createDowngradeDetector(options, sink)];
  await analyzeCapture(capture(rel), {
    event(ev) {
      attributor.event(ev);
      const a = attributor.attributionOf(ev.flowId);
      for (const d of detectors) d.event?.(ev, a);
    },
    flowEnded(flow) {
      attributor.flowStarted(flow);
      const a = attributor.flowEnded(flow.id);
      for (const d of detectors) d.flowEnded?.(flow, a);
    },
  });
  for (const d of detectors) d.finish?.();
  return { findings, summaries };
}
