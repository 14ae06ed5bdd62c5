import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadPatternError, isValidGlob, matchPrefixPatterns, pathMatch } from '../../../src/detect/policy/match-prefix.js';

// Go's src/path/match_test.go: [pattern, name, match, bad pattern].
const GO_MATCH_TESTS: [string, string, boolean, boolean][] = [
  ['abc', 'abc', true, false],
  ['*', 'abc', true, false],
  ['*c', 'abc', true, false],
  ['a*', 'a', true, false],
  ['a*', 'abc', true, false],
  ['a*', 'ab/c', false, false],
  ['a*/b', 'abc/b', true, false],
  ['a*/b', 'a/c/b', false, false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true, false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true, false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false, false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false, false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true, false],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false, false],
  ['ab[c]', 'abc', true, false],
  ['ab[b-d]', 'abc', true, false],
  ['ab[e-g]', 'abc', false, false],
  ['ab[^c]', 'abc', false, false],
  ['ab[^b-d]', 'abc', false, false],
  ['ab[^e-g]', 'abc', true, false],
  ['a\\*b', 'a*b', true, false],
  ['a\\*b', 'ab', false, false],
  ['a?b', 'a☺b', true, false],
  ['a[^a]b', 'a☺b', true, false],
  ['a???b', 'a☺b', false, false],
  ['a[^a][^a][^a]b', 'a☺b', false, false],
  ['[a-ζ]*', 'α', true, false],
  ['*[a-ζ]', 'A', false, false],
  ['a?b', 'a/b', false, false],
  ['a*b', 'a/b', false, false],
  ['[\\]a]', ']', true, false],
  ['[\\-]', '-', true, false],
  ['[x\\-]', 'x', true, false],
  ['[x\\-]', '-', true, false],
  ['[x\\-]', 'z', false, false],
  ['[\\-x]', 'x', true, false],
  ['[\\-x]', '-', true, false],
  ['[\\-x]', 'a', false, false],
  ['[]a]', ']', false, true],
  ['[-]', '-', false, true],
  ['[x-]', 'x', false, true],
  ['[x-]', '-', false, true],
  ['[x-]', 'z', false, true],
  ['[-x]', 'x', false, true],
  ['[-x]', '-', false, true],
  ['[-x]', 'a', false, true],
  ['\\', 'a', false, true],
  ['[a-b-c]', 'a', false, true],
  ['[', 'a', false, true],
  ['[^', 'a', false, true],
  ['[^bc', 'a', false, true],
  ['a[', 'a', false, true],
  ['a[', 'ab', false, true],
  ['a[', 'x', false, true],
  ['a/b[', 'x', false, true],
  ['*x', 'xxx', true, false],
];

// golang.org/x/mod module_test.go TestMatchPrefixPatterns.
const GO_PREFIX_TESTS: [string, string, boolean][] = [
  ['*/quote', 'rsc.io/quote', true],
  ['*/quo', 'rsc.io/quote', false],
  ['*/quo??', 'rsc.io/quote', true],
  ['*/quo*', 'rsc.io/quote', true],
  ['*quo*', 'rsc.io/quote', false],
  ['rsc.io', 'rsc.io/quote', true],
  ['*.io', 'rsc.io/quote', true],
  ['rsc.io/', 'rsc.io/quote', true],
  ['rsc', 'rsc.io/quote', false],
  ['rsc*', 'rsc.io/quote', true],
  ['rsc.io', 'rsc.io/quote/v3', true],
  ['*/quote', 'rsc.io/quote/v3', true],
  ['*/quote/', 'rsc.io/quote/v3', true],
  ['*/quote/*', 'rsc.io/quote/v3', true],
  ['*/quote/*/', 'rsc.io/quote/v3', true],
  ['*/v3', 'rsc.io/quote/v3', false],
  ['*/*/v3', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote/v3', true],
  ['*/*/*/', 'rsc.io/quote/v3', true],
  ['*/*/*', 'rsc.io/quote', false],
  ['*/*/*/', 'rsc.io/quote', false],
  ['*/*/*,,', 'rsc.io/quote', false],
  ['*/*/*,,*/quote', 'rsc.io/quote', true],
  [',,*/quote', 'rsc.io/quote', true],
];

describe('pathMatch (Go path.Match)', () => {
  it.each(GO_MATCH_TESTS)('Match(%j, %j) = %s (bad pattern: %s)', (pattern, name, match, bad) => {
    if (bad) {
      expect(() => pathMatch(pattern, name)).toThrow(BadPatternError);
      expect(isValidGlob(pattern)).toBe(false);
    } else {
      expect(pathMatch(pattern, name)).toBe(match);
    }
  });

  it('a pattern without metacharacters matches exactly itself', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9./-]{0,20}$/), fc.stringMatching(/^[a-z0-9./-]{0,20}$/), (p, n) => {
        expect(pathMatch(p, n)).toBe(p === n);
      }),
    );
  });

  it('never throws for a valid glob, whatever the name', () => {
    fc.assert(
      fc.property(fc.constantFrom('*', 'a*b', '[a-c]?', '*/x/*', '\\*'), fc.string({ maxLength: 30 }), (p, n) => {
        expect(typeof pathMatch(p, n)).toBe('boolean');
      }),
    );
  });
});

describe('matchPrefixPatterns (module.MatchPrefixPatterns)', () => {
  it.each(GO_PREFIX_TESTS)('MatchPrefixPatterns(%j, %j) = %s', (globs, target, want) => {
    expect(matchPrefixPatterns(globs, target)).toBe(want);
  });

  it('ignores malformed globs instead of failing the list', () => {
    expect(matchPrefixPatterns('[,example.com', 'example.com/x')).toBe(true);
    expect(matchPrefixPatterns('[', 'example.com/x')).toBe(false);
  });

  it('does not trim spaces, as Go does not', () => {
    expect(matchPrefixPatterns(' example.com', 'example.com/x')).toBe(false);
  });
});
