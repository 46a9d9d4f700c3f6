// widenF16 (float16 model weights to float32 by moving bits) against the arithmetic definition of
// IEEE half precision, for every one of the 65,536 bit patterns.
import { describe, expect, it } from 'vitest';
import { decodeTensor, widenF16 } from './safetensors.js';

/** The value of float16 bits h: (-1)^s 2^(e-15) (1 + m/1024), subnormals 2^-14 (m/1024). */
function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

describe('widenF16', () => {
  it('gives the float32 bits of the arithmetic definition for all 65,536 halves', () => {
    const bytes = new Uint8Array(2 * 65536);
    const dv = new DataView(bytes.buffer);
    for (let h = 0; h < 65536; h++) dv.setUint16(2 * h, h, true);
    const got = new Uint32Array(widenF16(bytes, 65536).buffer);
    const want = new Uint32Array(Float32Array.from({ length: 65536 }, (_, h) => halfValue(h)).buffer);
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) if (got[h] !== want[h]) mismatches++;
    expect(mismatches).toBe(0);
    // spot checks that do not lean on halfValue: 1, -2, the largest half, -0
    expect(Array.from(widenF16(new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x00, 0x80]), 4))).toEqual(
      [1, -2, 65504, -0],
    );
  });

  it('is what decodeTensor returns for F16 tensors read from an unaligned offset', () => {
    const raw = new Uint8Array([0xaa, 0x00, 0x3c, 0x00, 0x38]).subarray(1);
    const t = decodeTensor({ dtype: 'F16', shape: [2], bytes: raw });
    expect(Array.from(t.data)).toEqual([1, 0.5]);
  });
});
