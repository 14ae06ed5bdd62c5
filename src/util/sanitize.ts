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
