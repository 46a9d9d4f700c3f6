import { Dense, initBackend, Rng, Sequential } from '@lab/core';
import { add, dispose, matMul, memory, randomNormal, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../test-helpers.js';
import { factorisationCurve } from './curve.js';
import {
  kroneckerDecomposition,
  kroneckerProduct,
  kroneckerShapeFor,
  kroneckerSum,
  nearestKronecker,
  rearrange,
} from './kronecker.js';
import { KroneckerDense, kroneckerDense } from './kronecker-dense.js';
import { lowRankDense, lowRankParameters } from './low-rank.js';
import { matMul64, reconstruct, svd, truncationResidual } from './svd.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const shape = { m1: 3, n1: 4, m2: 5, n2: 2 };

describe('Kronecker factorisation', () => {
  it('builds A (x) B with the block layout, and rearranges it to vec(A) vec(B)^T', () => {
    const k = kroneckerProduct([1, 2, 3, 4], [0, 5, 6, 7], { m1: 2, n1: 2, m2: 2, n2: 2 });
    expect(Array.from(k)).toEqual([0, 5, 0, 10, 6, 7, 12, 14, 0, 15, 0, 20, 18, 21, 24, 28]);
    expect(Array.from(rearrange(k, { m1: 2, n1: 2, m2: 2, n2: 2 }))).toEqual([
      0, 5, 6, 7, 0, 10, 12, 14, 0, 15, 18, 21, 0, 20, 24, 28,
    ]);
  });

  it('recovers an exact A (x) B, and an exact sum of two terms with two terms', () => {
    const a = normals(12, 1);
    const b = normals(10, 2);
    const w = kroneckerProduct(a, b, shape);
    const f = nearestKronecker(w, shape);
    expect(maxAbsDiff(kroneckerSum(f), w)).toBeLessThan(1e-12);
    expect(f.singularValues[1]!).toBeLessThan(1e-12 * f.singularValues[0]!);
    // A is recovered up to a scale (moved onto B)
    const ratio = f.a[0]![0]! / a[0]!;
    expect(
      maxAbsDiff(
        f.a[0]!.map((v) => v / ratio),
        a,
      ),
    ).toBeLessThan(1e-12);
    const w2 = kroneckerProduct(normals(12, 3), normals(10, 4), shape);
    const sum = w.map((v, i) => v + w2[i]!);
    expect(maxAbsDiff(kroneckerSum(nearestKronecker(sum, shape, 2)), sum)).toBeLessThan(1e-12);
    expect(maxAbsDiff(kroneckerSum(nearestKronecker(sum, shape, 1)), sum)).toBeGreaterThan(1e-3);
  });

  it('gives the Frobenius error of the dropped singular values of the rearrangement', () => {
    const w = Float64Array.from(normals(15 * 8, 9));
    const f = nearestKronecker(w, shape, 2);
    const err = w.reduce((s, v, i) => s + (v - kroneckerSum(f)[i]!) ** 2, 0);
    const dropped = Array.from(f.singularValues.slice(2)).reduce((s, v) => s + v * v, 0);
    expect(err).toBeCloseTo(dropped, 10);
  });

  it('turns a rank-1 W = u v^T into R(W) = U (x) V of rank rank(U) rank(V) (U, V: u, v reshaped)', () => {
    // Van Loan: R[i1 n1 + j1, i2 n2 + j2] = u[i1 m2 + i2] v[j1 n2 + j2] = U[i1, i2] V[j1, j2]
    const s = { m1: 3, n1: 3, m2: 3, n2: 3 };
    const u = Float64Array.from([1, 2, 3, 2, 4, 6, 0, 1, 1]); // [3, 3] of rank 2
    const v = Float64Array.from([2, 0, 0, 0, 3, 0, 0, 0, 5]); // diag(2, 3, 5): rank 3
    const w = matMul64(u, v, 9, 1, 9);
    expect(svd(w, 9, 9).s[1]!).toBeLessThan(1e-12 * svd(w, 9, 9).s[0]!);
    const r = rearrange(w, s);
    expect(maxAbsDiff(r, kroneckerProduct(u, v, s))).toBe(0);
    const sv = Array.from(svd(r, 9, 9).s);
    const rank = sv.filter((x) => x > 1e-10 * sv[0]!).length;
    expect(rank).toBe(6);
    // its singular values are the products of U's and V's
    const products = Array.from(svd(u, 3, 3).s)
      .flatMap((a) => [5, 3, 2].map((b) => a * b))
      .sort((x, y) => y - x);
    expect(maxAbsDiff(sv, products)).toBeLessThan(1e-9 * sv[0]!);
    // so one Kronecker term leaves much of a rank-1 matrix out, while a rank-1 SVD is exact
    expect(truncationResidual(sv, 1)).toBeGreaterThan(0.3);
    // a random u and v: U, V are full rank, and R(u v^T) has the largest rank R can have, 4 x 5 = 20
    const big = { m1: 4, n1: 5, m2: 6, n2: 7 };
    const wr = matMul64(normals(24, 11), normals(35, 12), 24, 1, 35);
    const sr = svd(rearrange(wr, big), 20, 42).s;
    expect(Array.from(sr).filter((x) => x > 1e-10 * sr[0]!).length).toBe(20);
  });

  it('reuses one decomposition for several term counts, and checks it is of this shape', () => {
    const w = Float64Array.from(normals(15 * 8, 13));
    const d = kroneckerDecomposition(w, shape);
    for (const terms of [1, 3])
      expect(
        maxAbsDiff(
          kroneckerSum(nearestKronecker(w, shape, terms, d)),
          kroneckerSum(nearestKronecker(w, shape, terms)),
        ),
      ).toBe(0);
    const other = kroneckerDecomposition(w, { m1: 5, n1: 2, m2: 3, n2: 4 });
    expect(() => nearestKronecker(w, shape, 1, other)).toThrow(/decomposition is of \[10, 12\]/);
  });

  it('chooses near-square factor shapes and refuses primes', () => {
    expect(kroneckerShapeFor(784, 800)).toEqual({ m1: 28, m2: 28, n1: 25, n2: 32 });
    expect(kroneckerShapeFor(12, 6)).toEqual({ m1: 3, m2: 4, n1: 2, n2: 3 });
    expect(() => kroneckerShapeFor(13, 6)).toThrow(/inFeatures 13/);
    expect(() => nearestKronecker([1, 2], shape)).toThrow(/entries/);
    expect(() => nearestKronecker(normals(120, 1), shape, 11)).toThrow(/terms must be/);
  });
});

describe('factorised layers', () => {
  it('KroneckerDense computes x (sum A_r (x) B_r) + bias without forming W', () => {
    const f = nearestKronecker(normals(15 * 8, 5), shape, 3);
    const bias = normals(8, 6);
    const layer = new KroneckerDense(shape, { a: f.a, b: f.b, bias });
    const x = randomNormal([7, 15], 0, 1, 'float32', 1);
    const w = tensor2d(Float32Array.from(kroneckerSum(f)), [15, 8]);
    const expected = tidy(() => add(matMul(x, w), tensor1d(bias)));
    const y = layer.forward(x);
    expect(y.shape).toEqual([7, 8]);
    expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    expect(layer.storedParameters()).toBe(3 * (12 + 10) + 8);
    expect(layer.paramCount()).toBe(layer.storedParameters());
    expect(() => layer.forward(randomNormal([2, 14]))).toThrow(/input/);
    dispose([x, w, expected, y]);
    layer.dispose();
  });

  it('kroneckerDense of a Dense layer equals its weight when the weight is a Kronecker product', () => {
    const dense = new Dense(15, 8, { rng: new Rng(3) });
    dense.weight.assign(
      tensor2d(Float32Array.from(kroneckerProduct(normals(12, 7), normals(10, 8), shape)), [15, 8]),
    );
    const k = kroneckerDense(dense, shape, 1);
    const x = randomNormal([4, 15], 0, 1, 'float32', 2);
    const a = dense.forward(x);
    const b = k.forward(x);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-4);
    expect(() => kroneckerDense(dense, { m1: 3, n1: 4, m2: 4, n2: 2 })).toThrow(/does not match/);
    dispose([x, a, b]);
    k.dispose();
    dense.dispose();
  });

  it('lowRankDense outputs x (U_r S_r V_r^T) + bias, and the dense output at full rank', () => {
    const dense = new Dense(12, 7, { rng: new Rng(4) });
    const x = randomNormal([5, 12], 0, 1, 'float32', 3);
    const w = dense.weight.dataSync();
    const d = svd(w, 12, 7);
    for (const rank of [2, 7]) {
      const lr = lowRankDense(dense, rank, d);
      const wr = tensor2d(Float32Array.from(reconstruct(d, rank)), [12, 7]);
      const expected = add(matMul(x, wr), dense.bias!);
      const y = lr.forward(x);
      expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      expect(lr.paramCount()).toBe(lowRankParameters(12, 7, rank));
      if (rank === 7) {
        const full = dense.forward(x);
        expect(maxAbsDiff(y.dataSync(), full.dataSync())).toBeLessThan(1e-5);
        full.dispose();
      }
      dispose([wr, expected, y]);
      lr.dispose();
    }
    x.dispose();
    dense.dispose();
  });

  it('factorisationCurve probes ranks and terms, leaves the model unchanged and leaks nothing', async () => {
    const model = new Sequential([
      new Dense(16, 12, { rng: new Rng(1) }),
      new Dense(12, 6, { rng: new Rng(2) }),
    ]);
    const x = randomNormal([20, 16], 0, 1, 'float32', 4);
    const reference = model.forward(x);
    const before = memory().numTensors;
    // score: minus the mean squared difference from the dense model's outputs
    const evaluate = (m: { forward: (t: typeof x) => typeof x }) => {
      const y = m.forward(x);
      const v = Array.from(y.dataSync());
      const r = reference.dataSync();
      y.dispose();
      return -v.reduce((s: number, vi: number, i: number) => s + (vi - r[i]!) ** 2, 0) / v.length;
    };
    const points = await factorisationCurve(model, {
      evaluate,
      ranks: [1, 3, 6, 12],
      kroneckerTerms: [1, 2],
    });
    expect(memory().numTensors).toBe(before);
    expect(points.map((p) => [p.method, p.setting])).toEqual([
      ['dense', 0],
      ['svd', 1],
      ['svd', 3],
      ['svd', 6],
      ['svd', 12],
      ['kronecker', 1],
      ['kronecker', 2],
    ]);
    expect(points[0]!.parameters).toBe(16 * 12 + 12 + 12 * 6 + 6);
    expect(points[1]!.parameters).toBe(lowRankParameters(16, 12, 1) + lowRankParameters(12, 6, 1));
    expect(points[1]!.compression).toBeCloseTo(points[0]!.parameters / points[1]!.parameters, 12);
    // ranks at or above min(in, out) keep a layer dense; rank 12 keeps both: the dense model again
    expect(points[4]!.parameters).toBe(points[0]!.parameters);
    expect(points[4]!.accuracy === 0).toBe(true);
    // the approximation gets better with the rank
    expect(points[1]!.accuracy).toBeLessThan(points[2]!.accuracy);
    expect(points[2]!.accuracy).toBeLessThan(points[3]!.accuracy);
    const after = model.forward(x);
    expect(maxAbsDiff(after.dataSync(), reference.dataSync())).toBe(0);
    dispose([x, reference, after]);
    model.dispose();
  });
});
