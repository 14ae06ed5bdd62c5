/**
 * GREASE (RFC 8701): reserved values clients sprinkle into cipher, extension, group,
 * signature-algorithm and version lists so servers tolerate unknown values. They are
 * random per connection, so fingerprints (JA3, JA4) drop them.
 */

/** 0x0A0A, 0x1A1A, ... 0xFAFA: both bytes equal and of the form 0x?A. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

export function withoutGrease(values: number[]): number[] {
  return values.filter((v) => !isGrease(v));
}
