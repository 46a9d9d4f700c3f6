// Issue 3, part 7: the tensor count stays flat across 200 iterations of the W1 (DCGAN) and W2
// (WGAN-GP) loops, built from the same layer types as the benchmarks at small sizes.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adam,
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  Dropout,
  Flatten,
  initBackend,
  LeakyReLU,
  Optimizer,
  ReLU,
  Reshape,
  Rng,
  Sequential,
  Tanh,
  valueAndGrads,
} from '../src/index.js';

const B = 4;
const Z = 8;
function nets(rng: Rng, dropout: number) {
  const G = new Sequential([
    new Dense(Z, 2 * 2 * 8, { bias: false, rng }),
    new BatchNorm(2 * 2 * 8),
    ReLU(),
    Reshape([2, 2, 8]),
    new ConvTranspose2d(8, 4, 5, { stride: 2, bias: false, rng }),
    new BatchNorm(4),
    ReLU(),
    new ConvTranspose2d(4, 1, 5, { stride: 2, bias: false, rng }),
    Tanh(),
  ]);
  const D = new Sequential([
    new Conv2d(1, 4, 5, { stride: 2, rng }),
    LeakyReLU(0.2),
    ...(dropout ? [new Dropout(dropout, { rng })] : []),
    new Conv2d(4, 8, 5, { stride: 2, rng }),
    LeakyReLU(0.2),
    Flatten(),
    new Dense(2 * 2 * 8, 1, { rng }),
  ]);
  return { G, D };
}
const bce = (logits: tf.Tensor, target: 0 | 1) => tf.mean(tf.softplus(target ? tf.neg(logits) : logits));

function update(opt: Optimizer, vars: Record<string, tf.Variable>, loss: () => tf.Scalar) {
  const { value, grads } = valueAndGrads(loss, vars);
  opt.step(grads);
  tf.dispose([value, ...Object.values(grads)]);
}

describe('GAN training loops are leak-free on wasm', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('W1-style DCGAN: 200 iterations, flat tensor count', () => {
    const rng = new Rng(1);
    const { G, D } = nets(rng, 0.3);
    const gv = G.trainableParameters();
    const dv = D.trainableParameters();
    const og = new Optimizer(adam(2e-4, { b1: 0.5 }), gv);
    const od = new Optimizer(adam(2e-4, { b1: 0.5 }), dv);
    const real = tf.randomUniform([B, 8, 8, 1], -1, 1, 'float32', 1);
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const z = tf.randomNormal([B, Z], 0, 1, 'float32', rng.seed());
      const fake = tf.tidy(() => G.forward(z));
      update(od, dv, () => tf.add(bce(D.forward(real), 1), bce(D.forward(fake), 0)) as tf.Scalar);
      update(og, gv, () => bce(D.forward(G.forward(z)), 1) as tf.Scalar);
      tf.dispose([z, fake]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    for (const x of [G, D, og, od, real]) x.dispose();
  });

  it('W2-style WGAN-GP (double backprop): 200 iterations, flat tensor count', () => {
    const rng = new Rng(2);
    const { G, D } = nets(rng, 0);
    const gv = G.trainableParameters();
    const dv = D.trainableParameters();
    const og = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), gv);
    const od = new Optimizer(adam(1e-4, { b1: 0, b2: 0.9 }), dv);
    const real = tf.randomUniform([B, 8, 8, 1], -1, 1, 'float32', 2);
    const counts: number[] = [];
    for (let i = 0; i < 200; i++) {
      const z = tf.randomNormal([B, Z], 0, 1, 'float32', rng.seed());
      const fake = tf.tidy(() => G.forward(z));
      const eps = tf.randomUniform([B, 1, 1, 1], 0, 1, 'float32', rng.seed());
      update(od, dv, () =>
        tf.tidy(() => {
          const xHat = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
          const g = tf.grad((x: tf.Tensor) => tf.sum(D.forward(x)))(xHat);
          const gp = tf.mean(tf.square(tf.sub(tf.sqrt(tf.sum(tf.square(tf.reshape(g, [B, -1])), 1)), 1)));
          return tf.add(
            tf.sub(tf.mean(D.forward(fake)), tf.mean(D.forward(real))),
            tf.mul(10, gp),
          ) as tf.Scalar;
        }),
      );
      if (i % 5 === 4) update(og, gv, () => tf.neg(tf.mean(D.forward(G.forward(z)))) as tf.Scalar);
      tf.dispose([z, fake, eps]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    for (const x of [G, D, og, od, real]) x.dispose();
  });
});
