import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutout, diffAugment, translate } from './diff-augment.js';

const plane = (x: tf.Tensor, b: number) => {
  const [, h, w] = x.shape as number[];
  const d = x.dataSync();
  return Array.from({ length: h! }, (_, i) =>
    Array.from(d.subarray((b * h! + i) * w!, (b * h! + i + 1) * w!)),
  );
};

describe('DiffAugment', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('is the identity at zero strength (the input itself, and no draw from the Rng)', () => {
    const x = tf.randomUniform([3, 8, 8, 2], -1, 1, 'float32', 1);
    const rng = new Rng(4);
    const y = diffAugment(x, rng, { color: 0, translation: 0, cutout: 0 });
    expect(y).toBe(x);
    expect(rng.getState()).toEqual(new Rng(4).getState());
    x.dispose();
  });
  it('keeps shapes, draws per sample from the Rng (same state, same output), and leaks nothing', () => {
    const x = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const a = diffAugment(x, new Rng(7));
    const b = diffAugment(x, new Rng(7));
    const c = diffAugment(x, new Rng(8));
    expect(a.shape).toEqual([4, 28, 28, 1]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(x.dataSync()));
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
  it('translates each sample by its own shift, filling with zeros', () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 3 * 3 }, (_, i) => i + 1),
      [2, 3, 3, 1],
    );
    const y = translate(x, Int32Array.from([1, 0]), Int32Array.from([0, -1]));
    expect(plane(y, 0)).toEqual([
      [0, 0, 0],
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(plane(y, 1)).toEqual([
      [11, 12, 0],
      [14, 15, 0],
      [17, 18, 0],
    ]);
    // several channels move together
    const rgb = tf.concat([x, tf.mul(x, 10)], 3) as tf.Tensor4D;
    const moved = translate(rgb, Int32Array.from([1, 0]), Int32Array.from([0, -1]));
    const channel1 = tf.slice(moved, [0, 0, 0, 1], [2, 3, 3, 1]);
    expect(Array.from(channel1.dataSync())).toEqual(Array.from(tf.mul(y, 10).dataSync()));
  });
  it('cuts out a square centred where asked, clipped at the border', () => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const y = cutout(x, Int32Array.from([0]), Int32Array.from([3]), 2);
    expect(plane(y, 0)).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
  });
  it('is differentiable: the gradient of a translation is the shifted upstream gradient', () => {
    const x = tf.randomUniform([1, 4, 4, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    const g = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.mul(translate(v as tf.Tensor4D, Int32Array.from([1]), Int32Array.from([1])), w)),
    )(x);
    // y[i][j] = x[i-1][j-1]: dL/dx[i][j] = w[i+1][j+1], zero in the last row and column
    expect(plane(g, 0)).toEqual([
      [5, 6, 7, 0],
      [9, 10, 11, 0],
      [13, 14, 15, 0],
      [0, 0, 0, 0],
    ]);
    // the full augmentation passes a finite, non-zero gradient to the images
    const full = tf.grad((v: tf.Tensor) => tf.sum(tf.square(diffAugment(v, new Rng(1)))))(x);
    const values = Array.from(full.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
  });
  it('rejects strengths outside [0, 1] and non-image tensors, naming the option', () => {
    const x = tf.zeros([2, 4, 4, 1]);
    expect(() => diffAugment(x, new Rng(0), { translation: 2 })).toThrow(/diffAugment.translation/);
    expect(() => diffAugment(x, new Rng(0), { color: Number.NaN })).toThrow(/diffAugment.color/);
    expect(() => diffAugment(tf.zeros([2, 16]), new Rng(0))).toThrow(/\[batch, h, w, c\]/);
  });
});
