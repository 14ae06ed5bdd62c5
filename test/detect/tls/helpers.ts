/** Runs a real capture through the pipeline's enrichment (real Attributor, chain facts) and the TLS detectors. */
import { resolve } from 'node:path';
import { HostCatalog } from '../../../src/attribution/catalog.js';
import { createDetectors, DETECTORS } from '../../../src/detect/index.js';
import type { Finding } from '../../../src/detect/types.js';
import type { AcceptedInterceptionRule } from '../../../src/enrich/chain-fact.js';
import { Enricher } from '../../../src/enrich/enricher.js';
import { FindingStore } from '../../../src/findings/store.js';
import type { CertificateSummary } from '../../../src/model/types.js';
import { analyzeCapture } from '../../../src/pipeline/analyze.js';
import { TrustStore } from '../../../src/x509/trust-store.js';
import { repoRoot } from '../../corpus.js';

export const capture = (rel: string): string => resolve(repoRoot, rel);

export interface TlsRun {
  findings: Finding[];
  summaries: CertificateSummary[];
}

const TLS_DETECTORS = DETECTORS.filter((d) => d.name.startsWith('TLS '));

export async function runTls(rel: string, opts: { caFiles?: string[]; accepted?: AcceptedInterceptionRule[] } = {}): Promise<TlsRun> {
  const trust = await TrustStore.create({ caFiles: opts.caFiles?.map(capture) });
  const catalog = new HostCatalog();
  const enricher = new Enricher({ catalog, trust, ...(opts.accepted ? { acceptedInterception: opts.accepted } : {}) });
  const summaries: CertificateSummary[] = [];
  const store = new FindingStore(() => undefined);
  const detectors = createDetectors({ catalog }, store, TLS_DETECTORS);
  await analyzeCapture(capture(rel), {
    flowStarted(flow) {
      enricher.flowStarted(flow);
    },
    event(ev) {
      const ctx = enricher.event(ev);
      if (ev.type === 'tls-certificates' && ev.dir === 1 && ctx.chain) summaries.push(ctx.chain.summary);
      for (const d of detectors) d.detector.event?.(ev, ctx);
    },
    flowEnded(flow) {
      const ctx = enricher.flowEnded(flow);
      for (const d of detectors) d.detector.flowEnded?.(flow, ctx);
      enricher.drop(flow.id);
    },
  });
  for (const d of detectors) d.detector.finish?.();
  store.finish();
  return { findings: store.findings(), summaries };
}
