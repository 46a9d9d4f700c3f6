import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { valueAndGrads } from '../../nn/grad.js';
import { Dense, Lambda, ReLU, Sequential } from '../../nn/layers.js';
import { sgd } from '../../optim/alias.js';
import { Optimizer } from '../../optim/optimizer.js';
import { Rng } from '../../random/rng.js';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, numericGradient, seededTensor as rand } from '../../testing/index.js';
import {
  composedDense,
  DENSE,
  DENSE_RELU,
  type DenseActivation,
  fusedDense,
  RELU_BIAS_GRAD,
  reluBiasGrad,
} from './dense.js';

// The fused dense kernel against tfjs's composition (matMul, add, relu and their gradients): on cpu
// bit for bit (the same backend kernels and sums in the same order); on wasm against cpu within 1e-5
// relative (float32 sums of up to 200 products, which the FMA kernel adds in another order). Shapes: M not a multiple of the 4-row tile, N not
// one of the 8-column panel, K below the FMA path's minimum (the composed kernels run then).

interface Case {
  M: number;
  K: number;
  N: number;
  bias: boolean;
  act: DenseActivation;
}
const CASES: Case[] = [
  { M: 7, K: 13, N: 11, bias: true, act: 'relu' },
  { M: 5, K: 3, N: 6, bias: true, act: 'relu' },
  { M: 9, K: 20, N: 17, bias: false, act: 'relu' },
  { M: 6, K: 24, N: 10, bias: true, act: 'linear' },
  { M: 128, K: 100, N: 10, bias: true, act: 'linear' },
  { M: 130, K: 200, N: 36, bias: true, act: 'relu' },
];
const label = (c: Case) => `${c.M}x${c.K}x${c.N} ${c.bias ? 'bias' : 'no bias'} ${c.act}`;

