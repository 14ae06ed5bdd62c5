import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/detect/index.js';
import { parseGoPolicy } from '../../src/detect/policy/index.js';
import { createInspector, inspectCapture } from '../../src/pipeline/inspect.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';
import { TrustStore } from '../../src/x509/trust-store.js';
import { repoRoot } from '../corpus.js';

const lab = (s: string): string => resolve(repoRoot, 'captures/lab', s, 'capture.pcap');

describe('the inspector', () => {
  it('isolates a detector that throws: counted once as a problem, the others still report', async () => {
    const trust = await TrustStore.create({ caFiles: [resolve(repoRoot, 'captures/lab/intercept/trusted-ca.pem')] });
    const boom = { name: 'boom', create: () => ({ event: () => { throw new Error('kaput'); } }) };
    const { model } = await inspectCapture(lab('intercept'), { trust, policy: parseGoPolicy({}), detectors: [boom, ...DETECTORS] });
    expect(model.capture.problems['detector failed: boom (kaput)']).toBe(1);
    expect(model.findings.map((f) => f.id)).toContain('tls-interception');
  });

  it('keeps flow contexts bounded by the flow table, and none once the capture ended', async () => {
    const trust = await TrustStore.create();
    const inspector = createInspector({ trust });
    let max = 0;
    const output = {
      ...inspector.output,
      event: (ev: Parameters<typeof inspector.output.event>[0]) => {
        inspector.output.event(ev);
        max = Math.max(max, inspector.openFlows());
      },
    };
    await analyzeCapture(lab('clean'), output, { limits: { maxFlows: 2 } });
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(2);
    expect(inspector.openFlows()).toBe(0);
  });
});
