import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { decodeRelativeIndices, encodeRelativeIndices } from './relative-index.js';

describe('relative-index sparse storage', () => {
  it("bridges gaps above 2^bits - 1 with filler zeros (Han et al.'s figure 2 with 3 bits)", () => {
    // non-zeros at 1, 4 and 15 with 3-bit gaps (max 7): 15 - 5 = 10 zeros needs one filler at 12
    const r = encodeRelativeIndices([1, 4, 15], 3);
    expect(Array.from(r.gaps)).toEqual([1, 2, 7, 2]);
    expect(Array.from(r.sources)).toEqual([1, 4, -1, 15]);
    expect(r.fillers).toBe(1);
    expect(Array.from(decodeRelativeIndices(r.gaps, 3, 16))).toEqual([1, 4, 12, 15]);
  });
  it('round-trips random positions for every bit width', () => {
    for (let bits = 1; bits <= 8; bits++) {
      const positions = Array.from({ length: 5000 }, (_, i) => i).filter((i) => (i * 7919) % 13 < 2);
      const r = encodeRelativeIndices(positions, bits);
      const decoded = decodeRelativeIndices(r.gaps, bits, 5000);
      expect(Array.from(decoded).filter((_, i) => r.sources[i]! >= 0)).toEqual(positions);
      for (const g of r.gaps) expect(g).toBeLessThan(2 ** bits);
    }
  });
  it('rejects unordered positions, bad widths, and gaps past the end', () => {
    expect(() => encodeRelativeIndices([3, 3], 4)).toThrow(/ascend/);
    expect(() => encodeRelativeIndices([1], 9)).toThrow(/bits/);
    expect(() => decodeRelativeIndices(Uint8Array.from([9]), 3, 100)).toThrow(/maximum/);
    expect(() => decodeRelativeIndices(Uint8Array.from([5, 5]), 3, 10)).toThrow(/past/);
  });
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
