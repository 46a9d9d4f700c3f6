import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError, numericGradient } from '../testing/index.js';

// The gradient of a gradient norm (WGAN-GP's penalty) with respect to the weights, through each
// layer and activation that the GAN critics use, against central finite differences and against
// the cpu backend.

function data(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}
const rand = (shape: number[], seed: number, scale = 1) =>
  tf.tensor(
    data(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
  );

function layerNorm(x: tf.Tensor, axis: number[]): tf.Tensor {
  const { mean, variance } = tf.moments(x, axis, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}

interface Case {
  name: string;
  xShape: number[];
  wShape: number[];
  /** Critic: weights and a batch to per-sample scores [batch]. */
  critic: (w: tf.Tensor, x: tf.Tensor) => tf.Tensor;
  /** For piecewise-linear activations: the pre-activations, which must stay clear of the kink. */
  kinks?: (w: tf.Tensor, x: tf.Tensor) => tf.Tensor;
}
const EPS = 5e-4;
const B = 3;
const cases: Case[] = [
  {
    name: 'dense + leakyRelu',
    xShape: [B, 5],
    wShape: [5, 4],
    critic: (w, x) => tf.sum(tf.mul(tf.leakyRelu(tf.matMul(x, w), 0.2), tf.tensor1d([1, -2, 0.5, 1.5])), 1),
    kinks: (w, x) => tf.matMul(x, w),
  },
  {
    name: 'dense + relu',
    xShape: [B, 5],
    wShape: [5, 4],
    critic: (w, x) => tf.sum(tf.mul(tf.relu(tf.matMul(x, w)), tf.tensor1d([1, -2, 0.5, 1.5])), 1),
    kinks: (w, x) => tf.matMul(x, w),
  },
  {
    name: 'dense + tanh',
    xShape: [B, 5],
    wShape: [5, 4],
    critic: (w, x) => tf.sum(tf.tanh(tf.matMul(x, w)), 1),
  },
  {
    name: 'dense + sigmoid',
    xShape: [B, 5],
    wShape: [5, 4],
    critic: (w, x) => tf.sum(tf.mul(tf.sigmoid(tf.matMul(x, w)), tf.tensor1d([1, -2, 0.5, 1.5])), 1),
  },
  {
    name: 'conv2d stride 2 + leakyRelu',
    xShape: [B, 6, 6, 2],
    wShape: [3, 3, 2, 3],
    critic: (w, x) =>
      tf.sum(tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), 0.2), [1, 2, 3]),
    kinks: (w, x) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'),
  },
  {
    name: 'conv2dTranspose stride 2 + tanh',
    xShape: [B, 3, 3, 3],
    wShape: [3, 3, 2, 3],
    critic: (w, x) =>
      tf.sum(
        tf.tanh(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [B, 6, 6, 2], 2, 'same')),
        [1, 2, 3],
      ),
  },
  {
    name: 'dense + layer norm + leakyRelu',
    xShape: [B, 5],
    wShape: [5, 4],
    critic: (w, x) =>
      tf.sum(tf.mul(tf.leakyRelu(layerNorm(tf.matMul(x, w), [1]), 0.2), tf.tensor1d([1, -2, 0.5, 1.5])), 1),
  },
];

/** (mean over samples of (||grad_x critic||_2 - 1)^2) as a function of the weights. */
function penalty(c: Case, x: tf.Tensor) {
  return (w: tf.Tensor) => {
    const gx = tf.grad((xx: tf.Tensor) => tf.sum(c.critic(w, xx)))(x);
    const norms = tf.sqrt(tf.sum(tf.square(tf.reshape(gx, [B, -1])), 1));
    return tf.mean(tf.square(tf.sub(norms, 1)));
  };
}

describe('second derivatives (gradient of a gradient penalty)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(cases)('$name: analytic matches finite differences and the cpu backend', (c) => {
    const results: Record<string, Float32Array> = {};
    for (const backend of ['cpu', 'wasm']) {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = rand(c.xShape, 21, 1);
      const w = rand(c.wShape, 12, 0.7);
      if (c.kinks) {
        // a finite difference across a kink measures the jump, not the derivative: keep clear of it
        const clearance = tf.tidy(() => tf.min(tf.abs(c.kinks!(w, x))).dataSync()[0]!);
        expect(clearance).toBeGreaterThan(2 * EPS); // |x| < 1, so one weight moved by EPS moves a pre-activation by < EPS
      }
      const p = penalty(c, x);
      const analytic = tf.tidy(() => tf.grad(p)(w));
      const a = analytic.dataSync() as Float32Array;
      results[backend] = a;
      const numeric = numericGradient(p, w, { eps: EPS, maxEntries: 24 });
      const scale = Math.max(1e-3, ...Array.from(a, Math.abs));
      for (let i = 0; i < numeric.indices.length; i++) {
        const idx = numeric.indices[i]!;
        expect(Math.abs(numeric.values[i]! - a[idx]!) / scale, `${backend} entry ${idx}`).toBeLessThan(2e-2);
      }
      expect(scale).toBeGreaterThan(1e-3); // the penalty really depends on the weights
      tf.dispose([x, w, analytic]);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(maxRelativeError(results.wasm!, results.cpu!)).toBeLessThan(1e-4);
  });
});
