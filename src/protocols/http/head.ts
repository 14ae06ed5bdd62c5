/**
 * Collects one HTTP/1.x header section (start line + header fields) from stream
 * chunks into a bounded buffer, then splits it into a start line and (name, value)
 * pairs. Bytes are decoded as latin1 through Buffer (not TextDecoder, whose
 * "latin1" is really windows-1252 and would remap 0x80–0x9F), so strings keep
 * every byte as sent.
 */
import { malformed, type HttpAnomaly, type Malformed, type ParseStep } from '../anomaly.js';

/** Largest header section accepted (start line included). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Most header fields accepted in one section. */
export const MAX_HEADERS = 200;

const LF = 0x0a;
const CR = 0x0d;

/** What the first complete line means for the section: it ends here (HTTP/0.9), continues, or is invalid (reason). */
export type FirstLineVerdict = 'end' | 'more' | Malformed<HttpAnomaly>;

/** Shared by every buffer not in use (two per HTTP flow; most of their life they are empty). */
const EMPTY = new Uint8Array(0);

export class HeadBuffer {
  /** Allocated on first use: most flows' directions never carry a header section. */
  private buf = EMPTY;
  /** Bytes stored. */
  len = 0;
  private lineStart = 0;
  private lines = 0;

  /**
   * Appends data[start..end) up to and including the end of the header section
   * (an empty line, CRLF or bare LF). Leading empty lines are skipped, as RFC 9112
   * §2.2 allows. `firstLine` is told when the start line is complete.
   */
  push(data: Uint8Array, start: number, end: number, firstLine: (line: string) => FirstLineVerdict): ParseStep<void, HttpAnomaly> {
    let i = start;
    if (this.len === 0) while (i < end && (data[i] === CR || data[i] === LF)) i++;
    while (i < end) {
      const lf = data.indexOf(LF, i);
      const stop = lf < 0 || lf >= end ? end : lf + 1;
      if (this.len + (stop - i) > MAX_HEAD_BYTES) return { status: 'error', anomaly: 'http: header section too large', reason: `header section larger than ${MAX_HEAD_BYTES} bytes` };
      this.append(data, i, stop);
      i = stop;
      if (data[stop - 1] !== LF) break;
      // A line just ended: is it empty (end of section)?
      const lineLen = this.len - 1 - this.lineStart;
      const empty = lineLen === 0 || (lineLen === 1 && this.buf[this.lineStart] === CR);
      this.lineStart = this.len;
      if (empty && this.lines > 0) return { status: 'done', consumed: i - start, value: undefined };
      this.lines++;
      if (this.lines === 1) {
        const verdict = firstLine(this.text(0, this.len));
        if (verdict === 'end') return { status: 'done', consumed: i - start, value: undefined };
        if (verdict !== 'more') return { status: 'error', anomaly: verdict.anomaly, reason: verdict.reason };
      } else if (this.lines > MAX_HEADERS + 1) {
        return { status: 'error', anomaly: 'http: too many header fields', reason: `more than ${MAX_HEADERS} header fields` };
      }
    }
    // At least one more byte: a line end.
    return { status: 'incomplete', consumed: i - start, needed: 1 };
  }

  /** The whole section as a latin1 string. */
  content(): string {
    return this.text(0, this.len);
  }

  reset(): void {
    this.len = 0;
    this.lineStart = 0;
    this.lines = 0;
    // Give back memory a large section grew, so idle flows stay small.
    if (this.buf.length > 4096) this.buf = EMPTY;
  }

  private append(data: Uint8Array, from: number, to: number): void {
    const need = this.len + (to - from);
    if (need > this.buf.length) {
      let size = Math.max(this.buf.length * 2, 512);
      while (size < need) size *= 2;
      const grown = new Uint8Array(Math.min(size, MAX_HEAD_BYTES));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(data.subarray(from, to), this.len);
    this.len = need;
  }

  private text(from: number, to: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from, to - from).toString('latin1');
  }
}

export interface ParsedHead {
  startLine: string;
  headers: [string, string][];
}

/**
 * Splits a complete section into its start line and header fields. Values are
 * trimmed of surrounding whitespace; an obsolete folded continuation line is
 * joined to the previous value with one space (RFC 9112 §5.2).
 */
export function parseHead(section: string): ParsedHead | Malformed<HttpAnomaly> {
  const lines = section.split('\n');
  const startLine = stripCr(lines[0] ?? '');
  const headers: [string, string][] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = stripCr(lines[k]!);
    if (line === '') break;
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      const last = headers[headers.length - 1];
      if (last === undefined) return malformed('http: folded line before any header field', 'folded line before any header field');
      last[1] = trimOws(`${last[1]} ${trimOws(line)}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return malformed('http: malformed header field line', 'malformed header field line');
    headers.push([line.slice(0, colon), trimOws(line.slice(colon + 1))]);
  }
  return { startLine, headers };
}

/** Trims spaces and tabs only: String.trim would also eat latin1 0xA0 (NBSP). */
export function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** First value of a header field, by case-insensitive name. */
export function headerValue(headers: [string, string][], name: string): string | undefined {
  for (const [n, v] of headers) if (n.length === name.length && n.toLowerCase() === name) return v;
  return undefined;
}

/** All values of a header field, by case-insensitive name. */
export function headerValues(headers: [string, string][], name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n.length === name.length && n.toLowerCase() === name) out.push(v);
  return out;
}
