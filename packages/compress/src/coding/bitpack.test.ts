import { describe, expect, it } from 'vitest';
import { packBits, unpackBits } from './bitpack.js';

describe('fixed-width bit packing', () => {
  it('packs most significant bit first and round-trips every width', () => {
    expect(Array.from(packBits(Uint8Array.from([1, 2, 3, 4, 5]), 3))).toEqual([0b00101001, 0b11001010]);
    for (let bits = 1; bits <= 8; bits++) {
      const symbols = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) % 2 ** bits);
      const packed = packBits(symbols, bits);
      expect(packed.length).toBe(Math.ceil((1001 * bits) / 8));
      expect(unpackBits(packed, 1001, bits)).toEqual(symbols);
    }
  });
  it('rejects symbols too wide and inputs of the wrong length', () => {
    expect(() => packBits(Uint8Array.from([8]), 3)).toThrow(/more than 3 bits/);
    expect(() => unpackBits(new Uint8Array(2), 10, 3)).toThrow(/need 4/);
    expect(() => packBits(new Uint8Array(1), 0)).toThrow(/1\.\.8/);
  });
});
