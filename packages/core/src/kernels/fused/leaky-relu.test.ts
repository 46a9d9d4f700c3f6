import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError } from '../../testing/index.js';
import { LEAKY_RELU_GRAD, leakyReluGrad, leakyReluGradients } from './leaky-relu.js';

// kernels.test.ts compares forward and gradient with cpu on a few shapes; here the definition itself
// by hand on both backends: the kink at exactly 0 (x > 0 is strict), odd lengths (the SIMD tail),
// alpha above 1 and negative, empty tensors, the refusals, and the kernel's own gradient.

const xs = [-3, -0.5, 0, 0.25, 2, -1e-3, 7, -8, 0, 1, -2, 3, 0.5];
const dys = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const gradRef = (alpha: number) => xs.map((x, i) => (x > 0 ? dys[i]! : alpha * dys[i]!));

describe('fused leaky ReLU', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['cpu', 'wasm'])('%s: gradient = dy where x > 0, alpha dy elsewhere (0 included)', (b) => {
    tf.setBackend(b);
    for (const alpha of [0.2, 1.5, -0.3]) {
      const got = tf.tidy(() => leakyReluGrad(tf.tensor1d(dys), tf.tensor1d(xs), alpha).dataSync());
      expect(maxRelativeError(got, gradRef(alpha))).toBeLessThan(1e-7);
    }
  });

  it.each(['cpu', 'wasm'])('%s: forward leakyRelu over an odd length, and empty tensors', (b) => {
    tf.setBackend(b);
    const y = tf.tidy(() => tf.leakyRelu(tf.tensor1d(xs), 0.1).dataSync());
    expect(
      maxRelativeError(
        y,
        xs.map((x) => (x > 0 ? x : 0.1 * x)),
      ),
    ).toBeLessThan(1e-7);
    expect(y.filter((v) => v === 0)).toHaveLength(2);
    const before = tf.memory().numTensors;
    const e = tf.tidy(() => [
      tf.leakyRelu(tf.zeros([0, 3]), 0.2),
      leakyReluGrad(tf.zeros([0]), tf.zeros([0]), 0.2),
    ]);
    expect(e.map((t) => t.shape)).toEqual([[0, 3], [0]]);
    tf.dispose(e);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['cpu', 'wasm'])('%s: the kernel refuses other dtypes and unequal shapes, naming itself', (b) => {
    tf.setBackend(b);
    const run = (dy: tf.Tensor, x: tf.Tensor) => () =>
      tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha: 0.2 });
    tf.tidy(() => {
      expect(run(tf.tensor1d([1], 'int32'), tf.tensor1d([1]))).toThrow(
        `${LEAKY_RELU_GRAD}: float32 tensors only, got int32 and float32`,
      );
      expect(run(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(`${LEAKY_RELU_GRAD}: shapes differ: 2,3 / 3,2`);
    });
  });

  // (an int32 dy would meet tfjs's where() with an int32 and a float32 branch: the composition is
  // tfjs's own gradient, and gradients reaching it are float32)
  it('leakyReluGrad falls back to the composition for an int32 x (no kernel call)', () => {
    tf.setBackend('wasm');
    const got = tf.tidy(() =>
      leakyReluGrad(tf.tensor1d([4, 6, 8]), tf.tensor1d([-1, 0, 1], 'int32'), 0.5).dataSync(),
    );
    expect(Array.from(got)).toEqual([2, 3, 8]);
  });

  it("the kernel's gradient: the same mask applied to ddx for dy, zeros for x", () => {
    const config = leakyReluGradients.find((g) => g.kernelName === LEAKY_RELU_GRAD)!;
    tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const ddx = tf.tensor1d(dys);
      const grads = config.gradFunc(ddx, [x], { alpha: 0.3 } as unknown as tf.NamedAttrMap);
      expect(maxRelativeError(grads.dy!().dataSync(), gradRef(0.3))).toBeLessThan(1e-7);
      const dx = grads.x!();
      expect(dx.shape).toEqual([xs.length]);
      expect(Array.from(dx.dataSync()).every((v) => v === 0)).toBe(true);
    });
  });

  it('the second derivative of sum(leakyRelu(x)) is zero and the first is the mask', () => {
    tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const first = tf.grad((t: tf.Tensor) => tf.sum(tf.leakyRelu(t, 0.2)))(x);
      expect(Array.from(first.dataSync())).toEqual(xs.map((v) => Math.fround(v > 0 ? 1 : 0.2)));
      const second = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.leakyRelu(u, 0.2)))(t), t)),
      )(x);
      // d/dx sum(mask(x) * x) = mask(x) (the mask is flat almost everywhere)
      expect(Array.from(second.dataSync())).toEqual(xs.map((v) => Math.fround(v > 0 ? 1 : 0.2)));
    });
  });
});
