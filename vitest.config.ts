import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three groups, run one after the other (`sequence.groupOrder`):
 * - unit: everything but test/e2e, in-process and CPU-bound (some tests bound CPU time):
 *   vitest's default worker count, cores - 1;
 * - e2e: tests that spawn the built CLI and wait for it, so a worker mostly sleeps while its
 *   child works: one file per core and one more keeps the cores busy;
 * - e2e-serial: tests that measure wall time (the corpus's 5 s no-hang bound), drive a
 *   terminal in tmux with key timing, or run the Go lab in network namespaces (root): one
 *   at a time, after the rest, so other tests' load does not make them flaky.
 * `npm run test:unit` runs only the first; `npm test` runs all three.
 */
const SERIAL = ['corpus', 'dashboard', 'live-ui', 'lab', 'live-watch-lab'].map((name) => `test/e2e/${name}.test.ts`);
const cores = availableParallelism();

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.{ts,tsx}'], exclude: ['test/e2e/**'], maxWorkers: Math.max(cores - 1, 1), sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // Several CLI runs per test: the per-run timeout (test/e2e/cli.ts) is the real bound.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: SERIAL, maxWorkers: cores + 1, testTimeout: 120_000, sequence: { groupOrder: 1 } },
      },
      { extends: true, test: { name: 'e2e-serial', include: SERIAL, maxWorkers: 1, sequence: { groupOrder: 2 } } },
    ],
  },
});
