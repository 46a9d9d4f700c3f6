import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorLoss, generatorLoss, hingeDiscriminatorLoss, hingeGeneratorLoss } from './index.js';

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
  it('hinge losses equal the hand computation, with no gradient beyond the margin', () => {
    const real = [2, 0.25, -1];
    const fake = [-3, -0.5, 1.5];
    // D: mean(relu(1 - r)) + mean(relu(1 + f)) = (0 + 0.75 + 2) / 3 + (0 + 0.5 + 2.5) / 3
    const d = hingeDiscriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake)).dataSync()[0]!;
    expect(d).toBeCloseTo(2.75 / 3 + 3 / 3, 6);
    expect(hingeGeneratorLoss(tf.tensor1d(fake)).dataSync()[0]!).toBeCloseTo(-(-3 - 0.5 + 1.5) / 3, 6);
    const [gReal, gFake] = tf.grads((r: tf.Tensor, f: tf.Tensor) => hingeDiscriminatorLoss(r, f))([
      tf.tensor1d(real),
      tf.tensor1d(fake),
    ]);
    // d/dr = -1/n inside the margin (r < 1), 0 beyond; d/df = 1/n where f > -1
    expect(Array.from(gReal!.dataSync(), (v) => v + 0)).toEqual([0, -1 / 3, -1 / 3].map(Math.fround));
    expect(Array.from(gFake!.dataSync(), (v) => v + 0)).toEqual([0, 1 / 3, 1 / 3].map(Math.fround));
    const gG = tf.grad((f: tf.Tensor) => hingeGeneratorLoss(f))(tf.tensor1d(fake));
    expect(Array.from(gG.dataSync())).toEqual([-1 / 3, -1 / 3, -1 / 3].map(Math.fround));
  });
});
