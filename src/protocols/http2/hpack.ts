/**
 * HPACK header block decoder (RFC 7541), one per direction of an HTTP/2 connection.
 *
 * Why not the npm `hpack.js` (2.1.6, the decompressor node-spdy used): measured against
 * hostile blocks it has no header-list bound — a 1 MiB block of one-byte references to a
 * 4000-byte dynamic entry decodes into 1,048,577 fields (4 GB of header text) in 0.7 s
 * and 88 MB of heap, with no way to stop mid-block; it accepts a dynamic table size
 * update after a field (RFC 7541 §4.2 forbids it); it reports errors by throwing from a
 * stream whose leftover bytes then corrupt the next block; its decoder still carries
 * "TODO: what about > 32bit numbers?"; and it is a readable-stream Duplex for what is a
 * synchronous function of one complete block. It did reject out-of-range indexes,
 * oversized table updates, EOS and bad padding. This decoder bounds everything itself:
 *
 * - integers (§5.1) are cut at 2^28 (five continuation bytes at most);
 * - the dynamic table (§4) honours the largest SETTINGS_HEADER_TABLE_SIZE the peer
 *   advertised, capped at MAX_TABLE_SIZE; it is a ring buffer, so eviction is O(1);
 * - the decoded header list (RFC 9113 §6.5.2 size: name + value + 32 per field) and the
 *   field count are capped; fields beyond the cap are dropped, but the block is still
 *   walked to the end so later blocks see the same dynamic table the peer has;
 * - decoding is linear in the block: every representation consumes at least one byte
 *   and strings are never copied more than once.
 *
 * After bytes were lost (a capture gap, a block too large to keep), the table's content
 * is unknown: `forget()` keeps decoding new insertions (they take the lowest indexes) and
 * leaves out a field that refers to an older entry (`unknown`), never giving a wrong
 * value; the rest of the list is kept. A size update to 0 makes the table known again.
 *
 * Strings are decoded as latin1, so every octet is kept exactly (as the HTTP/1 parser does).
 */
import { huffmanDecode, type HuffmanError } from './huffman.js';

/** The static table, RFC 7541 Appendix A (index 1 is STATIC_TABLE[0]). */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** SETTINGS_HEADER_TABLE_SIZE before any SETTINGS (RFC 9113 §6.5.2). */
export const DEFAULT_TABLE_SIZE = 4096;
/** Largest dynamic table kept per direction (browsers advertise 64 KiB; Go and nghttp2 4 KiB). */
export const MAX_TABLE_SIZE = 64 * 1024;
/** Largest decoded header list kept (RFC 9113 §6.5.2 accounting), as the HTTP/1 header section cap. */
export const MAX_HEADER_LIST_SIZE = 64 * 1024;
/** Most fields kept per header list, as HTTP/1. */
export const MAX_FIELDS = 200;
/** Per-entry overhead in table and list sizes (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;
/** Integers above this are an error: no table, index or length we accept comes near it. */
const MAX_INTEGER = 2 ** 28;

export interface DecodedBlock {
  /** Fields within the caps, in order. */
  fields: [string, string][];
  /** The header list exceeded MAX_HEADER_LIST_SIZE or MAX_FIELDS: later fields were dropped. */
  overflow: boolean;
  /** Fields referring to dynamic entries lost earlier were left out: the list is incomplete. */
  unknown: boolean;
}

/** What can go wrong decoding a header block (fixed wording: each is a counted anomaly kind). */
export type HpackErrorKind =
  | HuffmanError
  | 'dynamic table size update after a field'
  | 'index 0'
  | 'index beyond the dynamic table'
  | 'integer too large'
  | 'string literal runs past the block'
  | 'truncated string literal'
  | 'dynamic table size over our cap'
  | "dynamic table size above the peer's limit";

/** A decoding error: the peer's table can no longer be followed. */
export interface HpackError {
  error: HpackErrorKind;
}

