import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsDivergence, klDivergence } from './discrete.js';
import { jsFromLogits, klFromLogits } from './logits.js';

const softmax = (l: number[]) => {
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('KL and JS from logits', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('match the probability forms, row by row', () => {
    const a = [
      [1, 0, -2],
      [0.5, 0.5, 3],
    ];
    const b = [
      [0, 1, 0],
      [-1, 2, 0],
    ];
    const kl = klFromLogits(tf.tensor2d(a), tf.tensor2d(b)).dataSync();
    const js = jsFromLogits(tf.tensor2d(a), tf.tensor2d(b)).dataSync();
    a.forEach((row, i) => {
      expect(kl[i]).toBeCloseTo(klDivergence(softmax(row), softmax(b[i]!)), 5);
      expect(js[i]).toBeCloseTo(jsDivergence(softmax(row), softmax(b[i]!)), 5);
    });
  });
  it('stay finite, with finite gradients, at extreme logits (near-zero mass)', () => {
    const p = tf.tensor1d([80, -80, 0]);
    const q = tf.tensor1d([-80, 80, 0]);
    expect(jsFromLogits(p, q).dataSync()[0]).toBeCloseTo(Math.LN2, 4);
    expect(Number.isFinite(klFromLogits(p, q).dataSync()[0]!)).toBe(true);
    for (const f of [klFromLogits, jsFromLogits]) {
      const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => f(x, y))([p, q]);
      for (const t of g) expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
    }
    expect(() => klFromLogits(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(/same shape/);
  });
});
