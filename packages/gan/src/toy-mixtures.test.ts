import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { grid25, modeCoverage, ring8, sampleMixture } from './toy-mixtures.js';

describe('toy mixtures', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('mode coverage: the true mixtures cover every mode with high-quality samples; a collapsed one does not', () => {
    for (const mix of [ring8(), grid25()]) {
      const r = modeCoverage(sampleMixture(mix, 2500, 5), mix);
      expect(r.modesCovered).toBe(mix.centers.length);
      expect(r.highQuality).toBeGreaterThan(0.98);
    }
    const collapsed = tf.tidy(() =>
      tf.add(tf.mul(tf.randomNormal([1000, 2], 0, 1, 'float32', 6), 0.02), tf.tensor1d([2, 0])),
    ) as tf.Tensor2D;
    expect(modeCoverage(collapsed, ring8()).modesCovered).toBe(1);
  });
});
