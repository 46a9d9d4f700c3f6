import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { criticIterations, draganPenalty, gradientNormStats, spearman } from './extras.js';

describe('WGAN conveniences', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('critic schedules', () => {
    expect(criticIterations(3)).toBe(5);
    expect([0, 24, 25, 500, 501].map((g) => criticIterations(g, { schedule: 'reference' }))).toEqual([
      100, 100, 5, 100, 5,
    ]);
  });
  it('gradient norm statistics of a linear critic equal ||w||; DRAGAN penalty is lambda (||w|| - 1)^2', () => {
    const w = tf.tensor2d([[3], [4]]);
    const critic = (x: tf.Tensor) => tf.squeeze(tf.matMul(x, w), [1]);
    const x = tf.randomNormal([16, 2], 0, 1, 'float32', 1);
    const s = gradientNormStats(critic, x);
    expect(s.mean).toBeCloseTo(5, 5);
    expect(s.std).toBeCloseTo(0, 5);
    expect(s.q90).toBeCloseTo(5, 5);
    expect(draganPenalty(critic, x, { seed: 2 }).dataSync()[0]).toBeCloseTo(10 * 16, 3);
  });
  it('Spearman correlation with ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks [1, 2.5, 2.5, 4] and [1, 3, 2, 4]: Pearson of ranks = 4.5 / sqrt(4.5 * 5)
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(() => spearman([1], [1])).toThrow(/two pairs/);
  });
});
