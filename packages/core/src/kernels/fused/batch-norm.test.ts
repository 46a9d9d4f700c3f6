import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm } from '../../nn/layers.js';
import { initBackend } from '../../runtime/init.js';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, batchNormTrain } from './batch-norm.js';

// The fused training-mode batch norm against tfjs's composition: the forward bit for bit on wasm
// (the kernels repeat its float32 operations and its double column sums), the gradients against the
// composition on cpu and against a float64 evaluation of the closed form; the layer's running
// statistics; nested gradients left to the composition; no tensor left behind.

const shapes = [
  [5, 3, 3, 7], // odd channel count: the SIMD kernels' scalar tails
  [6, 13],
  [4, 2, 2, 4],
  [3, 5, 24], // a few 4-wide blocks
];

function data(shape: number[], salt: number): tf.Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + salt) * (2 + Math.cos(i * salt))),
    shape,
  );
}

function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  return { y, mean, variance };
}

/** Gradients of sum(y w) for x, gamma, beta with y = f(x, gamma, beta). */
function gradsOf(
  f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  g: tf.Tensor,
  b: tf.Tensor,
  w: tf.Tensor,
) {
  return tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, gg, bb), w)))([
    x,
    g,
    b,
  ]);
}

/** The closed form in float64: dx, dgamma, dbeta of sum(y w). */
function reference(xs: Float32Array, gs: Float32Array, ws: Float32Array, C: number, eps: number) {
  const M = xs.length / C;
  const dx = new Float64Array(xs.length);
  const dg = new Float64Array(C);
  const db = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < M; i++) m += xs[i * C + c]!;
    m /= M;
    let v = 0;
    for (let i = 0; i < M; i++) v += (xs[i * C + c]! - m) ** 2;
    v /= M;
    const rs = 1 / Math.sqrt(v + eps);
    let sdy = 0;
    let sdyx = 0;
    for (let i = 0; i < M; i++) {
      sdy += ws[i * C + c]!;
      sdyx += ws[i * C + c]! * (xs[i * C + c]! - m) * rs;
    }
    dg[c] = sdyx;
    db[c] = sdy;
    for (let i = 0; i < M; i++) {
      const xh = (xs[i * C + c]! - m) * rs;
      dx[i * C + c] = gs[c]! * rs * (ws[i * C + c]! - sdy / M - (xh * sdyx) / M);
    }
  }
  return [dx, dg, db];
}

function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst / Math.max(scale, 1e-30);
}

describe('fused batch norm (training mode)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('runs on wasm only; cpu keeps the composition', () => {
    tf.setBackend('cpu');
    const x = data([4, 4], 1);
    const [g, b] = [tf.ones([4]), tf.zeros([4])];
    expect(batchNormTrain(x, g, b, 1e-5)).toBeNull();
    expect(tf.getKernel(BATCH_NORM_TRAIN, 'cpu')).toBeUndefined();
    expect(tf.getKernel(BATCH_NORM_TRAIN, 'wasm')).toBeDefined();
    tf.dispose([x, g, b]);
  });

  it.each(shapes)('forward: the bits of the composition on wasm, shape %j', (...shape) => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const C = shape[shape.length - 1]!;
    const x = data(shape, 1.3);
    const gamma = data([C], 2.1);
    const beta = data([C], 0.4);
    const fused = batchNormTrain(x, gamma, beta, 1e-5)!;
    const want = tf.tidy(() => composed(x, gamma, beta, 1e-5));
    for (const k of ['y', 'mean', 'variance'] as const) {
      expect(fused[k].shape).toEqual(want[k].shape);
      expect(Array.from(fused[k].dataSync()), k).toEqual(Array.from(want[k].dataSync()));
    }
    tf.dispose([x, gamma, beta, fused.y, fused.mean, fused.variance, want.y, want.mean, want.variance]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(shapes)('gradients: the closed form in float64, and the cpu composition, shape %j', (...shape) => {
    const C = shape[shape.length - 1]!;
    const run = (backend: string, fusedPath: boolean) => {
      tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const [x, g, b, w] = [data(shape, 0.7), data([C], 3.3), data([C], 1.1), data(shape, 5.5)];
      const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        fusedPath ? batchNormTrain(xx, gg, bb, 1e-5)!.y : composed(xx, gg, bb, 1e-5).y;
      const grads = gradsOf(f, x!, g!, b!, w!);
      const out = grads.map((t) => t.dataSync().slice());
      const inputs = [x!.dataSync().slice(), g!.dataSync().slice(), w!.dataSync().slice()] as Float32Array[];
      tf.dispose([x!, g!, b!, w!, ...grads]);
      // the fused path's mean and variance outputs are tidied with the gradient's forward
      expect(tf.memory().numTensors).toBe(before);
      return { out, inputs };
    };
    const fused = run('wasm', true);
    const cpu = run('cpu', false);
    const [xs, gs, ws] = fused.inputs;
    const ref = reference(xs!, gs!, ws!, C, 1e-5);
    for (let k = 0; k < 3; k++) {
      expect(maxError(fused.out[k]!, ref[k]!), `fused ${k}`).toBeLessThan(2e-6);
      expect(maxError(fused.out[k]!, cpu.out[k]!), `vs cpu ${k}`).toBeLessThan(1e-4);
    }
  });

  it('the layer on wasm: the fused kernels, the running statistics of the composition, no leak', async () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const bn = new BatchNorm(6);
    const x = data([8, 3, 3, 6], 2.2);
    const { grads, value } = tf.variableGrads(() => {
      const y = bn.forward(x);
      return tf.sum(tf.mul(y, y)) as tf.Scalar;
    }, [bn.gamma, bn.beta]);
    expect(Object.keys(grads)).toHaveLength(2);
    tf.dispose([value, ...Object.values(grads)]);
    // the running statistics: PyTorch's update from the composition's moments, the same bits
    const want = tf.tidy(() => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return [
        tf.add(tf.mul(tf.zeros([6]), 0.9), tf.mul(mean, 0.1)),
        tf.add(tf.mul(tf.ones([6]), 0.9), tf.mul(tf.mul(variance, 72 / 71), 0.1)),
      ];
    });
    expect(Array.from(bn.runningMean.dataSync())).toEqual(Array.from(want[0]!.dataSync()));
    expect(Array.from(bn.runningVar.dataSync())).toEqual(Array.from(want[1]!.dataSync()));
    tf.dispose(want);
    // and the forward goes through the fused kernel
    const info = await tf.profile(() => bn.forward(x));
    expect(info.kernelNames).toContain(BATCH_NORM_TRAIN);
    expect(info.kernelNames).not.toContain('Mean');
    tf.dispose(info.result as tf.Tensor);
    x.dispose();
    bn.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('nested gradients take the composition (second derivatives stay right)', () => {
    const second = (backend: string) => {
      tf.setBackend(backend);
      const bn = new BatchNorm(4);
      const x = data([5, 4], 0.9);
      const w = data([5, 4], 4.1);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(bn.forward(t), w));
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.grad(f)(t))))(x);
      const out = g.dataSync().slice();
      tf.dispose([x, w, g]);
      bn.dispose();
      return out;
    };
    expect(maxError(second('wasm'), second('cpu'))).toBeLessThan(1e-4);
  });

  it('the backward kernel has no gradient: differentiating it fails loudly', () => {
    tf.setBackend('wasm');
    expect(tf.getGradient(BATCH_NORM_TRAIN_GRAD)).toBeUndefined();
  });
});
