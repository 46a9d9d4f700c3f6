import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { maxRelativeError, seededTensor as rand, relaxedSimdReachable } from '../../testing/index.js';
import type { WasmHeapBackend } from '../wasm/kernel-utils.js';
import { heapGemm } from './gemm.js';

/** fn's result on cpu and on wasm. */
function onBoth(fn: () => tf.Tensor | tf.Tensor[]): { cpu: Float32Array[]; wasm: Float32Array[] } {
  const out: Record<string, Float32Array[]> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const r = fn();
    const list = Array.isArray(r) ? r : [r];
    out[b] = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
  }
  return { cpu: out.cpu!, wasm: out.wasm! };
}

describe('heap gemm: products with transposed operands, bias and ReLU, against the cpu backend', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
  });

  // M and N off the 4x8 tile, K past the 256-step blocked summation, each transposition
  it.each([
    { m: 130, k: 300, n: 13, tA: false, tB: false },
    { m: 130, k: 300, n: 13, tA: true, tB: false },
    { m: 130, k: 300, n: 13, tA: false, tB: true },
    { m: 7, k: 513, n: 21, tA: true, tB: true },
    { m: 128, k: 784, n: 300, tA: true, tB: false },
  ])('matMul %o matches cpu', ({ m, k, n, tA, tB }) => {
    const a = tA ? [k, m] : [m, k];
    const b = tB ? [n, k] : [k, n];
    const r = onBoth(() => tf.tidy(() => tf.matMul(rand(a, 3), rand(b, 4), tA, tB)));
    expect(maxRelativeError(r.wasm[0]!, r.cpu[0]!)).toBeLessThan(5e-5); // float32 sums in another order
  });

  it.each(['linear', 'relu'] as const)(
    'the %s epilogue with a bias matches relu(matMul + bias) on cpu',
    (act) => {
      if (!relaxedSimdReachable()) return; // heapGemm is the FMA path's; without it nothing to test
      tf.setBackend('cpu');
      const want = tf.tidy(() => {
        const y = tf.add(tf.matMul(rand([37, 50], 5), rand([50, 19], 6)), rand([19], 7));
        return (act === 'relu' ? tf.relu(y) : y).dataSync();
      });
      tf.setBackend('wasm');
      const [x, w, bias] = [rand([37, 50], 5), rand([50, 19], 6), rand([19], 7)];
      const backend = tf.backend() as WasmHeapBackend;
      const info = heapGemm(
        backend,
        x,
        w,
        { transposeA: false, transposeB: false, bias, activation: act },
        [37, 19],
      );
      expect(info).not.toBeNull();
      const got = tf.engine().makeTensorFromTensorInfo(info!);
      expect(maxRelativeError(got.dataSync(), want)).toBeLessThan(1e-5);
      if (act === 'relu') expect(Math.min(...got.dataSync())).toBe(0);
      tf.dispose([x, w, bias, got]);
    },
  );

  it('gradients of a dense + bias + ReLU stack match cpu (every matMul gradient runs here)', () => {
    const r = onBoth(() =>
      tf.tidy(() => {
        const [x, w1, b1, w2] = [rand([64, 40], 8), rand([40, 30], 9), rand([30], 10), rand([30, 9], 11)];
        const f = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2)));
        return tf.grads(f)([w1, b1, w2]);
      }),
    );
    for (const [i, g] of r.wasm.entries()) expect(maxRelativeError(g, r.cpu[i]!)).toBeLessThan(1e-4);
  });

  it('packs a weight once for repeated products, and repacks it after an optimizer update (no stale result)', () => {
    if (!relaxedSimdReachable()) return;
    tf.setBackend('wasm');
    const cache = labRuntime().packedPanels()!;
    const init = rand([64, 24], 12);
    const w = tf.variable(init);
    init.dispose();
    const x = rand([16, 64], 13);
    const product = () => tf.tidy(() => tf.matMul(x, w).dataSync());
    const first = product();
    const entries = cache.stats().entries;
    expect(product()).toEqual(first); // a hit: nothing new packed
    expect(cache.stats().entries).toBe(entries);
    // an SGD-like update: the variable gets new data, the product must follow it
    tf.tidy(() => w.assign(tf.sub(w, tf.mul(0.5, tf.onesLike(w)))));
    const after = product();
    tf.setBackend('cpu');
    const want = tf.tidy(() => tf.matMul(rand([16, 64], 13), tf.sub(rand([64, 24], 12), 0.5)).dataSync());
    tf.setBackend('wasm');
    expect(maxRelativeError(after, want)).toBeLessThan(1e-5);
    expect(maxRelativeError(after, first)).toBeGreaterThan(0.01);
    tf.dispose([w, x]);
  });

  it('a training loop leaks neither tensors nor packed memory', () => {
    if (!relaxedSimdReachable()) return;
    tf.setBackend('wasm');
    const cache = labRuntime().packedPanels()!;
    const init = rand([100, 40], 14);
    const w = tf.variable(init);
    init.dispose(); // the variable's first value is shared with it
    const x = rand([32, 100], 15);
    const step = () =>
      tf.tidy(() => {
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.relu(tf.matMul(x, v))))(w);
        w.assign(tf.sub(w, tf.mul(0.01, g)));
      });
    for (let i = 0; i < 3; i++) step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    // packings of the last step's (now disposed) weight and gradient stay until the next insertion
    const bytes = cache.stats().bytes;
    expect(bytes).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    expect(cache.stats().bytes).toBe(bytes);
    tf.dispose([w, x]);
    cache.sweep();
    expect(cache.stats().bytes).toBe(0);
    expect(cache.stats().entries).toBe(0);
  });
});

describe('packed filters on the kernel threads (threads 2)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false }); // the defaults, for later files in this worker
  });

  it('a threaded convolution repacks its filter after an optimizer update (no stale result)', () => {
    if (!relaxedSimdReachable()) return; // no FMA kernels: nothing threaded
    expect(labRuntime().convThreads()).not.toBeNull();
    const conv = (x: tf.Tensor, w: tf.Tensor) =>
      tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
    // 5 x 15 x 13 positions x 3 x 3 x 24 x 40 taps: over the 2M multiply-adds that go to the threads
    const x = rand([5, 15, 13, 24], 61);
    const init = rand([3, 3, 24, 40], 62);
    const w = tf.variable(init);
    init.dispose();
    const before = conv(x, w);
    tf.tidy(() => w.assign(tf.mul(w, -2)));
    const after = conv(x, w);
    tf.setBackend('cpu');
    const want = tf.tidy(() =>
      tf
        .conv2d(
          rand([5, 15, 13, 24], 61) as tf.Tensor4D,
          tf.mul(rand([3, 3, 24, 40], 62), -2) as tf.Tensor4D,
          1,
          'same',
        )
        .dataSync(),
    );
    tf.setBackend('wasm');
    expect(maxRelativeError(after, want)).toBeLessThan(1e-5);
    expect(maxRelativeError(after, before)).toBeGreaterThan(1);
    tf.dispose([x, w]);
  });
});
