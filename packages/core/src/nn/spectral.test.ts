import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d, Dense, initBackend, Rng, spectralNormalize, valueAndGrads } from '../index.js';

/** Largest singular value by a long float64 power iteration on W^T W (independent of the library). */
function topSingular(w: number[][]): number {
  const n = w[0]!.length;
  let v = new Array(n).fill(1);
  let s = 0;
  for (let it = 0; it < 2000; it++) {
    const wv = w.map((row) => row.reduce((a, x, j) => a + x * v[j]!, 0));
    const wtwv = v.map((_, j) => w.reduce((a, row, i) => a + row[j]! * wv[i]!, 0));
    s = Math.sqrt(Math.hypot(...wtwv));
    const nrm = Math.hypot(...wtwv);
    v = wtwv.map((x) => x / nrm);
  }
  const wv = w.map((row) => row.reduce((a, x, j) => a + x * v[j]!, 0));
  return Math.hypot(...wv) || s;
}

describe('spectral normalisation', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('sigma converges to the largest singular value and W / sigma has spectral norm 1', () => {
    const data = Array.from({ length: 6 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => Math.sin(3 * i + j) * (j + 1)),
    );
    const W = tf.tensor2d(data);
    const u = tf.variable(tf.ones([4]));
    let sigma = 0;
    for (let i = 0; i < 50; i++) {
      const r = spectralNormalize(W, u);
      sigma = r.sigma.dataSync()[0]!;
      tf.dispose([r.weight, r.sigma]);
    }
    expect(sigma).toBeCloseTo(topSingular(data), 3);
    const r = spectralNormalize(W, u, { update: false });
    expect(topSingular(r.weight.arraySync() as number[][])).toBeCloseTo(1, 3);
    tf.dispose([W, u, r.weight, r.sigma]);
  });
  it('Dense and Conv2d layers with spectralNorm are 1-Lipschitz after training-mode passes, and trainable', () => {
    const rng = new Rng(1);
    const d = new Dense(8, 5, { rng, spectralNorm: true });
    const c = new Conv2d(2, 3, 3, { rng, spectralNorm: { iterations: 2 } });
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 1);
    const img = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 2);
    for (let i = 0; i < 40; i++) tf.dispose([d.forward(x), c.forward(img)]);
    // the layer's effective matrix: read it through the forward pass of the identity on the input space
    d.eval();
    const eff = tf.tidy(() => tf.sub(d.forward(tf.eye(8)), d.bias!)).arraySync() as number[][];
    expect(topSingular(eff)).toBeCloseTo(1, 2);
    expect(Object.keys(d.buffers())).toEqual(['spectralU']);
    d.train();
    const { value, grads } = valueAndGrads(
      () => tf.sum(c.forward(img)) as tf.Scalar,
      c.trainableParameters(),
    );
    expect(Array.from(grads.weight!.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, img, value, ...Object.values(grads)]);
    d.dispose();
    c.dispose();
  });
});
