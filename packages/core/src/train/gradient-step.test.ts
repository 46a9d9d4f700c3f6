import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, sgd } from '../optim/alias.js';
import { Optimizer } from '../optim/optimizer.js';
import { initBackend } from '../runtime/init.js';
import { gradientStep } from './gradient-step.js';

describe('gradientStep', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('returns the loss before the update and moves the weights by -lr * gradient', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Optimizer(sgd(0.1), { w });
    // loss = sum(w^2): gradient 2w
    const loss = gradientStep(opt, { w }, () => tf.sum(tf.square(w)) as tf.Scalar);
    expect(loss).toBeCloseTo(5, 6);
    const got = w.dataSync();
    expect(got[0]).toBeCloseTo(1 - 0.1 * 2, 6);
    expect(got[1]).toBeCloseTo(-2 + 0.1 * 4, 6);
    opt.dispose();
    w.dispose();
  });
  it('leaves no tensor behind, also when the optimizer throws', () => {
    const w = tf.variable(tf.tensor1d([0.5, 0.25, 2]));
    const opt = new Optimizer(adam(0.01), { w });
    const other = tf.variable(tf.scalar(1));
    const loss = () => tf.sum(tf.mul(w, w)) as tf.Scalar;
    gradientStep(opt, { w }, loss);
    const after = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) gradientStep(opt, { w }, loss);
    expect(tf.memory().numTensors).toBe(after);
    // gradients keyed 'v' have no variable of the optimizer's: step throws, and the tensors still go
    expect(() => gradientStep(opt, { v: other }, () => tf.square(other) as tf.Scalar)).toThrow();
    expect(tf.memory().numTensors).toBe(after);
    opt.dispose();
    w.dispose();
    other.dispose();
  });
});
