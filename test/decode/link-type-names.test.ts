import { describe, expect, it } from 'vitest';
import { linkTypeName } from '../../src/decode/link-type-names.js';

describe('linkTypeName', () => {
  it.each([
    [0, 'NULL'],
    [1, 'EN10MB'],
    [12, 'RAW'],
    [14, 'RAW'],
    [101, 'RAW'],
    [108, 'LOOP'],
    [113, 'LINUX_SLL'],
    [127, 'IEEE802_11_RADIO'],
    [147, 'USER0'],
    [162, 'USER15'],
    [228, 'IPV4'],
    [229, 'IPV6'],
    [239, 'NFLOG'],
    [276, 'LINUX_SLL2'],
    [65000, 'unknown'],
  ])('%i → %s', (lt, name) => {
    expect(linkTypeName(lt)).toBe(name);
  });
});
