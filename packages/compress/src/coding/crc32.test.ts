import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

// bit-by-bit CRC-32 (reflected, polynomial 0xEDB88320), independent of the table-driven one
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32', () => {
  it('gives the published check values (zlib, PNG)', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
  });

  it('matches a bitwise reference on every byte value and is an unsigned 32-bit integer', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let i = 0; i < 256; i++)
      expect(crc32(all.subarray(i, i + 1))).toBe(crc32Bitwise(all.subarray(i, i + 1)));
    const c = crc32(all);
    expect(c).toBe(crc32Bitwise(all));
    expect(Number.isInteger(c) && c >= 0 && c < 2 ** 32).toBe(true);
  });

  it('reads only the view it is given, and sees a single flipped bit', () => {
    const buf = ascii('xx123456789yy');
    expect(crc32(buf.subarray(2, 11))).toBe(0xcbf43926);
    const flipped = ascii('123456789');
    flipped[4]! ^= 1;
    expect(crc32(flipped)).not.toBe(0xcbf43926);
  });
});
