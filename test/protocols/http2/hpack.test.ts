/** HPACK decoding: RFC 7541 Appendix C, Huffman, and hostile blocks (bounded, counted, never thrown). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HpackDecoder, MAX_FIELDS, MAX_HEADER_LIST_SIZE, MAX_TABLE_SIZE, type DecodedBlock, type HpackError } from '../../../src/protocols/http2/hpack.js';
import { huffmanCode, huffmanDecode } from '../../../src/protocols/http2/huffman.js';
import { timed } from './cpu.js';
import { concat, hex, hpackInt, hpackString, huffmanEncode, latin1 } from './helpers.js';

function ok(r: DecodedBlock | HpackError): [string, string][] {
  if ('error' in r) throw new Error(r.error);
  return r.fields;
}

const REQUESTS: [string, string][][] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const REQUEST_TABLES = [[1, 57], [2, 110], [3, 164]];

const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RESPONSES: [string, string][][] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']],
  [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', COOKIE]],
];
const RESPONSE_TABLES = [[4, 222], [4, 222], [3, 215]];
/** RFC 7541 C.5/C.6 run with a 256-octet table: a size update (§6.3) sets it before the first block. */
const TABLE_256 = hpackInt(256, 5, 0x20);

describe('RFC 7541 Appendix C', () => {
  it('C.2: literal with and without indexing, never indexed, indexed', () => {
    const d = new HpackDecoder();
    expect(ok(d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')))).toEqual([['custom-key', 'custom-header']]);
    expect(d.tableState).toMatchObject({ size: 55, entries: 1 });
    const d2 = new HpackDecoder();
    expect(ok(d2.decode(hex('040c 2f73 616d 706c 652f 7061 7468')))).toEqual([[':path', '/sample/path']]);
    expect(ok(d2.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')))).toEqual([['password', 'secret']]);
    expect(ok(d2.decode(hex('82')))).toEqual([[':method', 'GET']]);
    expect(d2.tableState.entries).toBe(0);
  });

  const cases: [string, string[], [string, string][][], number[][], number[]][] = [
    ['C.3 requests without Huffman', ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865',
      '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'], REQUESTS, REQUEST_TABLES, []],
    ['C.4 requests with Huffman', ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf',
      '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'], REQUESTS, REQUEST_TABLES, []],
    ['C.5 responses without Huffman', [
      '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '4803 3330 37c1 c0bf',
      '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
    ], RESPONSES, RESPONSE_TABLES, TABLE_256],
    ['C.6 responses with Huffman', [
      '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
      '4883 640e ffc1 c0bf',
      '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
    ], RESPONSES, RESPONSE_TABLES, TABLE_256],
  ];
  for (const [name, blocks, expected, tables, prefix] of cases) {
    it(`${name}: fields and dynamic table after each block`, () => {
      const d = new HpackDecoder();
      blocks.forEach((b, k) => {
        const bytes = k === 0 ? concat(prefix, hex(b)) : hex(b);
        expect(ok(d.decode(bytes))).toEqual(expected[k]);
        expect(d.tableState).toMatchObject({ entries: tables[k]![0], size: tables[k]![1] });
      });
    });
  }
});

describe('Huffman (RFC 7541 §5.2, Appendix B)', () => {
  it('has the canonical codes of Appendix B', () => {
    expect(huffmanCode(0x61)).toEqual({ code: 0x3, bits: 5 }); // 'a' |00011
    expect(huffmanCode(0x30)).toEqual({ code: 0x0, bits: 5 }); // '0' |00000
    expect(huffmanCode(0x20)).toEqual({ code: 0x14, bits: 6 }); // ' ' |010100
    expect(huffmanCode(0)).toEqual({ code: 0x1ff8, bits: 13 });
    expect(huffmanCode(0xff)).toEqual({ code: 0x3ffffee, bits: 26 });
    expect(huffmanCode(256)).toEqual({ code: 0x3fffffff, bits: 30 }); // EOS
  });

  it('round-trips every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const s = Buffer.from(bytes).toString('latin1');
        const enc = Uint8Array.from(huffmanEncode(s));
        const dec = huffmanDecode(enc, 0, enc.length);
        expect(dec).toEqual(bytes);
      }),
    );
  });

  it('rejects EOS, long padding and padding with a 0 bit (§5.2)', () => {
    const eos = Uint8Array.from([0x1f, 0xff, 0xff, 0xff, 0xff]); // 'a' then 30 one bits
    expect(huffmanDecode(eos, 0, eos.length)).toEqual({ error: 'Huffman string contains EOS' });
    const longPad = Uint8Array.from([0x1f, 0xff]); // 'a' + 3 ones + 8 ones
    expect(huffmanDecode(longPad, 0, 2)).toEqual({ error: 'Huffman padding longer than 7 bits' });
    const zeroPad = Uint8Array.from([0x18]); // 'a' + 011
    expect(huffmanDecode(zeroPad, 0, 1)).toEqual({ error: 'Huffman padding is not EOS' });
  });
});

