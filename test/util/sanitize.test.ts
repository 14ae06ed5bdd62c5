/**
 * The escaping rules for packet strings: terminal (control characters, ESC sequences,
 * C1, bidi), Markdown (syntax escaped on top) and CSV (formula prefixes, RFC 4180 quoting).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, sanitizeCsvCell, sanitizeMarkdown, sanitizeTerminal } from '../../src/util/sanitize.js';

// ESC, C1 (CSI 0x9b, OSC 0x9d), DEL, other C0, bidi overrides/isolates, line separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

describe('sanitizeTerminal', () => {
  it('makes ESC sequences, OSC 8/52, C1 controls and bidi overrides visible text', () => {
    expect(sanitizeTerminal('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(sanitizeTerminal('\x1b]8;;http://evil\x07x')).toBe('\\x1b]8;;http://evil\\x07x');
    expect(sanitizeTerminal('\x1b]52;c;ZXZpbA==\x07')).toBe('\\x1b]52;c;ZXZpbA==\\x07');
    expect(sanitizeTerminal('\u009b2J')).toBe('\\x9b2J');
    expect(sanitizeTerminal('moc.\u202egolang.org')).toBe('moc.\\u{202e}golang.org');
  });
});

describe('sanitizeMarkdown', () => {
  it('escapes every inline Markdown character and keeps the text readable', () => {
    expect(sanitizeMarkdown('a|b`c*d_e[f](g)<h>#i&j~k!l\\m')).toBe('a\\|b\\`c\\*d\\_e\\[f\\](g)\\<h\\>\\#i\\&j\\~k\\!l\\\\m');
  });

  it('turns line breaks and control characters into visible escapes, with their backslash escaped', () => {
    expect(sanitizeMarkdown('x\ny\r\x1b[31m\u202e')).toBe('x\\\\x0ay\\\\x0d\\\\x1b\\[31m\\\\u{202e}');
  });

  it('cuts to the given length', () => {
    expect(sanitizeMarkdown('abcdefghij', 5)).toBe('abcd…');
  });

  it('never lets an unsafe character, a line break or an unescaped table pipe through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = sanitizeMarkdown(s);
        expect(out).not.toMatch(UNSAFE);
        expect(out).not.toMatch(/(^|[^\\])(\\\\)*\|/);
      }),
    );
  });
});

describe('sanitizeCsvCell', () => {
  it('neutralises formula prefixes with a leading quote', () => {
    for (const s of ['=HYPERLINK("http://evil")', '+1', '-1+1', '@SUM(A1)']) expect(sanitizeCsvCell(s).replace(/^"/, '')).toMatch(/^'/);
    expect(sanitizeCsvCell('\t=1')).toBe("'\\x09=1");
    expect(sanitizeCsvCell('\r=1')).toBe("'\\x0d=1");
    expect(sanitizeCsvCell('proxy.golang.org')).toBe('proxy.golang.org');
  });

  it('quotes per RFC 4180 after escaping', () => {
    expect(sanitizeCsvCell('=a,"b"')).toBe('"\'=a,""b"""');
    expect(sanitizeCsvCell('a\nb')).toBe('a\\x0ab');
    expect(csvField('x,y')).toBe('"x,y"');
  });

  it('never lets an unsafe character or a bare line break through, and always parses back to one field', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const cell = sanitizeCsvCell(s);
        expect(cell).not.toMatch(UNSAFE);
        const quoted = cell.startsWith('"');
        if (quoted) expect(cell.slice(1, -1).replaceAll('""', '')).not.toContain('"');
        else expect(cell).not.toMatch(/[",]/);
        const value = quoted ? cell.slice(1, -1).replaceAll('""', '"') : cell;
        expect(value).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});
