import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sgd } from '../../optim/alias.js';
import { Optimizer } from '../../optim/optimizer.js';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';
import { SGD_MOMENTUM, sgdMomentumList } from './sgd-momentum.js';

// The fused SGD step (one LabSgdMomentum call for every parameter) against the composed chain it
// replaces (traceMomentum, scaleByLearningRate, params + updates): the same parameters and state bit
// for bit, over steps with and without a trace, odd lengths (the SIMD tail), an empty tensor and a
// learning-rate schedule; and no tensor left behind.

const SHAPES: Record<string, number[]> = { w: [13, 7], b: [5], e: [0], k: [2, 3, 4] };

/** Parameters and state after `steps` optimizer steps, with or without the fused step. */
function train(fused: boolean, steps: number) {
  // (tidy frees the initial values; variables survive it)
  const vars = tf.tidy(() =>
    Object.fromEntries(
      Object.entries(SHAPES).map(([k, s], i) => [
        k,
        tf.variable(rand(s, i + 1), true, `sgd-${fused}-${k}-${i}`),
      ]),
    ),
  );
  const transform = sgd((t) => 0.1 / (t + 1), { momentum: 0.9 });
  const { step: _, ...composed } = transform;
  const opt = new Optimizer(fused ? transform : composed, vars);
  for (let t = 0; t < steps; t++) {
    const grads = tf.tidy(() =>
      Object.fromEntries(Object.entries(SHAPES).map(([k, s], i) => [k, rand(s, 100 * t + i + 7)])),
    );
    opt.step(grads);
    tf.dispose(Object.values(grads));
  }
  const state = opt.getState() as [{ trace: Record<string, tf.Tensor> }, { count: number }];
  const values = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.from(v.dataSync())]));
  const traces = Object.fromEntries(
    Object.entries(state[0].trace).map(([k, v]) => [k, Array.from(v.dataSync())]),
  );
  const out = { values, traces, count: state[1].count };
  opt.dispose();
  tf.dispose(Object.values(vars));
  return out;
}

describe('fused SGD with momentum (LabSgdMomentum)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])(
    '%s: the fused step gives the composed chain parameters and state bit for bit',
    (b) => {
      tf.setBackend(b);
      const before = tf.memory().numTensors;
      const fused = train(true, 3);
      const composed = train(false, 3);
      expect(fused).toEqual(composed);
      expect(fused.count).toBe(3);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each(['cpu', 'wasm'])(
    '%s: the kernel runs once per step, and the tensor count stays flat',
    async (b) => {
      tf.setBackend(b);
      const w = tf.tidy(() => tf.variable(rand([9, 3], 1)));
      const opt = new Optimizer(sgd(0.01, { momentum: 0.9 }), { w });
      const g = { w: rand([9, 3], 2) };
      opt.step(g);
      const count = tf.memory().numTensors;
      const info = await tf.profile(() => opt.step(g));
      expect(info.kernels.map((k) => k.name)).toEqual([SGD_MOMENTUM]);
      for (let i = 0; i < 3; i++) opt.step(g);
      expect(tf.memory().numTensors).toBe(count);
      opt.dispose();
      tf.dispose([w, g.w]);
    },
  );

  it('first step: the trace is the gradient, p - lr g (PyTorch starts the buffer at g)', () => {
    tf.setBackend('wasm');
    tf.tidy(() => {
      const out = sgdMomentumList([tf.tensor1d([1, 2, 3])], [tf.tensor1d([10, 20, 30])], null, 0.9, 0.5)!;
      expect(Array.from(out.traces[0]!.dataSync())).toEqual([10, 20, 30]);
      expect(Array.from(out.params[0]!.dataSync())).toEqual([-4, -8, -12]);
    });
  });

  it('refuses lists of different lengths, missing inputs and mismatched shapes, naming itself', () => {
    tf.setBackend('wasm');
    tf.tidy(() => {
      const [a, b] = [tf.zeros([3]), tf.zeros([4])];
      expect(() => sgdMomentumList([a], [a, a], null, 0.9, 0.1)).toThrow(
        `${SGD_MOMENTUM}: 1 parameters against 2 gradients`,
      );
      expect(() => sgdMomentumList([a], [b], null, 0.9, 0.1)).toThrow(
        `${SGD_MOMENTUM}: parameter 0 shapes differ: [3] / [4]`,
      );
      const attrs = { count: 1, withTrace: true, momentum: 0.9, lr: 0.1 };
      expect(() => tf.engine().runKernel(SGD_MOMENTUM, { p0: a, g0: a }, attrs as never)).toThrow(
        `${SGD_MOMENTUM}: input p0, g0 or b0 missing`,
      );
      // int32 tensors: declined, the optimizer composes instead
      expect(sgdMomentumList([tf.zeros([3], 'int32')], [a], null, 0.9, 0.1)).toBeNull();
    });
  });
});