/** Forward and the three gradients of sum(dense(x, w, b) * r), by the fused kernel or composed. */
function run(c: Case, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const x = rand([c.M, c.K], 1);
    const w = tf.mul(rand([c.K, c.N], 2), 0.3);
    const b = c.bias ? rand([c.N], 3) : undefined;
    const r = rand([c.M, c.N], 4);
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) => {
      const y = fused ? fusedDense(xx, ww, bb, c.act) : composedDense(xx, ww, bb, c.act);
      if (!y) throw new Error('no fused kernel');
      return y;
    };
    const loss = (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) => tf.sum(tf.mul(f(xx, ww, bb), r));
    const grads = c.bias
      ? tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => loss(xx, ww, bb))([x, w, b!])
      : tf.grads((xx: tf.Tensor, ww: tf.Tensor) => loss(xx, ww))([x, w]);
    return [f(x, w, b), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('fused dense layer (LabDense, LabDenseRelu, LabReluBiasGrad)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(CASES.map((c) => [label(c), c] as const))('cpu: %s is the composition bit for bit', (_, c) => {
    tf.setBackend('cpu');
    const fused = run(c, true);
    const composed = run(c, false);
    expect(fused).toHaveLength(composed.length);
    for (const [i, f] of fused.entries()) expect(Array.from(f)).toEqual(Array.from(composed[i]!));
  });

  it.each(CASES.map((c) => [label(c), c] as const))('wasm: %s is the cpu composition within 1e-5', (_, c) => {
    tf.setBackend('cpu');
    const ref = run(c, false);
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run(c, true);
    expect(tf.memory().numTensors).toBe(before);
    for (const [i, g] of got.entries()) expect(maxRelativeError(g, ref[i]!)).toBeLessThan(1e-5);
  });

  it.each(['cpu', 'wasm'])('%s: gradients match central differences (no kink within eps)', (b) => {
    tf.setBackend(b);
    tf.tidy(() => {
      // pre-activations kept away from 0 so that the finite difference does not cross the kink
      const x = tf.add(tf.abs(rand([5, 9], 11)), 0.5);
      const w = rand([9, 6], 12);
      const bias = tf.mul(tf.sign(rand([6], 13)), 3);
      const r = rand([5, 6], 14);
      const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(fusedDense(xx, ww, bb, 'relu')!, r));
      const [gx, gw, gb] = tf.grads(loss)([x, w, bias]);
      for (const [g, at, f] of [
        [gx!, x, (t: tf.Tensor) => loss(t, w, bias)],
        [gw!, w, (t: tf.Tensor) => loss(x, t, bias)],
        [gb!, bias, (t: tf.Tensor) => loss(x, w, t)],
      ] as const) {
        const { indices, values } = numericGradient(f, at, { eps: 1e-2 });
        const analytic = g.dataSync();
        expect(
          maxRelativeError(
            Float32Array.from(indices, (i) => analytic[i]!),
            values,
          ),
        ).toBeLessThan(2e-3);
      }
    });
  });

  it.each(['cpu', 'wasm'])('%s: LabReluBiasGrad is dy * (y > 0) and its column sums (0 masked)', (b) => {
    tf.setBackend(b);
    tf.tidy(() => {
      const y = tf.tensor2d([0, 1, 0.5, 0, 2, 0, 3, 0.25, 0, 0, 1, 4], [3, 4]);
      const dy = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4]);
      const [dz, db] = reluBiasGrad(dy, y);
      expect(Array.from(dz.dataSync())).toEqual([0, 2, 3, 0, 5, 0, 7, 8, 0, 0, 11, 12]);
      expect(Array.from(db.dataSync())).toEqual([5, 2, 21, 20]);
      const [ez, eb] = reluBiasGrad(tf.zeros([0, 4]), tf.zeros([0, 4]));
      expect([ez!.shape, Array.from(eb!.dataSync())]).toEqual([
        [0, 4],
        [0, 0, 0, 0],
      ]);
    });
  });

  it('wasm: second derivatives through the fused layer match the composition on cpu', () => {
    // a gradient-penalty-like objective: |d sum(dense(x) r) / dx|^2, differentiated by w
    const secondOrder = (fused: boolean) =>
      tf.tidy(() => {
        const x = rand([6, 10], 21);
        const w = rand([10, 12], 22);
        const b = rand([12], 23);
        const r = rand([6, 12], 24);
        const dense = (xx: tf.Tensor, ww: tf.Tensor) =>
          fused ? fusedDense(xx, ww, b, 'relu')! : composedDense(xx, ww, b, 'relu');
        const penalty = (ww: tf.Tensor) => {
          const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(dense(xx, ww), r)))(x);
          return tf.sum(tf.square(gx));
        };
        return tf.grad(penalty)(w).dataSync() as Float32Array;
      });
    tf.setBackend('cpu');
    const ref = secondOrder(false);
    tf.setBackend('wasm');
    expect(maxRelativeError(secondOrder(true), ref)).toBeLessThan(2e-6);
  });

  it.each(['cpu', 'wasm'])('%s: the kernels refuse other dtypes and shapes, naming themselves', (b) => {
    tf.setBackend(b);
    tf.tidy(() => {
      const k = (name: string, inputs: Record<string, tf.Tensor>) => () =>
        tf.engine().runKernel(name, inputs);
      expect(k(DENSE, { x: tf.zeros([2, 3]), w: tf.zeros([4, 5]) })).toThrow(
        `${DENSE}: x [M, K] and w [K, N] expected, got [2,3] and [4,5]`,
      );
      expect(k(DENSE_RELU, { x: tf.zeros([2, 3]), w: tf.zeros([3, 5]), b: tf.zeros([4]) })).toThrow(
        `${DENSE_RELU}: b [5] expected, got [4]`,
      );
      expect(k(DENSE, { x: tf.zeros([2, 3], 'int32'), w: tf.zeros([3, 5]) })).toThrow(
        `${DENSE}: float32 tensors only, got x int32`,
      );
      expect(k(RELU_BIAS_GRAD, { dy: tf.zeros([2, 3]), y: tf.zeros([3, 2]) })).toThrow(
        `${RELU_BIAS_GRAD}: dy and y of one shape [M, N] expected, got [2,3] / [3,2]`,
      );
      // fusedDense itself declines what the kernel would refuse (callers compose instead)
      expect(fusedDense(tf.zeros([2, 3], 'int32'), tf.zeros([3, 5]), undefined, 'linear')).toBeNull();
      expect(fusedDense(tf.zeros([2, 2, 3]), tf.zeros([3, 5]), undefined, 'linear')).toBeNull();
    });
  });

  it('Sequential runs Dense then ReLU as one LabDenseRelu kernel, with the unfused values', async () => {
    tf.setBackend('wasm');
    const layers = (relu: () => Lambda) => {
      const rng = new Rng(5);
      return new Sequential([new Dense(20, 16, { rng }), relu(), new Dense(16, 3, { rng })]);
    };
    const fused = layers(ReLU);
    const plain = layers(() => new Lambda('relu', tf.relu)); // not marked: composed
    const x = rand([9, 20], 31);
    const info = await tf.profile(() => fused.forward(x));
    expect(info.kernels.map((k) => k.name)).toEqual([DENSE_RELU, DENSE]);
    const [a, b] = [fused.forward(x), plain.forward(x)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b, x, info.result as tf.Tensor]);
    fused.dispose();
    plain.dispose();
  });

  it('Sequential leaves a Dense whose forward is overridden unfused', async () => {
    tf.setBackend('wasm');
    class Doubled extends Dense {
      override forward(x: tf.Tensor): tf.Tensor {
        return tf.tidy(() => tf.mul(super.forward(x), 2));
      }
    }
    const net = new Sequential([new Doubled(4, 3, { rng: new Rng(1) }), ReLU()]);
    const x = rand([2, 4], 41);
    const info = await tf.profile(() => net.forward(x));
    expect(info.kernels.map((k) => k.name)).toEqual([DENSE, 'Multiply', 'Relu']);
    tf.dispose([x, info.result as tf.Tensor]);
    net.dispose();
  });

  it.each(['cpu', 'wasm'])('%s: an SGD training loop through fused layers leaks no tensor', (b) => {
    tf.setBackend(b);
    const rng = new Rng(3);
    const net = new Sequential([new Dense(12, 9, { rng }), ReLU(), new Dense(9, 4, { rng })]);
    const vars = net.trainableParameters();
    const opt = new Optimizer(sgd(0.05, { momentum: 0.9 }), vars);
    const x = rand([16, 12], 51);
    const y = tf.tidy(() =>
      tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4),
    );
    const step = () => {
      const { value, grads } = valueAndGrads(
        () => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar,
        vars,
      );
      const loss = value.dataSync()[0]!;
      opt.step(grads);
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    };
    const first = step();
    const count = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    expect(tf.memory().numTensors).toBe(count);
    expect(last).toBeLessThan(first); // it trains
    tf.dispose([x, y]);
    opt.dispose();
    net.dispose();
  });
});
