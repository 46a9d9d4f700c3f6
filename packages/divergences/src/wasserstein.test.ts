import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { emd, sinkhorn, slicedWasserstein, wasserstein1d } from './wasserstein.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('exact Wasserstein', () => {
  it('1-D W1 and W2 from samples: sorted differences for equal sizes, quantiles otherwise', () => {
    expect(wasserstein1d([0, 1, 2], [5, 3, 4])).toBeCloseTo(3, 12);
    expect(wasserstein1d([0, 2], [1, 3], 2)).toBeCloseTo(1, 12);
    // unequal sizes: {0, 1} vs {0, 0.5, 1}: quantile pieces of width 1/3, 1/6, 1/6, 1/3
    expect(wasserstein1d([0, 1], [0, 0.5, 1])).toBeCloseTo((1 / 6) * 0.5 + (1 / 6) * 0.5, 12);
    expect(() => wasserstein1d([], [1])).toThrow(/x is empty/);
  });
  it('EMD equals brute-force assignment on small cases', () => {
    const r = lcg(3);
    for (let trial = 0; trial < 5; trial++) {
      const n = 5;
      const C = Array.from({ length: n }, () => Array.from({ length: n }, () => r()));
      let best = Number.POSITIVE_INFINITY;
      for (const perm of permutations(n))
        best = Math.min(best, perm.reduce((s, j, i) => s + C[i]![j]!, 0) / n);
      const u = new Array(n).fill(1 / n);
      const res = emd(u, u, C);
      expect(res.cost).toBeCloseTo(best, 10);
    }
  });
  it('EMD equals the 1-D W1 for histograms on the line, with the right marginals', () => {
    const r = lcg(5);
    const xs = Array.from({ length: 12 }, () => r() * 10);
    const ys = Array.from({ length: 9 }, () => r() * 10 + 2);
    const a = new Array(12).fill(1 / 12);
    const b = new Array(9).fill(1 / 9);
    const C = xs.map((x) => ys.map((y) => Math.abs(x - y)));
    const res = emd(a, b, C);
    expect(res.cost).toBeCloseTo(wasserstein1d(xs, ys), 9);
    for (const [i, row] of res.plan.entries()) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(a[i], 12);
    for (const [j, bj] of b.entries())
      expect(res.plan.reduce((s, row) => s + row[j]!, 0)).toBeCloseTo(bj, 12);
  });
  it('rejects bad masses and cost matrices', () => {
    expect(() => emd([0.5, 0.5], [1], [[1], [1]])).not.toThrow();
    expect(() => emd([0.5, 0.6], [1], [[1], [1]])).toThrow(/a sums to 1.1 but b sums to 1/);
    expect(() => emd([1.5, -0.5], [1], [[1], [1]])).toThrow(/a\[1\] = -0.5/);
    expect(() => emd([1], [1], [[Number.NaN]])).toThrow(/C\[0\]\[0\] is not finite/);
    expect(() => emd([1], [0.5, 0.5], [[1]])).toThrow(/C must be 1 x 2/);
  });
});

describe('entropic and sliced Wasserstein on tensors', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('Sinkhorn tends to the EMD as epsilon shrinks, and is differentiable', () => {
    const r = lcg(9);
    const n = 6;
    const xs = Array.from({ length: n }, () => r());
    const ys = Array.from({ length: n }, () => r() + 0.3);
    const C = xs.map((x) => ys.map((y) => (x - y) ** 2));
    const u = new Array(n).fill(1 / n);
    const exact = emd(u, u, C).cost;
    const errors = [0.5, 0.1, 0.02, 0.005].map((epsilon) =>
      tf.tidy(() => {
        const { cost } = sinkhorn(tf.tensor1d(u), tf.tensor1d(u), tf.tensor2d(C), {
          epsilon,
          iterations: 500,
        });
        return Math.abs(cost.dataSync()[0]! - exact);
      }),
    );
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]!);
    expect(errors[errors.length - 1]!).toBeLessThan(0.02 * exact);
    const g = tf.grad(
      (c: tf.Tensor) => sinkhorn(tf.tensor1d(u), tf.tensor1d(u), c as tf.Tensor2D, { epsilon: 0.05 }).cost,
    )(tf.tensor2d(C));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
  it('sliced W2: zero for identical clouds, |s| / sqrt(d) for a shift s, differentiable', () => {
    const X = tf.randomNormal([256, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    expect(slicedWasserstein(X, X, { seed: 2 }).dataSync()[0]).toBeCloseTo(0, 6);
    const s = tf.tensor1d([3, 0, 0, 0]);
    const Y = tf.add(X, s) as tf.Tensor2D;
    const sw = slicedWasserstein(X, Y, { projections: 2000, seed: 3 }).dataSync()[0]!;
    expect(Math.abs(sw - 3 / 2)).toBeLessThan(0.1);
    const g = tf.grad((y: tf.Tensor) => slicedWasserstein(X, y as tf.Tensor2D, { seed: 3 }))(Y);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(() => slicedWasserstein(X, tf.zeros([10, 4]) as tf.Tensor2D)).toThrow(/equal sample sizes/);
  });
});
