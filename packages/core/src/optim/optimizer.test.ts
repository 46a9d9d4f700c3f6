import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { chain, type GradientTransformation, mapParams } from './gradient-transformation.js';
import { Optimizer } from './optimizer.js';
import { scaleByLearningRate, traceMomentum } from './primitives.js';

/** A transform whose state is a running sum of the gradients (a tensor per parameter). */
const sumOfGrads: GradientTransformation<{ sum: Record<string, tf.Tensor> }> = {
  init: (params) => ({ sum: mapParams(params, (p) => tf.zerosLike(p)) }),
  update(g, state) {
    const sum = mapParams(g, (x, k) => tf.add(state.sum[k]!, x));
    return [mapParams(sum, (s) => tf.neg(s)), { sum }];
  },
};

describe('Optimizer', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('steps by the transform, keeps its state, frees the old state, and leaves gradients alone', () => {
    const w = tf.variable(tf.tensor1d([10, 20]));
    const opt = new Optimizer(sumOfGrads, { w });
    const g = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    opt.step({ w: g });
    opt.step({ w: g });
    // w -= g, then w -= 2g
    expect(Array.from(w.dataSync())).toEqual([7, 14]);
    expect(Array.from(opt.getState().sum.w!.dataSync())).toEqual([2, 4]);
    expect(tf.memory().numTensors).toBe(before);
    expect(g.isDisposed).toBe(false);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    tf.dispose([w, g]);
  });

  it('a state that reuses the gradient (momentum starts at g) keeps it alive across steps', () => {
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new Optimizer(chain(traceMomentum(0.5), scaleByLearningRate(1)), { w });
    for (const grad of [2, 4]) {
      const g = tf.tensor1d([grad]);
      opt.step({ w: g });
      g.dispose();
    }
    // b1 = 2, w = -1; b2 = 0.5 * 2 + 4 = 5, w = -6
    expect(Array.from(w.dataSync())).toEqual([-6]);
    opt.dispose();
    w.dispose();
  });

  it('refuses gradients for unknown variables or of other shapes, naming Optimizer.step', () => {
    const w = tf.variable(tf.zeros([2]));
    const opt = new Optimizer(sumOfGrads, { w });
    const g = tf.zeros([3]);
    expect(() => opt.step({ v: g })).toThrow("Optimizer.step: update for 'v' has no parameter");
    expect(() => opt.step({ w: g })).toThrow(
      "Optimizer.step: 'w' update shape [3] differs from parameter shape [2]",
    );
    expect(Array.from(w.dataSync())).toEqual([0, 0]);
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('setState disposes the old state and takes the new one', () => {
    const w = tf.variable(tf.zeros([1]));
    const opt = new Optimizer(sumOfGrads, { w });
    const old = opt.getState().sum.w!;
    const restored = { sum: { w: tf.tensor1d([5]) } };
    opt.setState(restored);
    expect(old.isDisposed).toBe(true);
    const g = tf.tensor1d([1]);
    opt.step({ w: g });
    expect(Array.from(w.dataSync())).toEqual([-6]);
    expect(restored.sum.w.isDisposed).toBe(true); // replaced by the step's new sum
    opt.dispose();
    tf.dispose([w, g]);
  });

  it('survives an enclosing tidy', () => {
    const w = tf.variable(tf.zeros([1]));
    const opt = new Optimizer(sumOfGrads, { w });
    tf.tidy(() => opt.step({ w: tf.tensor1d([3]) }));
    expect(opt.getState().sum.w!.isDisposed).toBe(false);
    expect(Array.from(opt.getState().sum.w!.dataSync())).toEqual([3]);
    opt.dispose();
    w.dispose();
  });
});
