/** `gotap replay --ui/--speed` outside a terminal: clear usage errors, and paced plain output. */
import { describe, expect, test } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { gotap } from './cli.js';

const clean = 'captures/lab/clean/capture.pcap';

describe('replay --ui and --speed without a terminal', () => {
  test('--ui without a TTY is one clear error line and a usage exit', () => {
    const r = gotap(['replay', clean, '--ui']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('gotap: --ui needs a terminal (standard input and output must be a TTY) — run it in a terminal, or leave out --ui for text or --format ndjson\n');
  });

  test('a bad --speed is a usage error', () => {
    const r = gotap(['replay', clean, '--speed', 'fast']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe("gotap: option '--speed <speed>' argument 'fast' is invalid — expected 1, 10 (any positive number) or max (gotap replay --help)\n");
  });

  test('--speed paces plain output at capture time and changes nothing in it', () => {
    const fast = gotap(['replay', clean, '--format', 'ndjson']);
    const paced = gotap(['replay', clean, '--format', 'ndjson', '--speed', '0.2']);
    expect(fast.code).toBe(0);
    expect(paced.code).toBe(0);
    expect(paced.stdout).toBe(fast.stdout);
    // the capture spans 0.235 s: at 0.2× it cannot take less than 1.17 s
    expect(paced.ms).toBeGreaterThan(1100);
  });

  test('a paced gzip capture reports the same facts as an unpaced one', () => {
    const fast = gotap(['replay', 'captures/basic.pcap.gz', '--format', 'ndjson']);
    const paced = gotap(['replay', 'captures/basic.pcap.gz', '--format', 'ndjson', '--speed', '1000']);
    expect(fast.code).toBe(0);
    expect(paced.stdout).toBe(fast.stdout);
    expect(paced.stdout).toContain('"gzip":true');
  });

  test('--speed needs a file', () => {
    const r = gotap(['replay', '-', '--speed', '1'], { input: Buffer.alloc(0) });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe('gotap: standard input: cannot be paced with --speed: it is read as it arrives — leave out --speed, or give a file\n');
  });

  test('a missing file with --speed is the usual input error', () => {
    const r = gotap(['replay', 'no-such.pcap', '--speed', '1']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toBe('gotap: no-such.pcap: no such file — check the path\n');
  });
});
