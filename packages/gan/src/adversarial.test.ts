import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adam,
  Dense,
  Flatten,
  imageDatasetFromIdx,
  initBackend,
  Optimizer,
  Rng,
  Sequential,
  valueAndGrads,
} from '@lab/core';
import { findSharedData } from '@lab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy, fgsm, pgd, robustAccuracy } from './adversarial.js';

function mnist(split: 'train' | 't10k', n: number) {
  const dir = join(findSharedData(), 'mnist');
  const ds = imageDatasetFromIdx(
    readFileSync(join(dir, `${split}-images-idx3-ubyte.gz`)),
    readFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`)),
  );
  const x = tf.tidy(() =>
    tf.div(tf.tensor4d(ds.images.subarray(0, n * 784), [n, 28, 28, 1], 'float32'), 255),
  );
  return { x, y: tf.tensor1d(ds.labels.subarray(0, n), 'int32') };
}

describe('adversarial examples on MNIST', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('FGSM at epsilon 0.25 breaks a shallow softmax classifier; PGD is at least as strong; L2 PGD works', () => {
    const train = mnist('train', 10000);
    const test = mnist('t10k', 1000);
    const rng = new Rng(0);
    const net = new Sequential([Flatten(), new Dense(784, 10, { rng })]); // softmax regression
    const opt = new Optimizer(adam(5e-3), net.trainableParameters());
    const onehot = tf.oneHot(train.y, 10);
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = rng.permutation(10000);
      for (let s = 0; s < 10000; s += 100) {
        const idx = tf.tensor1d(order.subarray(s, s + 100), 'int32');
        const xb = tf.gather(train.x, idx);
        const yb = tf.gather(onehot, idx);
        const { value, grads } = valueAndGrads(
          () => tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.logSoftmax(net.forward(xb))), 1))) as tf.Scalar,
          net.trainableParameters(),
        );
        opt.step(grads);
        tf.dispose([idx, xb, yb, value, ...Object.values(grads)]);
      }
    }
    const logits = (x: tf.Tensor) => net.forward(x);
    const clean = accuracy(logits, test.x, test.y);
    expect(clean).toBeGreaterThan(0.85);
    const [, f25] = robustAccuracy(logits, test.x, test.y, [0, 0.25], (x, y, epsilon) =>
      fgsm(logits, x, y, { epsilon }),
    );
    // Goodfellow et al.: 99.9% error for a shallow softmax model at epsilon 0.25
    expect(1 - f25!.accuracy).toBeGreaterThan(0.9);
    const weak = 0.05;
    const [f] = robustAccuracy(logits, test.x, test.y, [weak], (x, y, epsilon) =>
      fgsm(logits, x, y, { epsilon }),
    );
    const [p] = robustAccuracy(logits, test.x, test.y, [weak], (x, y, epsilon) =>
      pgd(logits, x, y, { epsilon, steps: 10 }),
    );
    expect(p!.accuracy).toBeLessThanOrEqual(f!.accuracy + 0.01);
    expect(p!.accuracy).toBeLessThan(clean);
    // perturbations stay in the ball and in [0, 1]
    const xb = tf.slice(test.x, 0, 50);
    const yb = tf.slice(test.y, 0, 50);
    const adv = pgd(logits, xb, yb, { epsilon: 0.1, steps: 5 });
    const maxDelta = tf.max(tf.abs(tf.sub(adv, xb))).dataSync()[0]!;
    expect(maxDelta).toBeLessThanOrEqual(0.1 + 1e-6);
    expect(tf.min(adv).dataSync()[0]).toBeGreaterThanOrEqual(0);
    const adv2 = pgd(logits, xb, yb, { epsilon: 2, norm: 'l2', steps: 10 });
    const norms = tf.sqrt(tf.sum(tf.square(tf.reshape(tf.sub(adv2, xb), [50, -1])), 1)).dataSync();
    expect(Math.max(...norms)).toBeLessThanOrEqual(2 + 1e-4);
    expect(accuracy(logits, adv2, yb)).toBeLessThan(accuracy(logits, xb, yb));
    expect(() => fgsm(logits, xb, tf.slice(test.y, 0, 3), { epsilon: 0.1 })).toThrow(
      /50 inputs but 3 labels/,
    );
    tf.dispose([train.x, train.y, test.x, test.y, onehot, xb, yb, adv, adv2]);
    net.dispose();
    opt.dispose();
  });
});