/** Dynamic table as a ring buffer of entries, newest at `head - 1`. */
class DynamicTable {
  private names: string[] = [];
  private values: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  count = 0;
  size = 0;
  maxSize = DEFAULT_TABLE_SIZE;
  /** Entries older than the known ones may exist (bytes were lost). */
  unknownTail = false;

  /** Slot of entry `index` (1 = newest), or -1. */
  slot(index: number): number {
    if (index < 1 || index > this.count) return -1;
    const k = this.head - index;
    return k < 0 ? k + this.names.length : k;
  }

  name(slot: number): string {
    return this.names[slot]!;
  }

  value(slot: number): string {
    return this.values[slot]!;
  }

  add(name: string, value: string, octets: number): void {
    const entry = octets + ENTRY_OVERHEAD;
    // §4.4: an entry larger than the table empties it and is not added.
    if (entry > this.maxSize) {
      this.clear();
      return;
    }
    while (this.size + entry > this.maxSize) this.evictOldest();
    const cap = this.names.length;
    if (this.count === cap) this.grow();
    const k = this.head;
    this.names[k] = name;
    this.values[k] = value;
    this.sizes[k] = entry;
    this.head = k + 1 === this.names.length ? 0 : k + 1;
    this.count++;
    this.size += entry;
  }

  resize(max: number): void {
    this.maxSize = max;
    while (this.size > max) this.evictOldest();
    if (max === 0) this.unknownTail = false;
  }

  clear(): void {
    while (this.count > 0) this.evictOldest();
  }

  private evictOldest(): void {
    const k = this.slot(this.count);
    this.size -= this.sizes[k]!;
    this.names[k] = '';
    this.values[k] = '';
    this.count--;
  }

  /** Doubles the ring (entries are at least 32 octets, so it never exceeds MAX_TABLE_SIZE / 32). */
  private grow(): void {
    const cap = Math.max(16, this.names.length * 2);
    const names = new Array<string>(cap);
    const values = new Array<string>(cap);
    const sizes = new Array<number>(cap);
    for (let index = this.count; index >= 1; index--) {
      const from = this.slot(index);
      names[this.count - index] = this.names[from]!;
      values[this.count - index] = this.values[from]!;
      sizes[this.count - index] = this.sizes[from]!;
    }
    this.names = names;
    this.values = values;
    this.sizes = sizes;
    this.head = this.count;
  }

}

/** Octets as latin1 text; short strings (most header fields) without a Buffer round trip. */
function latin1(data: Uint8Array, from: number, to: number): string {
  if (to - from > 32) return Buffer.from(data.buffer, data.byteOffset + from, to - from).toString('latin1');
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(data[i]!);
  return s;
}

export class HpackDecoder {
  private readonly table = new DynamicTable();
  /** The largest table size the peer allowed (its SETTINGS_HEADER_TABLE_SIZE), capped. */
  private limit = DEFAULT_TABLE_SIZE;
  private tooLarge = false;

  /** The receiving peer advertised SETTINGS_HEADER_TABLE_SIZE: the encoder may use up to it. */
  allowTableSize(size: number): void {
    if (size > MAX_TABLE_SIZE) this.tooLarge = true;
    this.limit = Math.max(this.limit, Math.min(size, MAX_TABLE_SIZE));
  }

  /** Bytes of this direction were lost: entries known so far can no longer be trusted. */
  forget(): void {
    this.table.clear();
    this.table.unknownTail = true;
  }

  /** Current dynamic table size and entry count (for tests and bounds checks). */
  get tableState(): { size: number; maxSize: number; entries: number } {
    return { size: this.table.size, maxSize: this.table.maxSize, entries: this.table.count };
  }

