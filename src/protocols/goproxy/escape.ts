/**
 * The module proxy's case encoding (golang.org/x/mod/module EscapePath /
 * UnescapePath): an upper-case letter is sent as '!' + its lower-case form, so
 * paths survive case-insensitive file systems. Decoding refuses what Go refuses:
 * '!' not followed by a lower-case letter, a bare upper-case letter, non-ASCII.
 */
import { isValidModulePath } from './modpath.js';

/** Case-decodes; undefined when the escaping is invalid. */
export function unescapeCase(escaped: string): string | undefined {
  let out = '';
  let bang = false;
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (bang) {
      bang = false;
      if (c < 0x61 || c > 0x7a) return undefined;
      out += String.fromCharCode(c - 0x20);
    } else if (c === 0x21) {
      bang = true;
    } else if (c >= 0x41 && c <= 0x5a) {
      return undefined;
    } else {
      out += escaped[i];
    }
  }
  return bang ? undefined : out;
}

/** Case-encodes: each upper-case ASCII letter becomes '!' + lower case. */
export function escapeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Decodes an escaped module path; undefined when the escaping or the decoded path is invalid. */
export function decodeModulePath(escaped: string): string | undefined {
  const path = unescapeCase(escaped);
  return path !== undefined && isValidModulePath(path) ? path : undefined;
}

export function encodeModulePath(path: string): string {
  return escapeCase(path);
}

/** Decodes an escaped version; undefined when the escaping is invalid or it is empty or holds '/'. */
export function decodeVersion(escaped: string): string | undefined {
  const v = unescapeCase(escaped);
  return v !== undefined && v !== '' && !v.includes('/') ? v : undefined;
}

export function encodeVersion(version: string): string {
  return escapeCase(version);
}
