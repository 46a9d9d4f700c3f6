import { initBackend, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  conditionImages,
  conditionLatent,
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
