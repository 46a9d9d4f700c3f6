import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { draganPenalty } from './dragan-penalty.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const value = (t: tf.Tensor) => t.dataSync()[0]!;
// f(x) = x . w per sample: its input gradient is w wherever it is taken
const linear = (w: tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.mul(x, w), 1);
// f(x) = |x|^2 / 2 per sample: its input gradient is x itself, so the norms see the perturbation
const halfSquare = (x: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(x), 1));

describe('draganPenalty', () => {
  it('is lambda (|w| - 1)^2 for a linear critic, whatever the perturbation; no tensor left', () => {
    const w = tf.tensor1d([3, 4]);
    const real = tf.tensor2d([
      [1, 2],
      [-3, 0.5],
    ]);
    const before = tf.memory().numTensors;
    const p = draganPenalty(linear(w), real, { seed: 1 });
    expect(value(p)).toBeCloseTo(10 * 16, 3);
    const q = draganPenalty(linear(w), real, { lambda: 2, c: 3, seed: 2 });
    expect(value(q)).toBeCloseTo(2 * 16, 3);
    tf.dispose([p, q]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, real]);
  });

  it('with c = 0 (or constant data) takes the gradient at the real points themselves', () => {
    const real = tf.tensor2d([
      [3, 4],
      [0, 2],
    ]);
    // norms 5 and 2: lambda mean((5 - 1)^2, (2 - 1)^2) = 10 * 17 / 2
    expect(value(draganPenalty(halfSquare, real, { c: 0, seed: 3 }))).toBeCloseTo(85, 3);
    const constant = tf.fill([2, 2], 0.5);
    const norm = Math.SQRT1_2;
    expect(value(draganPenalty(halfSquare, constant, { seed: 3 }))).toBeCloseTo(10 * (norm - 1) ** 2, 4);
    tf.dispose([real, constant]);
  });

  it('perturbs by c std(x) U[0, 1): bounded by the unperturbed and fully perturbed points, seeded', () => {
    const real = tf.tensor2d([
      [3, 4],
      [1, 1],
    ]);
    const std = Math.sqrt(1.6875); // entries 3, 4, 1, 1: mean 2.25, variance 1.6875
    const penaltyAt = (shift: number) => {
      const norms = [
        [3, 4],
        [1, 1],
      ].map((r) => Math.hypot(r[0]! + shift, r[1]! + shift));
      return (10 * norms.reduce((s, n) => s + (n - 1) ** 2, 0)) / 2;
    };
    const p = value(draganPenalty(halfSquare, real, { c: 0.5, seed: 7 }));
    expect(p).toBeGreaterThan(penaltyAt(0));
    expect(p).toBeLessThan(penaltyAt(0.5 * std));
    expect(value(draganPenalty(halfSquare, real, { c: 0.5, seed: 7 }))).toBe(p);
    expect(value(draganPenalty(halfSquare, real, { c: 0.5, seed: 8 }))).not.toBe(p);
    real.dispose();
  });
});
