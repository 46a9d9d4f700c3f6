import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { cholesky, choleskySolve, symmetricEigen } from './dense.js';

/** A random symmetric positive definite [n, n]: B B^T + n I. */
function spd(n: number, rng: Rng): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = s;
    }
  return a;
}

const matmul = (a: Float64Array, b: Float64Array, n: number, m: number) => {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) for (let k = 0; k < n; k++) out[i * m + j]! += a[i * n + k]! * b[k * m + j]!;
  return out;
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((w, x, i) => Math.max(w, Math.abs(x - b[i]!)), 0);

describe('dense linear algebra', () => {
  it('cholesky factors and solves with several right-hand sides', () => {
    const rng = new Rng(1);
    const n = 9;
    const a = spd(n, rng);
    const l = cholesky(a, n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
    const llt = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) llt[i * n + j]! += l[i * n + k]! * l[j * n + k]!;
    expect(maxDiff(llt, a)).toBeLessThan(1e-9);
    const b = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const x = choleskySolve(l, b, n, 3);
    expect(maxDiff(matmul(a, x, n, 3), b)).toBeLessThan(1e-9);
  });

  it('cholesky rejects a matrix that is not positive definite, naming it', () => {
    expect(() => cholesky([1, 2, 2, 1], 2, 'the covariance')).toThrow(
      /the covariance is not positive definite/,
    );
    expect(() => cholesky([1, 2, 3], 2)).toThrow(RangeError);
  });

  it('symmetricEigen gives orthonormal vectors with A v = lambda v', () => {
    const rng = new Rng(2);
    const n = 12;
    const a = spd(n, rng);
    for (let i = 0; i < n; i++) a[i * n + i]! -= n + 3; // some negative eigenvalues too
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 0; k < n; k++) {
      const v = Float64Array.from({ length: n }, (_, i) => vectors[i * n + k]!);
      const av = matmul(a, v, n, 1);
      expect(
        maxDiff(
          av,
          v.map((x) => x * values[k]!),
        ),
      ).toBeLessThan(1e-8);
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + k]! * vectors[i * n + j]!;
        expect(Math.abs(dot - (j === k ? 1 : 0))).toBeLessThan(1e-10);
      }
    }
    expect(values.some((x) => x < 0)).toBe(true);
  });
});
