/**
 * Strings from packets are attacker-controlled data. Before one reaches a terminal,
 * every character that could move the cursor, change colours, set the clipboard
 * (OSC 52), plant a hyperlink (OSC 8) or reorder what the reader sees (bidi
 * overrides) is replaced by a visible escape. ESC itself is escaped, so no
 * sequence survives. JSON output keeps the exact string instead.
 */

// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and marks,
// line/paragraph separators, zero-width and BOM characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Make a packet-derived string inert for a terminal line. Lone surrogates become U+FFFD. */
export function sanitizeTerminal(s: string): string {
  return s.toWellFormed().replace(UNSAFE, escapeChar);
}

/** Sanitise and cut to at most `max` characters (… marks the cut). */
export function sanitizeShort(s: string, max: number): string {
  const clean = sanitizeTerminal(s);
  return clean.length <= max ? clean : `${clean.slice(0, Math.max(0, max - 1))}…`;
}

// Every ASCII character Markdown gives a meaning to inline (emphasis, code, links,
// images, HTML and entities, tables, headings, strikethrough) — backslash-escaped so
// a packet string renders as the literal text it is. `&` stops "&#x202e;" from
// becoming the bidi override it names once rendered.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>#|&~!]/g;

/**
 * Make a packet-derived string inert in Markdown (and, through sanitizeTerminal, on a
 * terminal that shows the .md file): control characters, ESC sequences and bidi
 * overrides become visible escapes (line breaks included, so a table row stays one
 * row), and Markdown syntax is backslash-escaped. Cut to `max` characters when given.
 */
export function sanitizeMarkdown(s: string, max?: number): string {
  const clean = max === undefined ? sanitizeTerminal(s) : sanitizeShort(s, max);
  return clean.replace(MARKDOWN_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * A Markdown code span holding `s` literally: terminal-unsafe characters escaped as above,
 * and a backtick fence longer than any backtick run inside (CommonMark §6.1), padded when
 * the text starts or ends with a backtick.
 */
export function markdownCode(s: string): string {
  const clean = sanitizeTerminal(s);
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** RFC 4180 field: quoted (with doubled quotes) when it holds a quote, comma or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

// Leading characters that make Excel, LibreOffice or Google Sheets evaluate a cell as a formula.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A packet-derived CSV cell: control characters, ESC sequences and bidi overrides made
 * visible (sanitizeTerminal), a formula prefix neutralised with a leading `'` (OWASP CSV
 * injection), then RFC 4180 quoting.
 */
export function sanitizeCsvCell(s: string): string {
  const clean = sanitizeTerminal(s);
  return csvField(FORMULA_START.test(s) || FORMULA_START.test(clean) ? `'${clean}` : clean);
}
