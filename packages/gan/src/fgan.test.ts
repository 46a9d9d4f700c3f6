import { initBackend } from '@lab/core';
import { gan, kl } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fganCriticLoss, fganGeneratorLoss } from './fgan.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

const value = (t: tf.Tensor) => t.dataSync()[0]!;

describe('f-GAN losses', () => {
  it('KL (g = identity, f*(t) = e^(t - 1)): critic and both generator losses by hand, no tensor left', () => {
    const real = tf.tensor1d([1, 3]);
    const fake = tf.tensor1d([0, 1]);
    const before = tf.memory().numTensors;
    const critic = fganCriticLoss(kl(), real, fake);
    const saddle = fganGeneratorLoss(kl(), fake, 'saddle');
    const alternative = fganGeneratorLoss(kl(), fake);
    expect(value(critic)).toBeCloseTo(-(2 - (Math.exp(-1) + 1) / 2), 5);
    expect(value(saddle)).toBeCloseTo(-(Math.exp(-1) + 1) / 2, 5);
    expect(value(alternative)).toBeCloseTo(-0.5, 5);
    tf.dispose([critic, saddle, alternative]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, fake]);
  });

  it("GAN divergence: the 'alternative' generator loss is the non-saturating softplus(-v)", () => {
    const fake = tf.tensor1d([0, 2]);
    const loss = fganGeneratorLoss(gan(), fake, 'alternative');
    const softplus = (x: number) => Math.log1p(Math.exp(x));
    expect(value(loss)).toBeCloseTo((softplus(0) + softplus(-2)) / 2, 5);
    tf.dispose([fake, loss]);
  });

  it('rejects an unknown generator loss kind, naming it, without leaking', () => {
    const fake = tf.tensor1d([0]);
    const before = tf.memory().numTensors;
    expect(() => fganGeneratorLoss(kl(), fake, 'minimax' as 'saddle')).toThrow(
      new RangeError('unknown f-GAN generator loss "minimax"'),
    );
    expect(tf.memory().numTensors).toBe(before);
    fake.dispose();
  });
});
