/**
 * The whole CLI on every file of the shared robustness corpus: no crash, no hang (< 5 s),
 * bounded memory (a 96 MB heap cap turns unbounded growth into a failure), and the packet
 * count tshark reports for the readable part. Skips when ../shared/corpus is absent.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { corpusAvailable, corpusDir, corpusFiles, expectedPacketCounts } from '../corpus.js';
import { captureOf, gotap, ndjson } from './cli.js';

/** Files whose section header block is corrupt: the reader reads 0 packets; the CLI refuses them (exit 2), as tshark does. */
const HEADER_UNREADABLE = new Set(['libpcap/shb-option-too-long.pcapng']);

describe.skipIf(!corpusAvailable)('gotap replay on the robustness corpus', () => {
  for (const name of corpusFiles()) {
    it(name, () => {
      const want = expectedPacketCounts[name];
      const ours = typeof want === 'object' ? want.ours : want;
      const r = gotap(['replay', '--format', 'ndjson', join(corpusDir, name)], { timeoutMs: 5000, nodeOptions: ['--max-old-space-size=96'] });
      expect(r.signal, 'finished within 5 s').toBeNull();
      expect(r.stderr).not.toMatch(/internal error/);
      if (HEADER_UNREADABLE.has(name)) {
        expect(ours).toBe(0);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^gotap: [^\n]+: unreadable capture header: [^\n]+ — the file is damaged: copy it again, or capture again with tcpdump -w\n$/);
        return;
      }
      if (ours === 'unsupported') {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^gotap: [^:]+: unsupported pcap(ng)? version .* — convert it with `editcap -F pcapng IN OUT`\n$/);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        return;
      }
      expect(r.code).toBe(0);
      const records = ndjson(r.stdout);
      const capture = captureOf(records);
      expect(capture.packets).toBe(ours);
      // A truncated file says so on stderr, and --strict turns it into exit 3.
      if (capture.truncated !== null) {
        expect(r.stderr).toMatch(/^gotap: warning: .*results cover the readable part/);
        expect(gotap(['replay', '--strict', join(corpusDir, name)], { timeoutMs: 5000 }).code).toBe(3);
      }
    });
  }
});
