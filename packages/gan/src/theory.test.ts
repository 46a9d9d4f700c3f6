import { adam, initBackend, Optimizer, Rng, valueAndGrads } from '@lab/core';
import { jsGaussian1d } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminatorLoss } from './losses.js';
import { mlpDiscriminator } from './nets.js';
import { ganValue, optimalDiscriminator } from './theory.js';

const normalPdf = (m: number, s: number) => (x: number) =>
  Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));

describe('GAN theory on 1-D densities', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('V(D*, G) = -log 4 + 2 JS exactly', () => {
    const P = { mean: 0, std: 1 };
    const Q = { mean: 1.5, std: 0.7 };
    const pd = normalPdf(P.mean, P.std);
    const pg = normalPdf(Q.mean, Q.std);
    expect(ganValue(optimalDiscriminator(pd, pg), pd, pg, -10, 10)).toBeCloseTo(
      -Math.log(4) + 2 * jsGaussian1d(P, Q),
      8,
    );
    // and at p_g = p_data the value is -log 4 with D* = 1/2 everywhere
    expect(ganValue(optimalDiscriminator(pd, pd), pd, pd, -10, 10)).toBeCloseTo(-Math.log(4), 8);
  });
  it('a discriminator trained against a fixed generator approaches D*, and V approaches -log 4 + 2 JS', () => {
    const P = { mean: 0, std: 1 };
    const Q = { mean: 1.5, std: 0.7 };
    const rng = new Rng(3);
    const D = mlpDiscriminator(1, { hidden: [32, 32], rng });
    const opt = new Optimizer(adam(3e-3), D.trainableParameters());
    for (let step = 0; step < 1500; step++) {
      const real = tf.tidy(() =>
        tf.add(tf.mul(tf.randomNormal([512, 1], 0, 1, 'float32', rng.seed()), P.std), P.mean),
      );
      const fake = tf.tidy(() =>
        tf.add(tf.mul(tf.randomNormal([512, 1], 0, 1, 'float32', rng.seed()), Q.std), Q.mean),
      );
      const { value, grads } = valueAndGrads(
        () => discriminatorLoss(D.forward(real), D.forward(fake)) as tf.Scalar,
        D.trainableParameters(),
      );
      opt.step(grads);
      tf.dispose([real, fake, value, ...Object.values(grads)]);
    }
    const xs = Array.from({ length: 501 }, (_, i) => -6 + (12 * i) / 500);
    const probs = tf.tidy(() =>
      Array.from(tf.sigmoid(D.forward(tf.tensor2d(xs, [xs.length, 1]))).dataSync()),
    );
    const learned = (x: number) => probs[Math.round(((x + 6) / 12) * 500)]!;
    const pd = normalPdf(P.mean, P.std);
    const pg = normalPdf(Q.mean, Q.std);
    const star = optimalDiscriminator(pd, pg);
    // where either density has mass, the learned D is close to D*
    for (let x = -1.5; x <= 2.5; x += 0.25)
      expect(Math.abs(learned(x) - star(x)), `x = ${x}`).toBeLessThan(0.06);
    const target = -Math.log(4) + 2 * jsGaussian1d(P, Q);
    const v = ganValue(learned, pd, pg, -6, 6, 500);
    expect(v).toBeLessThanOrEqual(target + 1e-3); // D* maximises V
    expect(Math.abs(v - target)).toBeLessThan(0.02);
    D.dispose();
    opt.dispose();
  });
});
