import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { draganPenalty } from './dragan-penalty.js';
import { gradientNormStats } from './gradient-norm-stats.js';

describe('Lipschitz diagnostics and the DRAGAN penalty', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
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
});
