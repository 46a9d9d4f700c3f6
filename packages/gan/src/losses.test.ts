import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorLoss, generatorLoss } from './index.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('GAN losses from logits', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('discriminator loss equals BCE computed by hand', () => {
    const real = [2, -1];
    const fake = [0.5, -3];
    const want =
      (-Math.log(sigmoid(2)) - Math.log(sigmoid(-1))) / 2 +
      (-Math.log(1 - sigmoid(0.5)) - Math.log(1 - sigmoid(-3))) / 2;
    const got = discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake)).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
  });
  it('one-sided label smoothing changes only the real targets', () => {
    const t = 0.9;
    const want = -(t * Math.log(sigmoid(2))) - (1 - t) * Math.log(1 - sigmoid(2)) + -Math.log(1 - sigmoid(0));
    const got = discriminatorLoss(tf.tensor1d([2]), tf.tensor1d([0]), { labelSmoothing: 0.1 }).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
    expect(() => discriminatorLoss(tf.tensor1d([2]), tf.tensor1d([0]), { labelSmoothing: 1 })).toThrow(
      /labelSmoothing/,
    );
  });
  it('is finite at extreme logits and the non-saturating gradient does not vanish', () => {
    const fake = tf.tensor1d([-80, 80]);
    expect(Number.isFinite(discriminatorLoss(fake, fake).dataSync()[0]!)).toBe(true);
    const gNs = tf
      .grad((l: tf.Tensor) => generatorLoss(l, 'non-saturating'))(tf.tensor1d([-20]))
      .dataSync()[0]!;
    const gMm = tf
      .grad((l: tf.Tensor) => generatorLoss(l, 'minimax'))(tf.tensor1d([-20]))
      .dataSync()[0]!;
    expect(Math.abs(gNs)).toBeGreaterThan(0.99); // confident rejection: strong signal
    expect(Math.abs(gMm)).toBeLessThan(1e-8); // the saturation the minimax loss suffers
  });
});