  decode(block: Uint8Array): DecodedBlock | HpackError {
    const table = this.table;
    const fields: [string, string][] = [];
    let listSize = 0;
    let overflow = false;
    let unknown = false;
    let sawField = false;
    let i = 0;

    const int = (prefixBits: number): number | undefined => {
      const max = (1 << prefixBits) - 1;
      let v = block[i++]! & max;
      if (v < max) return v;
      let shift = 0;
      for (;;) {
        if (i >= block.length) return undefined;
        const b = block[i++]!;
        v += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
        if (shift > 28) return undefined;
      }
      return v > MAX_INTEGER ? undefined : v;
    };

    /** A string literal (§5.2) as latin1 text and its length in octets. */
    const str = (): [string, number] | HpackError => {
      if (i >= block.length) return { error: 'truncated string literal' };
      const huffman = (block[i]! & 0x80) !== 0;
      const len = int(7);
      if (len === undefined) return { error: 'integer too large' };
      if (len > block.length - i) return { error: 'string literal runs past the block' };
      const start = i;
      i += len;
      if (!huffman) return [latin1(block, start, i), len];
      const decoded = huffmanDecode(block, start, i);
      if ('error' in decoded) return decoded;
      return [latin1(decoded, 0, decoded.length), decoded.length];
    };

    // The entry found by `lookup`.
    let entryName = '';
    let entryValue = '';
    /** Finds entry `index` (static, then dynamic): 'ok', 'unknown' (lost in a gap) or an error. */
    const lookup = (index: number): 'ok' | 'unknown' | HpackError => {
      if (index === 0) return { error: 'index 0' };
      if (index <= STATIC_TABLE.length) {
        const e = STATIC_TABLE[index - 1]!;
        entryName = e[0];
        entryValue = e[1];
        return 'ok';
      }
      const slot = table.slot(index - STATIC_TABLE.length);
      if (slot >= 0) {
        entryName = table.name(slot);
        entryValue = table.value(slot);
        return 'ok';
      }
      return table.unknownTail ? 'unknown' : { error: 'index beyond the dynamic table' };
    };

    const emit = (name: string, value: string, octets: number): void => {
      sawField = true;
      if (overflow) return;
      listSize += octets + ENTRY_OVERHEAD;
      if (listSize > MAX_HEADER_LIST_SIZE || fields.length >= MAX_FIELDS) overflow = true;
      else fields.push([name, value]);
    };

    while (i < block.length) {
      const b = block[i]!;
      if (b & 0x80) {
        // §6.1 indexed field.
        const index = int(7);
        if (index === undefined) return { error: 'integer too large' };
        const found = lookup(index);
        if (found === 'ok') emit(entryName, entryValue, entryName.length + entryValue.length);
        else if (found === 'unknown') unknown = sawField = true;
        else return found;
      } else if ((b & 0xe0) === 0x20) {
        // §6.3 dynamic table size update: only before the first field (§4.2).
        if (sawField) return { error: 'dynamic table size update after a field' };
        const size = int(5);
        if (size === undefined) return { error: 'integer too large' };
        if (size > this.limit) return { error: this.tooLarge ? 'dynamic table size over our cap' : "dynamic table size above the peer's limit" };
        table.resize(size);
      } else {
        // §6.2 literal: with incremental indexing (01), without (0000), never indexed (0001).
        const incremental = (b & 0xc0) === 0x40;
        const index = int(incremental ? 6 : 4);
        if (index === undefined) return { error: 'integer too large' };
        let name: string | undefined;
        let nameOctets = 0;
        if (index === 0) {
          const s = str();
          if ('error' in s) return s;
          [name, nameOctets] = s;
        } else {
          const found = lookup(index);
          if (found === 'ok') {
            name = entryName;
            nameOctets = name.length;
          } else if (found !== 'unknown') {
            return found;
          }
        }
        const v = str();
        if ('error' in v) return v;
        const [value, valueOctets] = v;
        if (name === undefined) {
          // The name was in an entry lost in a gap: the field cannot be known, but an
          // insertion still happens, so later indexes shift. Nothing older can be trusted.
          unknown = sawField = true;
          if (incremental) this.forget();
          continue;
        }
        if (incremental) table.add(name, value, nameOctets + valueOctets);
        emit(name, value, nameOctets + valueOctets);
      }
    }
    return { fields, overflow, unknown };
  }
}
