import { describe, expect, test } from 'vitest';
import { CaptureError } from '../../src/capture/types.js';
import { captureErrorLine, errorLine, requireCaptureHeader, usageErrorLine } from '../../src/cli/error-lines.js';
import type { AnalysisSummary } from '../../src/pipeline/analyze.js';

describe('one error line', () => {
  test('the reader’s message loses the path, which the line names first', () => {
    const cases: [CaptureError, string][] = [
      [new CaptureError('not-found', 'no such file: a b.pcap'), 'gotap: a b.pcap: no such file — check the path\n'],
      [new CaptureError('unreadable', 'a b.pcap is a directory, not a capture file'), 'gotap: a b.pcap: is a directory, not a capture file — name a capture file inside it\n'],
      [new CaptureError('unreadable', 'permission denied: a b.pcap'), 'gotap: a b.pcap: permission denied — run gotap as a user who can read it (or copy the file)\n'],
      [new CaptureError('unreadable', 'read error on a b.pcap after 10 bytes: EIO'), 'gotap: a b.pcap: read error after 10 bytes: EIO — check the file and the disk it is on\n'],
      [new CaptureError('unsupported', 'unsupported pcap version 1.0'), 'gotap: a b.pcap: unsupported pcap version 1.0 — convert it with `editcap -F pcapng IN OUT`\n'],
    ];
    for (const [err, line] of cases) expect(captureErrorLine('a b.pcap', err)).toBe(line);
    expect(captureErrorLine('-', new CaptureError('not-a-capture', 'empty file'))).toMatch(/^gotap: standard input: empty file — /);
  });

  test('a path with regular-expression characters is stripped literally', () => {
    expect(captureErrorLine('x(1)+.pcap', new CaptureError('not-found', 'no such file: x(1)+.pcap'))).toBe('gotap: x(1)+.pcap: no such file — check the path\n');
  });

  test('terminal control characters in a file name are made visible', () => {
    expect(errorLine('\u001b[2Jevil', 'empty file')).not.toContain('\u001b');
  });

  test('commander’s messages become one line with what to do', () => {
    expect(usageErrorLine("error: unknown option '--formt'\n(Did you mean --format?)", 'replay')).toBe("gotap: unknown option '--formt' — did you mean --format? (gotap replay --help)\n");
    expect(usageErrorLine("error: option '--fail-on <severity>' argument 'x' is invalid. Allowed choices are info, warn, critical.", 'report')).toBe(
      "gotap: option '--fail-on <severity>' argument 'x' is invalid — allowed choices are info, warn, critical (gotap report --help)\n",
    );
    expect(usageErrorLine("error: too many arguments for 'replay'. Expected 1 argument but got 2.", 'replay')).toBe(
      "gotap: too many arguments for 'replay'. Expected 1 argument but got 2 — see gotap replay --help\n",
    );
  });

  test('a capture that ends inside its header is an error; one that ends inside a record is not', () => {
    const summary = (truncated: string | undefined, version: string | undefined) => ({ reader: { truncated, version } }) as unknown as AnalysisSummary;
    expect(() => requireCaptureHeader(summary('capture ends inside the pcap file header (6 of 24 bytes)', undefined))).toThrow(
      'too short for a capture header: it ends inside the pcap file header (6 of 24 bytes)',
    );
    expect(() => requireCaptureHeader(summary("capture ends inside packet 3's record (5 of 60 bytes)", '2.4'))).not.toThrow();
    expect(() => requireCaptureHeader(summary(undefined, '2.4'))).not.toThrow();
    expect(() => requireCaptureHeader(summary('corrupt pcapng block at byte 0: trailing length 9 differs from leading length 52; stopped reading', undefined))).toThrow(
      'unreadable capture header: corrupt pcapng block at byte 0',
    );
  });
});
