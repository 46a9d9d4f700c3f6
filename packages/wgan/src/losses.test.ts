import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientPenalty } from './index.js';

describe('gradient penalty', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('equals lambda * (||w|| - 1)^2 for a linear critic, and its weight gradient matches finite differences', () => {
    const real = tf.tensor2d([
      [1, 2, 3],
      [0, -1, 2],
    ]);
    const fake = tf.tensor2d([
      [0.5, 0, 1],
      [2, 2, -1],
    ]);
    const eps = tf.tensor1d([0.3, 0.8]);
    const penaltyOf = (w: tf.Tensor) =>
      gradientPenalty((x) => tf.squeeze(tf.matMul(x, tf.reshape(w, [3, 1])), [1]), real, fake, {
        epsilon: eps,
      });
    const w = tf.tensor1d([0.2, -0.5, 0.9]);
    const norm = Math.hypot(0.2, -0.5, 0.9);
    expect(penaltyOf(w).dataSync()[0]).toBeCloseTo(10 * (norm - 1) ** 2, 4);
    const analytic = tf.grad(penaltyOf)(w).dataSync();
    const h = 1e-3;
    for (let i = 0; i < 3; i++) {
      const plus = w.arraySync() as number[];
      const minus = w.arraySync() as number[];
      plus[i]! += h;
      minus[i]! -= h;
      const fd =
        (penaltyOf(tf.tensor1d(plus)).dataSync()[0]! - penaltyOf(tf.tensor1d(minus)).dataSync()[0]!) /
        (2 * h);
      expect(analytic[i]).toBeCloseTo(fd, 2);
      // closed form: d/dw 10 (||w|| - 1)^2 = 20 (||w|| - 1) w / ||w||
      expect(analytic[i]).toBeCloseTo((20 * (norm - 1) * (w.arraySync() as number[])[i]!) / norm, 3);
    }
  });
  it('one-sided penalty is zero when the gradient norm is below 1', () => {
    const x = tf.ones([2, 3]);
    const p = gradientPenalty((t) => tf.sum(tf.mul(t, 0.1), 1), x, tf.zeros([2, 3]), { mode: 'one-sided' });
    expect(p.dataSync()[0]).toBe(0);
  });
});
