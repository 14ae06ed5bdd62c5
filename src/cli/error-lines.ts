/**
 * Every error gotap prints is one line: `gotap: <file>: <what> — <what to do>` (the file
 * part when there is one). This module turns the three kinds of failure into that line:
 * a CaptureError (whose message comes from the capture reader and may name the path
 * itself), an InputError (a bad --config, --ca-file, --go-env or output file), and a
 * commander usage error (whose text commander would print over several lines, with the
 * help after it).
 */
import { CaptureError } from '../capture/types.js';
import type { AnalysisSummary } from '../pipeline/analyze.js';
import { sanitizeTerminal } from '../util/sanitize.js';

const CONVERT = 'give a pcap or pcapng file (tcpdump -w, Wireshark); convert other formats with `editcap -F pcapng IN OUT`';

export function errorLine(file: string | undefined, what: string, todo?: string): string {
  const name = file === undefined ? '' : `${file === '-' ? 'standard input' : file}: `;
  return `gotap: ${sanitizeTerminal(`${name}${what}${todo ? ` — ${todo}` : ''}`)}\n`;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The reader's message without the path it may contain (the line names the file first). */
function withoutPath(message: string, path: string): string {
  const p = escapeRe(path);
  return message
    .replace(new RegExp(`^${p} `), '')
    .replace(new RegExp(`: ${p}$`), '')
    .replace(new RegExp(` (on )?${p}(?=[: ])`), '');
}

function captureTodo(err: CaptureError, what: string): string | undefined {
  switch (err.code) {
    case 'not-found':
      return 'check the path';
    case 'unreadable':
      if (what.includes('directory')) return 'name a capture file inside it';
      if (what.startsWith('permission denied')) return 'run gotap as a user who can read it (or copy the file)';
      if (what.startsWith('stdin is a terminal')) return undefined;
      return 'check the file and the disk it is on';
    case 'not-a-capture':
      if (what === 'empty file') return 'the capture holds nothing: check that tcpdump -w ran and was stopped with Ctrl-C';
      if (what.startsWith('too short')) return 'the file was cut off: copy it again, or capture again with tcpdump -w';
      if (what.startsWith('unreadable capture header')) return 'the file is damaged: copy it again, or capture again with tcpdump -w';
      return CONVERT;
    case 'unsupported':
      return 'convert it with `editcap -F pcapng IN OUT`';
  }
}

export function captureErrorLine(file: string | undefined, err: CaptureError): string {
  const what = file === undefined || file === '-' ? err.message : withoutPath(err.message, file);
  return errorLine(file, what, captureTodo(err, what));
}

/**
 * A file that ends inside its capture header, or whose header block is corrupt, is not a
 * capture with 0 packets: the reader reports it as truncated with no header read (so no
 * version), and this makes it the error it is (tshark refuses such files too).
 */
export function requireCaptureHeader(summary: AnalysisSummary): void {
  const { truncated, version } = summary.reader;
  if (truncated === undefined || version !== undefined) return;
  const short = /^capture (ends inside .*)$/.exec(truncated);
  throw new CaptureError('not-a-capture', short ? `too short for a capture header: it ${short[1]!}` : `unreadable capture header: ${truncated}`);
}

/** commander's message ("error: unknown option '--formt'\n(Did you mean --format?)") as one line. */
export function usageErrorLine(message: string, command: string | undefined): string {
  const [first = '', ...rest] = message.replace(/^error: /, '').split('\n');
  const suggestion = rest.map((l) => /^\(Did you mean (.+)\?\)$/.exec(l.trim())?.[1]).find((s) => s !== undefined);
  const help = `gotap${command ? ` ${command}` : ''} --help`;
  const invalid = /^(.*? is invalid)\. (.+)$/.exec(first);
  if (invalid) return errorLine(undefined, invalid[1]!, `${invalid[2]!.replace(/^A/, 'a').replace(/\.$/, '')} (${help})`);
  return errorLine(undefined, first.replace(/\.$/, ''), suggestion ? `did you mean ${suggestion}? (${help})` : `see ${help}`);
}
