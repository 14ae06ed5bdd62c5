/**
 * HPACK Huffman decoding (RFC 7541 §5.2, code in Appendix B).
 *
 * The Appendix B code is canonical (codes of one length are consecutive, ordered
 * by symbol), so the code lengths alone define it and decoding needs no tree: per
 * length, the first code and the symbols in order (the "canonical decode" of
 * DEFLATE, RFC 1951 §3.2.2). One bit at a time, at most 30 per symbol: linear in
 * the input with a small constant, and no table an attacker can make us build.
 */

/** Code length in bits of symbols 0–255 and EOS (256), RFC 7541 Appendix B. */
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];

const EOS = 256;
const MAX_LENGTH = 30;

/** Symbols ordered by (length, value); per length: how many, and the first code and its position in SYMBOLS. */
const SYMBOLS: number[] = [];
const COUNT = new Array<number>(MAX_LENGTH + 1).fill(0);
const FIRST_CODE = new Array<number>(MAX_LENGTH + 1).fill(0);
const FIRST_INDEX = new Array<number>(MAX_LENGTH + 1).fill(0);
{
  for (let len = 1; len <= MAX_LENGTH; len++) {
    FIRST_INDEX[len] = SYMBOLS.length;
    CODE_LENGTHS.forEach((l, sym) => {
      if (l === len) SYMBOLS.push(sym);
    });
    COUNT[len] = SYMBOLS.length - FIRST_INDEX[len]!;
  }
  let code = 0;
  for (let len = 1; len <= MAX_LENGTH; len++) {
    FIRST_CODE[len] = code;
    code = (code + COUNT[len]!) * 2;
  }
}

/** The canonical code of a symbol (for tests and the encoder in them). */
export function huffmanCode(sym: number): { code: number; bits: number } {
  const bits = CODE_LENGTHS[sym]!;
  return { code: FIRST_CODE[bits]! + SYMBOLS.indexOf(sym, FIRST_INDEX[bits]!) - FIRST_INDEX[bits]!, bits };
}

/**
 * Decodes data[from, to) into bytes, or an error: EOS inside the string, padding
 * longer than 7 bits or not made of 1 bits (§5.2: both are decoding errors).
 */
export type HuffmanError = 'Huffman string contains EOS' | 'invalid Huffman code' | 'Huffman padding longer than 7 bits' | 'Huffman padding is not EOS';

export function huffmanDecode(data: Uint8Array, from: number, to: number): Uint8Array | { error: HuffmanError } {
  // Every symbol takes at least 5 bits, so 8/5 of the input bounds the output.
  const out = new Uint8Array(Math.ceil(((to - from) * 8) / 5));
  let n = 0;
  let code = 0;
  let len = 0;
  let ones = true;
  for (let i = from; i < to; i++) {
    const byte = data[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      code = code * 2 + b;
      len++;
      ones &&= b === 1;
      const k = code - FIRST_CODE[len]!;
      if (k >= 0 && k < COUNT[len]!) {
        const sym = SYMBOLS[FIRST_INDEX[len]! + k]!;
        if (sym === EOS) return { error: 'Huffman string contains EOS' };
        out[n++] = sym;
        code = 0;
        len = 0;
        ones = true;
      } else if (len >= MAX_LENGTH) {
        return { error: 'invalid Huffman code' };
      }
    }
  }
  if (len > 7) return { error: 'Huffman padding longer than 7 bits' };
  if (!ones) return { error: 'Huffman padding is not EOS' };
  return out.subarray(0, n);
}