describe('hostile blocks', () => {
  const err = (b: ArrayLike<number>, d = new HpackDecoder()) => {
    const r = d.decode(Uint8Array.from(b));
    return 'error' in r ? r.error : undefined;
  };

  it('index out of range, index 0, huge integers, truncated strings', () => {
    expect(err([0x80 | 62])).toBe('index beyond the dynamic table');
    expect(err([0x80])).toBe('index 0');
    expect(err([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).toBe('integer too large');
    expect(err([0xff, 0xff, 0xff])).toBe('integer too large');
    expect(err([0x40, 0x7f, 0xff, 0xff, 0xff, 0x07])).toBe('string literal runs past the block');
    expect(err([0x40])).toBe('truncated string literal');
  });

  it('table size updates: above the peer limit, above our cap, or after a field', () => {
    expect(err(hpackInt(4097, 5, 0x20))).toBe("dynamic table size above the peer's limit");
    const d = new HpackDecoder();
    d.allowTableSize(1 << 20);
    expect(err(hpackInt(MAX_TABLE_SIZE + 1, 5, 0x20), d)).toBe('dynamic table size over our cap');
    expect(err(hpackInt(MAX_TABLE_SIZE, 5, 0x20), d)).toBeUndefined();
    expect(err([0x82, 0x20])).toBe('dynamic table size update after a field');
  });

  it('a header list bomb is cut at the caps, and the table stays in step', () => {
    const d = new HpackDecoder();
    const entry = [0x40, ...hpackString('x'), ...hpackString('a'.repeat(4000))];
    const bytes = concat(entry, new Uint8Array(1 << 20).fill(0x80 | 62), [0x40], hpackString('late'), hpackString('entry'));
    // 1 MiB of one-byte references to a 4000-byte entry: 4 GB of header text if unbounded.
    const { value: r, ms } = timed(() => d.decode(bytes));
    expect(ms).toBeLessThan(3000);
    if ('error' in r) throw new Error(r.error);
    expect(r.overflow).toBe(true);
    expect(r.fields.length).toBeLessThanOrEqual(MAX_FIELDS);
    expect(r.fields.reduce((n, [a, b]) => n + a.length + b.length + 32, 0)).toBeLessThanOrEqual(MAX_HEADER_LIST_SIZE);
    // The insertion after the overflow still happened: index 62 is the newest entry.
    expect(ok(d.decode(Uint8Array.from([0x80 | 62])))).toEqual([['late', 'entry']]);
  });

  it('maximal dynamic-table churn stays linear', () => {
    const d = new HpackDecoder();
    d.allowTableSize(MAX_TABLE_SIZE);
    const parts: number[] = [...hpackInt(MAX_TABLE_SIZE, 5, 0x20)];
    // 100k smallest entries (32 + 2 octets): the table holds ~1900 and evicts one per insertion.
    for (let k = 0; k < 100_000; k++) parts.push(0x40, 1, 0x6e, 1, 0x30 + (k % 10));
    const { value: r, ms } = timed(() => d.decode(Uint8Array.from(parts)));
    expect(ms).toBeLessThan(3000);
    expect('error' in r).toBe(false);
    expect(d.tableState.size).toBeLessThanOrEqual(MAX_TABLE_SIZE);
    expect(d.tableState.entries).toBe(Math.floor(MAX_TABLE_SIZE / 34));
  });

  it('an entry larger than the table empties it (§4.4)', () => {
    const d = new HpackDecoder();
    ok(d.decode(Uint8Array.from([0x40, ...hpackString('a'), ...hpackString('b')])));
    ok(d.decode(Uint8Array.from([0x40, ...hpackString('x'), ...hpackString('y'.repeat(5000))])));
    expect(d.tableState).toMatchObject({ entries: 0, size: 0 });
  });

  it('after forget(), new entries are known and older ones are reported unknown, never wrong', () => {
    const d = new HpackDecoder();
    ok(d.decode(Uint8Array.from([0x40, ...hpackString('old'), ...hpackString('1')])));
    d.forget();
    const r1 = d.decode(Uint8Array.from([0x40, ...hpackString('new'), ...hpackString('2'), 0x80 | 62]));
    expect(r1).toEqual({ fields: [['new', '2'], ['new', '2']], overflow: false, unknown: false });
    expect(d.decode(Uint8Array.from([0x80 | 63]))).toEqual({ fields: [], overflow: false, unknown: true });
    // A size update to 0 empties the table: it is fully known again.
    ok(d.decode(Uint8Array.from([0x20])));
    expect(err([0x80 | 62], d)).toBe('index beyond the dynamic table');
  });

  it('random bytes never throw, and decode in linear time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const r = new HpackDecoder().decode(bytes);
        expect(typeof r).toBe('object');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps raw octets exactly (latin1)', () => {
    expect(ok(new HpackDecoder().decode(concat([0x00], hpackString('x'), hpackString('\u00e9\u0000\u00ff'))))).toEqual([['x', '\u00e9\u0000\u00ff']]);
    expect(latin1('\u00e9')).toEqual(Uint8Array.from([0xe9]));
  });
});
