import { initBackend } from '@lab/core';
import { w2Gaussian } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { frechetDistance, kernelDistance } from './feature-distances.js';

describe('feature distances', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('Fréchet distance: zero for one set, the Gaussian W2^2 for large samples', () => {
    const a = tf.randomNormal([4000, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const scale = tf.tensor1d([1, 2, 0.5]);
    const b = tf.add(
      tf.mul(tf.randomNormal([4000, 3], 0, 1, 'float32', 2), scale),
      tf.tensor1d([1, 0, 0]),
    ) as tf.Tensor2D;
    expect(frechetDistance(a, a)).toBeCloseTo(0, 6);
    const exact =
      w2Gaussian({ mean: [0, 0, 0], cov: [1, 1, 1] }, { mean: [1, 0, 0], cov: [1, 4, 0.25] }) ** 2;
    expect(Math.abs(frechetDistance(a, b) - exact)).toBeLessThan(0.1);
    expect(() =>
      frechetDistance(
        [[1, 2]],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow(/at least 2/);
  });
  it('KID is unbiased: near zero (within 3 standard errors) for one distribution, clearly positive for a shift', () => {
    const a = tf.randomNormal([1500, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
    const b = tf.randomNormal([1500, 8], 0, 1, 'float32', 4) as tf.Tensor2D;
    const same = kernelDistance(a, b, { subsets: 10, subsetSize: 500 });
    expect(Math.abs(same.mean)).toBeLessThan(3 * same.stdError + 1e-3);
    const shifted = kernelDistance(a, tf.add(b, 0.5) as tf.Tensor2D, { subsets: 10, subsetSize: 500 });
    expect(shifted.mean).toBeGreaterThan(10 * shifted.stdError);
  });
});
