import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModulePath, decodeVersion, encodeModulePath, encodeVersion } from '../../../src/protocols/goproxy/escape.js';
import { isCanonicalVersion, isPseudoVersion, isValidModulePath } from '../../../src/protocols/goproxy/modpath.js';

describe('case encoding', () => {
  it('round-trips upper-case module paths', () => {
    expect(encodeModulePath('github.com/Azure/azure-sdk-for-go')).toBe('github.com/!azure/azure-sdk-for-go');
    expect(decodeModulePath('github.com/!azure/azure-sdk-for-go')).toBe('github.com/Azure/azure-sdk-for-go');
    expect(encodeModulePath('github.com/BurntSushi/TOML')).toBe('github.com/!burnt!sushi/!t!o!m!l');
    expect(decodeModulePath('github.com/!burnt!sushi/!t!o!m!l')).toBe('github.com/BurntSushi/TOML');
  });

  it('round-trips versions', () => {
    expect(encodeVersion('v1.0.0-RC1')).toBe('v1.0.0-!r!c1');
    expect(decodeVersion('v1.0.0-!r!c1')).toBe('v1.0.0-RC1');
  });

  it('rejects invalid escapes', () => {
    expect(decodeModulePath('github.com/Azure/x')).toBeUndefined(); // bare upper case
    expect(decodeModulePath('github.com/!Azure/x')).toBeUndefined(); // ! + upper case
    expect(decodeModulePath('github.com/!1x')).toBeUndefined(); // ! + digit
    expect(decodeModulePath('github.com/x!')).toBeUndefined(); // trailing !
    expect(decodeModulePath('github.com/!!x')).toBeUndefined();
    expect(decodeModulePath('github.com/é')).toBeUndefined(); // non-ASCII
    expect(decodeVersion('v1.0.0-RC1')).toBeUndefined();
    expect(decodeVersion('v1!')).toBeUndefined();
    expect(decodeVersion('')).toBeUndefined();
  });

  it('rejects invalid module paths after decoding', () => {
    expect(decodeModulePath('example/foo')).toBeUndefined(); // no dot in the first element
    expect(decodeModulePath('Example.com/foo')).toBeUndefined();
    expect(decodeModulePath('example.com//foo')).toBeUndefined();
    expect(decodeModulePath('example.com/../foo')).toBeUndefined();
    expect(decodeModulePath('example.com/foo/')).toBeUndefined();
    expect(decodeModulePath('example.com/.hidden')).toBeUndefined();
    expect(decodeModulePath('example.com/foo/v1')).toBeUndefined();
    expect(decodeModulePath('example.com/foo/v2')).toBe('example.com/foo/v2');
    expect(decodeModulePath('example.com/con')).toBeUndefined();
    expect(decodeModulePath('gopkg.in/yaml.v3')).toBe('gopkg.in/yaml.v3');
  });
});

describe('versions', () => {
  it('accepts canonical, pseudo and +incompatible versions', () => {
    for (const v of ['v1.2.3', 'v0.0.0-20191109021931-daa7c04131f5', 'v1.2.4-pre.0.20191109021931-daa7c04131f5', 'v1.2.4-0.20191109021931-daa7c04131f5', 'v2.0.0+incompatible', 'v0.0.1-go1.22.0.linux-amd64']) {
      expect(isCanonicalVersion(v), v).toBe(true);
    }
    for (const v of ['1.2.3', 'v1.2', 'v01.2.3', 'v1.2.3-01', 'v1.0.0+incompatible', 'v2.0.0+build', 'v1.2.3-']) {
      expect(isCanonicalVersion(v), v).toBe(false);
    }
  });

  it('recognises pseudo-versions', () => {
    expect(isPseudoVersion('v0.0.0-20191109021931-daa7c04131f5')).toBe(true);
    expect(isPseudoVersion('v1.2.4-pre.0.20191109021931-daa7c04131f5')).toBe(true);
    expect(isPseudoVersion('v1.2.4-0.20191109021931-daa7c04131f5')).toBe(true);
    expect(isPseudoVersion('v3.0.1-0.20191109021931-daa7c04131f5+incompatible')).toBe(true);
    expect(isPseudoVersion('v1.2.3')).toBe(false);
    expect(isPseudoVersion('v1.2.3-rc.1')).toBe(false);
  });
});

const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
const any = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const word = (chars: string, min: number) =>
  fc.array(fc.constantFrom(...chars.split('')), { minLength: min, maxLength: 8 }).map((a) => a.join(''));
const validPath = fc
  .tuple(word(lower, 1), word(lower, 2), fc.array(word(any, 1), { maxLength: 4 }))
  .map(([a, b, rest]) => [`${a}.${b}`, ...rest].join('/'))
  .filter(isValidModulePath);

describe('properties', () => {
  it('decode(encode(p)) == p for valid module paths', () => {
    fc.assert(
      fc.property(validPath, (p) => {
        expect(decodeModulePath(encodeModulePath(p))).toBe(p);
      }),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const d = decodeModulePath(s);
        expect(d === undefined || isValidModulePath(d)).toBe(true);
        expect(decodeVersion(s) ?? '').not.toContain('/');
        expect(encodeModulePath(s)).not.toMatch(/[A-Z]/);
      }),
    );
  });
});
