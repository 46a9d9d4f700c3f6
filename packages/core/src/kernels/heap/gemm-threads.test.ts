import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand, relaxedSimdReachable } from '../../testing/index.js';
import { ConvThreads, MIN_THREADED_MACS } from './conv-threads.js';

// Products and few-channel convolutions above the threading threshold: the single product on the
// threads' gemm (rows split), a convolution with fewer than 8 input channels as patches (im2col_nhwc)
// times the filter, made on the threads. Against the cpu backend, and 1 = 2 threads bit for bit.

async function onThreads(fn: () => tf.Tensor[]): Promise<Record<'cpu' | 'one' | 'two', Float32Array[]>> {
  const run = () => {
    const out = fn();
    const data = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return data;
  };
  tf.setBackend('cpu');
  const cpu = run();
  await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
  const one = run();
  await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
  const two = run();
  return { cpu, one, two };
}

function expectSame(r: Record<'cpu' | 'one' | 'two', Float32Array[]>, tolerance: number): void {
  expect(r.two).toHaveLength(r.cpu.length);
  for (let i = 0; i < r.cpu.length; i++) {
    expect(Array.from(r.two[i]!)).toEqual(Array.from(r.one[i]!));
    expect(maxRelativeError(r.two[i]!, r.cpu[i]!)).toBeLessThan(tolerance);
  }
}

describe.skipIf(!relaxedSimdReachable())('kernel threads: products and few-channel convolutions', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('a single product in all four transpositions (odd M, N not a multiple of 8): as cpu, 1 = 2 threads', async () => {
    const [m, k, n] = [37, 53, 1203];
    expect(m * k * n).toBeGreaterThanOrEqual(MIN_THREADED_MACS);
    const gemm = vi.spyOn(ConvThreads.prototype, 'gemm');
    const r = await onThreads(() =>
      tf.tidy(() =>
        [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ].map(([ta, tb]) => tf.matMul(rand(ta ? [k, m] : [m, k], 1), rand(tb ? [n, k] : [k, n], 2), ta, tb)),
      ),
    );
    expect(gemm).toHaveBeenCalledTimes(4); // at 2 threads only
    expectSame(r, 1e-5);
  });

  it('a product whose weight is read again is packed once and kept in the threads memory', async () => {
    await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
    const w = rand([64, 1000], 3);
    const x = rand([48, 64], 4);
    const before = tf.memory().numTensors;
    const first = tf.tidy(() => tf.matMul(x, w).dataSync());
    const pool = (await import('../../runtime/lab-runtime.js')).labRuntime().convThreads()!;
    const input = vi.spyOn(pool as unknown as { input: () => number }, 'input');
    const second = tf.tidy(() => tf.matMul(x, w).dataSync());
    // both operands found resident: nothing copied in
    expect(input).toHaveBeenCalledTimes(2);
    expect(pool.residentStats().residents).toBeGreaterThanOrEqual(2);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x]);
  });

  it.each([
    { x: [8, 28, 28, 1], f: [5, 5, 1, 64], s: 2, pad: 'same' as const, d: 1 }, // W1's first layer
    { x: [6, 19, 17, 3], f: [3, 4, 3, 45], s: 1, pad: 'valid' as const, d: 1 },
    { x: [6, 23, 21, 2], f: [3, 3, 2, 40], s: 1, pad: 'same' as const, d: 2 },
  ])('a convolution of x $x with filter $f (fewer than 8 channels): as cpu, 1 = 2 threads', async (c) => {
    const conv = vi.spyOn(ConvThreads.prototype, 'conv2d');
    const r = await onThreads(() =>
      tf.tidy(() => {
        const x = rand(c.x, 5) as tf.Tensor4D;
        const f = rand(c.f, 6) as tf.Tensor4D;
        return [tf.conv2d(x, f, c.s, c.pad, 'NHWC', c.d)];
      }),
    );
    expect(conv).toHaveBeenCalledTimes(1);
    expect(conv.mock.calls[0]![4]).toEqual({ im2col: true });
    expectSame(r, 1e-5);
  });

  it.each([
    { dy: [4, 9, 8, 24], w: [5, 5, 16, 24], out: [4, 17, 15, 16], s: 2 }, // odd output sizes
    { dy: [4, 8, 8, 32], w: [5, 5, 12, 32], out: [4, 24, 24, 12], s: 3 },
  ])(
    'a transposed convolution of dy $dy (stride $s), phases interleaved on the threads: as cpu, 1 = 2 threads',
    async (c) => {
      const phases = vi.spyOn(ConvThreads.prototype, 'transposedConv');
      const r = await onThreads(() =>
        tf.tidy(() => [
          tf.conv2dTranspose(
            rand(c.dy, 7) as tf.Tensor4D,
            rand(c.w, 8) as tf.Tensor4D,
            c.out as [number, number, number, number],
            c.s,
            'same',
          ),
        ]),
      );
      expect(phases).toHaveBeenCalledTimes(1); // at 2 threads only
      expectSame(r, 1e-5);
    },
  );
});
