/**
 * Golden files for end-to-end outputs. A golden is written only when
 * GOTAP_UPDATE_GOLDEN=1 is set (then review the diff by hand before committing);
 * otherwise a missing or different golden fails the test.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../corpus.js';

export function expectGolden(name: string, actual: string): void {
  const file = resolve(repoRoot, 'test/e2e/golden', name);
  if (process.env.GOTAP_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `golden ${name} exists (GOTAP_UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
