import { describe, expect, it } from 'vitest';
import { huffmanCodeLengths, huffmanDecode, huffmanEncode } from './index.js';

describe('canonical Huffman coding', () => {
  it('round-trips skewed, uniform, single-symbol and empty streams', () => {
    let s = 7;
    const skewed = Uint8Array.from({ length: 5000 }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const u = s / 2 ** 31;
      return u < 0.7 ? 0 : u < 0.9 ? 1 : Math.floor(u * 256);
    });
    const uniform = Uint8Array.from({ length: 2048 }, (_, i) => i % 256);
    for (const data of [skewed, uniform, new Uint8Array(10).fill(42), new Uint8Array(0)]) {
      expect(huffmanDecode(huffmanEncode(data))).toEqual(data);
    }
    // a skewed stream really compresses: about 1.5 bits per symbol here, far below 8
    expect(huffmanEncode(skewed).length).toBeLessThan(264 + 5000 * 0.3);
  });
  it('gives optimal lengths for a textbook distribution', () => {
    const freq = new Array(256).fill(0);
    for (const [i, f] of [45, 13, 12, 16, 9, 5].entries()) freq[i] = f;
    expect(Array.from(huffmanCodeLengths(freq).slice(0, 6))).toEqual([1, 3, 3, 3, 4, 4]);
  });
  it('rejects corrupt and truncated streams with a clear error', () => {
    const enc = huffmanEncode(Uint8Array.from([1, 2, 3, 1, 1, 1, 2]));
    expect(() => huffmanDecode(enc.subarray(0, 10))).toThrow(/header/);
    expect(() => huffmanDecode(enc.subarray(0, enc.length - 1))).toThrow(/truncated/);
    const bad = enc.slice();
    bad[0] = 0;
    expect(() => huffmanDecode(bad)).toThrow(/magic/);
  });
});
