/**
 * Attribution on the shared robustness corpus (malformed, truncated and fuzzed captures
 * from other projects' test suites): the Attributor never throws on whatever events the
 * analyzers make of them, and every name it reports is normalised. Skipped when
 * ../shared/corpus is absent (a fresh clone).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Attributor } from '../../src/attribution/attributor.js';
import { HostCatalog } from '../../src/attribution/catalog.js';
import { GO_ROLES } from '../../src/attribution/roles.js';
import type { FlowAttribution } from '../../src/attribution/types.js';
import { analyzeCapture } from '../../src/pipeline/analyze.js';
import { corpusAvailable, corpusDir, corpusFiles } from '../corpus.js';

describe.skipIf(!corpusAvailable)('robustness corpus', () => {
  it.each(corpusFiles())('%s', async (rel) => {
    const attributor = new Attributor(new HostCatalog(), { maxAddresses: 64 });
    const thrown: unknown[] = [];
    const finals: FlowAttribution[] = [];
    const guard = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        thrown.push(e);
      }
    };
    // A file the reader rejects outright ends analyzeCapture early; only the Attributor's behaviour is under test.
    await analyzeCapture(join(corpusDir, rel), {
      flowStarted: (flow) => guard(() => attributor.flowStarted(flow)),
      event: (ev) => guard(() => (attributor.event(ev), attributor.attributionOf(ev.flowId))),
      flowEnded: (flow) => guard(() => finals.push(attributor.flowEnded(flow.id))),
    }).catch(() => undefined);
    expect(thrown).toEqual([]);
    expect(attributor.names.size).toBeLessThanOrEqual(64);
    for (const a of finals) {
      expect(GO_ROLES).toContain(a.role);
      if (a.host !== undefined && a.nameSource !== 'none') expect(a.host).not.toMatch(/[A-Z]|^$/);
    }
  });
});
