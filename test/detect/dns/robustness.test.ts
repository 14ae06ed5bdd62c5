/**
 * The DNS, HTTP and policy detectors over every real capture in the repo and the shared
 * malformed corpus: they must never throw, and every finding they emit must be complete
 * (id, severity, title, fix, bounded evidence with frame numbers).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../../src/capture/types.js';
import { createDnsAnswerAddressDetector } from '../../../src/detect/dns/answer-addresses.js';
import { createDnsConflictDetector } from '../../../src/detect/dns/conflicting-responses.js';
import { createDnsErrorDetector } from '../../../src/detect/dns/error-for-go-host.js';
import { createDnsResolverDisagreementDetector } from '../../../src/detect/dns/resolver-disagreement.js';
import { createConnectProxyDetector } from '../../../src/detect/http/connect-proxy.js';
import { createUnknownDownloadHostDetector } from '../../../src/detect/http/download-via-unknown-host.js';
import { createHttpPlaintextDetector } from '../../../src/detect/http/plaintext-go.js';
import { createHttpRedirectDetector } from '../../../src/detect/http/redirect-to-http.js';
import { createPolicyDetector } from '../../../src/detect/policy/policy-detector.js';
import { parseGoPolicy } from '../../../src/detect/policy/policy.js';
import type { Finding } from '../../../src/detect/types.js';
import { MAX_EVIDENCE } from '../../../src/findings/store.js';
import { corpusAvailable, corpusDir, corpusFiles, repoRoot } from '../../corpus.js';
import { runDetectors, testCatalog } from '../policy/lab.js';

const catalog = testCatalog();
const policy = parseGoPolicy({ env: { GOPROXY: 'https://goproxy.cn|https://proxy.golang.org,direct', GOPRIVATE: '*.corp.example' } });

async function detect(file: string): Promise<Finding[]> {
  const opts = { catalog, policy, httpProxies: ['http://127.0.0.9:3128'] };
  return runDetectors(file, catalog, (scope) =>
    [
      createDnsAnswerAddressDetector,
      createDnsConflictDetector,
      createDnsErrorDetector,
      createDnsResolverDisagreementDetector,
      createHttpPlaintextDetector,
      createHttpRedirectDetector,
      createUnknownDownloadHostDetector,
      createConnectProxyDetector,
      createPolicyDetector,
    ].map((make) => make(opts, scope)),
  );
}

function checkFinding(f: Finding): void {
  expect(f.id).toMatch(/^[a-z-]+$/);
  expect(['info', 'warn', 'critical']).toContain(f.severity);
  expect(f.title.length).toBeGreaterThan(0);
  expect(f.fix.length).toBeGreaterThan(0);
  expect(f.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE);
  for (const e of f.evidence) expect(Number.isInteger(e.packet) && e.packet > 0).toBe(true);
}

const repoCaptures = readdirSync(resolve(repoRoot, 'captures'))
  .filter((n) => /\.pcap(ng)?(\.gz)?$/.test(n))
  .map((n) => resolve(repoRoot, 'captures', n));

describe('detectors over real captures', () => {
  it.each(repoCaptures)('%s', async (file) => {
    for (const f of await detect(file)) checkFinding(f);
  });
});

describe.skipIf(!corpusAvailable)('detectors over the malformed corpus', () => {
  it.each(corpusFiles())('%s', async (rel) => {
    let findings: Finding[];
    try {
      findings = await detect(join(corpusDir, rel));
    } catch (e) {
      // Files the capture reader refuses outright are its business (test/capture covers them).
      expect(e).toBeInstanceOf(CaptureError);
      return;
    }
    for (const f of findings) checkFinding(f);
  });
});
