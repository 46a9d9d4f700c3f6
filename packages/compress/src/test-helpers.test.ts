import { describe, expect, it } from 'vitest';
import { bitsOf, normals } from './test-helpers.js';

describe('test helpers', () => {
  it('normals are deterministic per seed, scaled, and look standard normal', () => {
    const a = normals(2000, 7);
    expect(bitsOf(normals(2000, 7))).toEqual(bitsOf(a));
    expect(bitsOf(normals(2000, 8))).not.toEqual(bitsOf(a));
    const scaled = normals(2000, 7, 3);
    for (let i = 0; i < 10; i++) expect(scaled[i]).toBeCloseTo(Math.fround(a[i]! * 3), 5);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const variance = a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
  });

  it('bitsOf gives the float32 bit patterns of exactly the view, telling -0 from +0', () => {
    const whole = Float32Array.of(5, 1, -0, 0, Number.NaN, 7);
    const bits = bitsOf(whole.subarray(1, 5));
    expect(Array.from(bits)).toEqual([0x3f800000, 0x80000000, 0, 0x7fc00000]);
    // a copy: later writes to the floats do not show
    whole[1] = 2;
    expect(bits[0]).toBe(0x3f800000);
  });
});
