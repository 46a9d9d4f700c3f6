import { symmetricEigen } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { normals } from '../test-helpers.js';
import { matMul64, reconstruct, svd, truncatedFactors } from './svd.js';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const frobenius2 = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
};
/** [k, k] gram of the columns of a row-major [rows, k]. */
const gram = (a: Float64Array, rows: number, k: number) => {
  const g = new Float64Array(k * k);
  for (let i = 0; i < rows; i++)
    for (let p = 0; p < k; p++)
      for (let q = 0; q < k; q++) g[p * k + q] = g[p * k + q]! + a[i * k + p]! * a[i * k + q]!;
  return g;
};
const identity = (k: number) => Float64Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 1 : 0));

describe('svd (one-sided Jacobi)', () => {
  for (const [m, n] of [
    [7, 5],
    [5, 9],
    [12, 12],
  ] as const) {
    it(`reconstructs a [${m}, ${n}] matrix exactly at full rank with orthonormal factors`, () => {
      const a = Float64Array.from(normals(m * n, m * 31 + n));
      const d = svd(a, m, n);
      expect(d.k).toBe(Math.min(m, n));
      expect(maxAbsDiff(reconstruct(d), a)).toBeLessThan(1e-12);
      expect(maxAbsDiff(gram(d.u, m, d.k), identity(d.k))).toBeLessThan(1e-12);
      expect(maxAbsDiff(gram(d.v, n, d.k), identity(d.k))).toBeLessThan(1e-12);
      for (let i = 1; i < d.k; i++) expect(d.s[i]!).toBeLessThanOrEqual(d.s[i - 1]!);
    });
  }

  it('gives the singular values that the eigenvalues of A^T A give', () => {
    const [m, n] = [9, 6];
    const a = Float64Array.from(normals(m * n, 5));
    const ata = matMul64(
      Float64Array.from({ length: n * m }, (_, k) => a[(k % m) * n + Math.floor(k / m)]!),
      a,
      n,
      m,
      n,
    );
    const eig = Array.from(symmetricEigen(ata, n).values)
      .map((v) => Math.sqrt(Math.max(0, v)))
      .sort((x, y) => y - x);
    expect(maxAbsDiff(svd(a, m, n).s, eig)).toBeLessThan(1e-10);
  });

  it('has the Eckart-Young error at each rank r: the sum of the squared dropped singular values', () => {
    const [m, n] = [10, 8];
    const a = Float64Array.from(normals(m * n, 11));
    const d = svd(a, m, n);
    for (let r = 1; r <= d.k; r++) {
      const dropped = Array.from(d.s.slice(r)).reduce((s, v) => s + v * v, 0);
      expect(frobenius2(reconstruct(d, r), a)).toBeCloseTo(dropped, 10);
      // no other rank-r product does better: a perturbed one is worse
      const { left, right } = truncatedFactors(d, r);
      left[0] = left[0]! + 1e-3;
      expect(frobenius2(matMul64(left, right, m, r, n), a)).toBeGreaterThan(dropped);
    }
  });

  it('decomposes rank-deficient and zero matrices', () => {
    // rank 2: outer products
    const [m, n] = [6, 5];
    const u = normals(m * 2, 3);
    const v = normals(2 * n, 4);
    const a = matMul64(u, v, m, 2, n);
    const d = svd(a, m, n);
    expect(d.s[2]!).toBeLessThan(1e-12 * d.s[0]!);
    expect(maxAbsDiff(reconstruct(d, 2), a)).toBeLessThan(1e-12);
    const z = svd(new Float64Array(12), 3, 4);
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    expect(Array.from(reconstruct(z))).toEqual(new Array(12).fill(0));
  });

  it('converges on a rank-deficient matrix, whose dependent column rotates down to rounding noise', () => {
    // the third column is the sum of the first two: it ends ~1e-16 of the others, pointing anywhere,
    // and no relative test can make it orthogonal to them (this did not converge in 60 sweeps)
    const a = [1, 2, 3, 2, 4, 6, 0, 1, 1];
    const d = svd(a, 3, 3);
    expect(d.s[2]!).toBeLessThan(1e-14 * d.s[0]!);
    expect(d.s[1]!).toBeGreaterThan(0.1);
    expect(maxAbsDiff(reconstruct(d, 2), a)).toBeLessThan(1e-13);
    expect(maxAbsDiff(reconstruct(d), a)).toBeLessThan(1e-13);
    // the same in a Kronecker product with it (rank 2 x 3 = 6 of 9)
    const k = Float64Array.from({ length: 81 }, (_, e) => {
      const [r, c] = [Math.floor(e / 9), e % 9];
      return a[Math.floor(r / 3) * 3 + Math.floor(c / 3)]! * [2, 3, 5][c % 3]! * (r % 3 === c % 3 ? 1 : 0);
    });
    const dk = svd(k, 9, 9);
    expect(Array.from(dk.s).filter((x) => x > 1e-12 * dk.s[0]!)).toHaveLength(6);
    expect(maxAbsDiff(reconstruct(dk), k)).toBeLessThan(1e-12);
  });

  it('rejects wrong shapes, non-finite entries and bad ranks', () => {
    expect(() => svd([1, 2, 3], 2, 2)).toThrow(/3 entries/);
    expect(() => svd([1, Number.NaN], 1, 2)).toThrow(/entry 1 is NaN/);
    expect(() => svd([], 0, 1)).toThrow(/positive integers/);
    expect(() => truncatedFactors(svd([1, 2, 3, 4], 2, 2), 3)).toThrow(/rank must be/);
  });
});
