import { Embedding, initBackend, Rng, valueAndGrads } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  conditionImages,
  conditionLatent,
  embedImages,
  embedLatent,
} from './conditional.js';
import { discriminatorLoss, generatorLoss } from './losses.js';
import { dcganDiscriminator, dcganGenerator } from './nets.js';

describe('conditional GANs and AC-GAN', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('conditioning by concatenation feeds DCGAN nets built for the extra inputs', () => {
    const rng = new Rng(0);
    const G = dcganGenerator({ latent: 8 + 10, width: 4, rng });
    const D = dcganDiscriminator({ channels: 1 + 10, width: 4, rng });
    const labels = tf.tensor1d([3, 7], 'int32');
    const zc = conditionLatent(tf.randomNormal([2, 8]), labels, 10);
    expect(zc.shape).toEqual([2, 18]);
    expect(Array.from(tf.slice(zc, [0, 8], [1, 10]).dataSync())).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const img = G.forward(zc);
    const xc = conditionImages(img, labels, 10);
    expect(xc.shape).toEqual([2, 28, 28, 11]);
    expect(tf.slice(xc, [1, 5, 9, 8], [1, 1, 1, 1]).dataSync()[0]).toBe(1); // label 7 -> channel 1 + 7
    expect(D.forward(xc).shape).toEqual([2, 1]);
    expect(() => conditionLatent(tf.zeros([3, 8]), labels, 10)).toThrow(/3 latents but 2 labels/);
    G.dispose();
    D.dispose();
  });
  it('AC-GAN losses are the source BCE plus the class cross-entropies', () => {
    const realOut = tf.tensor2d([
      [2, 1, 0, -1],
      [-1, 0, 3, 0],
    ]);
    const fakeOut = tf.tensor2d([
      [0.5, 0, 0, 2],
      [-2, 1, 1, 1],
    ]);
    const yr = tf.tensor1d([0, 1], 'int32');
    const yf = tf.tensor1d([2, 0], 'int32');
    const ce = (row: number[], y: number) => {
      const m = Math.max(...row);
      return -(row[y]! - m - Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)));
    };
    const clsReal = (ce([1, 0, -1], 0) + ce([0, 3, 0], 1)) / 2;
    const clsFake = (ce([0, 0, 2], 2) + ce([1, 1, 1], 0)) / 2;
    const src = discriminatorLoss(tf.tensor1d([2, -1]), tf.tensor1d([0.5, -2])).dataSync()[0]!;
    expect(acganDiscriminatorLoss(realOut, fakeOut, yr, yf).dataSync()[0]).toBeCloseTo(
      src + clsReal + clsFake,
      5,
    );
    const g = generatorLoss(tf.tensor1d([0.5, -2])).dataSync()[0]!;
    expect(acganGeneratorLoss(fakeOut, yf).dataSync()[0]).toBeCloseTo(g + clsFake, 5);
    const acD = dcganDiscriminator({ width: 4, outputs: 1 + 10 });
    expect(acD.forward(tf.zeros([2, 28, 28, 1])).shape).toEqual([2, 11]);
    acD.dispose();
  });
});

describe('label-embedding conditioning', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('builds the inputs, and gradients reach both embeddings through G and D', () => {
    const rng = new Rng(2);
    const eg = new Embedding(10, 8, { rng });
    const ed = new Embedding(10, 28 * 28, { rng });
    const G = dcganGenerator({ latent: 16 + 8, width: 4, rng });
    const D = dcganDiscriminator({ channels: 2, width: 4, rng, dropout: 0 });
    const labels = tf.tensor1d([0, 3, 9, 3], 'int32');
    const z = tf.randomNormal([4, 16], 0, 1, 'float32', 3);
    expect(embedLatent(z, labels, eg).shape).toEqual([4, 24]);
    const mult = new Embedding(10, 16, { rng });
    expect(embedLatent(z, labels, mult, 'multiply').shape).toEqual([4, 16]);
    expect(() => embedLatent(z, labels, eg, 'multiply')).toThrow(/latent size 16/);
    const { grads } = valueAndGrads(
      () => {
        const fake = G.forward(embedLatent(z, labels, eg));
        return generatorLoss(D.forward(embedImages(fake, labels, ed))) as tf.Scalar;
      },
      { eg: eg.weight, ed: ed.weight },
    );
    const rowNorm = (t: tf.Tensor, r: number) =>
      tf.tidy(() => tf.norm(tf.slice(t, [r, 0], [1, -1])).dataSync()[0]!);
    // only the rows of the labels in the batch receive gradient
    expect(rowNorm(grads.eg!, 3)).toBeGreaterThan(0);
    expect(rowNorm(grads.ed!, 9)).toBeGreaterThan(0);
    expect(rowNorm(grads.eg!, 5)).toBe(0);
    expect(() => embedImages(tf.zeros([4, 28, 28, 1]), labels, eg)).toThrow(/784 = h \* w/);
    tf.dispose([labels, z, ...Object.values(grads)]);
    for (const m of [eg, ed, G, D, mult]) m.dispose();
  });
});
