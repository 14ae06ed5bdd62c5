import { render } from 'ink-testing-library';
import { Profiler } from 'react';
import { expect, test } from 'vitest';
import { Dashboard } from '../../src/ui/dashboard.js';
import { GrowingSource } from './fixtures.js';
import { tick } from './render.js';

test('1,000 model updates within a second cause at most ~11 renders and snapshot pulls', async () => {
  const src = new GrowingSource();
  let renders = 0;
  const r = render(
    <Profiler id="dashboard" onRender={() => renders++}>
      <Dashboard source={src} title="rate" />
    </Profiler>,
  );
  await tick(50);
  const before = { renders, pulls: src.snapshotCalls, frames: r.frames.length };
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 10; j++) src.advance();
    await tick(9);
  }
  const elapsed = performance.now() - t0;
  await tick(5);
  // One render per 100 ms poll at most (about 11 for the second this takes on an idle machine;
  // the budget follows the actual elapsed time so a loaded machine does not fail the test).
  const budget = Math.ceil(elapsed / 100) + 1;
  expect(renders - before.renders).toBeGreaterThanOrEqual(3);
  expect(renders - before.renders).toBeLessThanOrEqual(budget);
  expect(src.snapshotCalls - before.pulls).toBeLessThanOrEqual(budget);
  expect(r.frames.length - before.frames).toBeLessThanOrEqual(budget);

  await tick(150);
  expect(r.lastFrame()).toContain('packets 1,000');

  // Nothing changes: no render at all.
  const idle = renders;
  await tick(350);
  expect(renders).toBe(idle);
  r.unmount();
});
