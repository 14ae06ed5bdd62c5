/**
 * GOPRIVATE/GONOPROXY/GONOSUMDB/GOINSECURE matching exactly as the go command does it:
 * a port of Go's `path.Match` (shell globs where `*` and `?` never cross '/') and of
 * golang.org/x/mod `module.MatchPrefixPatterns` (a glob with N slashes is matched
 * against the first N+1 elements of the module path). Hand-ported rather than mapped
 * onto a JS glob library because the edge cases (escapes in classes, malformed
 * patterns silently never matching, trailing-slash trimming) decide whether a private
 * module leaks, so they must be Go's, not minimatch's.
 */

/** Go's `path.ErrBadPattern`. */
export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** Strings as code-point arrays: Go decodes runes for `?` and classes; literals compare equal either way. */
type Runes = string[];

function runes(s: string): Runes {
  return Array.from(s);
}

/** Next segment of the pattern: a non-star string, possibly preceded by stars. */
function scanChunk(pattern: Runes): { star: boolean; chunk: Runes; rest: Runes } {
  let p = 0;
  let star = false;
  while (p < pattern.length && pattern[p] === '*') {
    p++;
    star = true;
  }
  const body = pattern.slice(p);
  let inRange = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      if (i + 1 < body.length) i++;
    } else if (c === '[') {
      inRange = true;
    } else if (c === ']') {
      inRange = false;
    } else if (c === '*' && !inRange) {
      return { star, chunk: body.slice(0, i), rest: body.slice(i) };
    }
  }
  return { star, chunk: body, rest: [] };
}

/** A possibly escaped character inside a class; Go's getEsc. */
function getEsc(chunk: Runes): { r: string; rest: Runes } {
  let c = chunk;
  if (c.length === 0 || c[0] === '-' || c[0] === ']') throw new BadPatternError();
  if (c[0] === '\\') {
    c = c.slice(1);
    if (c.length === 0) throw new BadPatternError();
  }
  const r = c[0]!;
  // A lone surrogate is the JS image of invalid UTF-8 (Go's RuneError with width 1).
  if (r.length === 1 && r.charCodeAt(0) >= 0xd800 && r.charCodeAt(0) <= 0xdfff) throw new BadPatternError();
  const rest = c.slice(1);
  if (rest.length === 0) throw new BadPatternError();
  return { r, rest };
}

function codePoint(r: string): number {
  return r.codePointAt(0) ?? -1;
}

/** Whether chunk matches the start of s; the remainder of s on success. Throws on a malformed chunk. */
function matchChunk(chunkIn: Runes, sIn: Runes): Runes | undefined {
  let chunk = chunkIn;
  let s = sIn;
  // After a mismatch the loop keeps scanning the chunk only to validate its syntax.
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      let r = -1;
      if (!failed) {
        r = codePoint(s[0]!);
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      while (true) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          hi = h.r;
          chunk = h.rest;
        }
        if (codePoint(lo.r) <= r && r <= codePoint(hi)) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPatternError();
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? undefined : s;
}

/** Go's `path.Match(pattern, name)`: throws BadPatternError when the pattern is malformed. */
export function pathMatch(patternStr: string, nameStr: string): boolean {
  let pattern = runes(patternStr);
  let name = runes(nameStr);
  outer: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    // Trailing * matches the rest of the string unless it has a '/'.
    if (star && chunk.length === 0) return !name.includes('/');
    const t = matchChunk(chunk, name);
    // The last chunk must exhaust the name, otherwise a star could still match.
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      // Skip i+1 characters, never a '/'.
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (t2 !== undefined) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
      }
    }
    // Before answering false, check that the rest of the pattern is well formed.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, []);
    }
    return false;
  }
  return name.length === 0;
}

/** Go's `path.Match` error check alone: whether the glob is well formed. */
export function isValidGlob(glob: string): boolean {
  try {
    pathMatch(glob, '');
    return true;
  } catch {
    return false;
  }
}

/**
 * golang.org/x/mod `module.MatchPrefixPatterns(globs, target)`: whether any path prefix of
 * target matches one of the comma-separated globs. Empty and malformed globs are ignored,
 * trailing slashes on globs are dropped, and spaces are not trimmed (as in Go).
 */
export function matchPrefixPatterns(globs: string, target: string): boolean {
  let rest = globs;
  while (rest !== '') {
    let glob: string;
    const comma = rest.indexOf(',');
    if (comma >= 0) {
      glob = rest.slice(0, comma);
      rest = rest.slice(comma + 1);
    } else {
      glob = rest;
      rest = '';
    }
    if (glob.endsWith('/')) glob = glob.slice(0, -1);
    if (glob === '') continue;

    // A glob with N slashes is matched against the first N+1 elements of target.
    let n = glob.split('/').length - 1;
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] === '/') {
        if (n === 0) {
          prefix = target.slice(0, i);
          break;
        }
        n--;
      }
    }
    if (n > 0) continue;
    try {
      if (pathMatch(glob, prefix)) return true;
    } catch {
      // Go ignores malformed patterns (parseGoPolicy warns about them).
    }
  }
  return false;
}
