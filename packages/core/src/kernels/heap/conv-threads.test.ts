import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { valueAndGrads } from '../../nn/grad.js';
import { BatchNorm, Conv2d, ConvTranspose2d, LeakyReLU, Sequential } from '../../nn/layers.js';
import { Rng } from '../../random/rng.js';
import { initBackend } from '../../runtime/init.js';
import { labRuntime } from '../../runtime/lab-runtime.js';
import { maxRelativeError, seededTensor as rand, relaxedSimdReachable } from '../../testing/index.js';
import { ConvThreads } from './conv-threads.js';
import { SharedArena } from './shared-arena.js';

// The kernel threads keep tensors in their shared memory between calls (shared-arena.ts) and sum a
// resident tensor over its leading axes there. Checked against the cpu backend, and between 1 and 2
// threads bit for bit (each output row, and each column of a sum, is added by one thread in the same
// order). Odd shapes: rows not a multiple of the 4-row tile, 43 channels (a 16-column pass, then
// 4-column passes and a scalar tail on the second thread).

const xShape = [6, 17, 19, 24];
const wShape = [3, 3, 24, 43];

/** fn on cpu (unless `withCpu` is false), on wasm with 1 thread and on wasm with 2; results as arrays. */
async function onThreads(
  fn: () => tf.Tensor[],
  withCpu = true,
): Promise<Record<'cpu' | 'one' | 'two', Float32Array[]>> {
  const run = () => {
    const out = fn();
    const data = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return data;
  };
  tf.setBackend('cpu');
  const cpu = withCpu ? run() : [];
  await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
  const one = run();
  await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
  const two = run();
  return { cpu, one, two };
}

/** Batch norm's statistics of a convolution's output (what W1's discriminator computes). */
function convThenMoments(): tf.Tensor[] {
  return tf.tidy(() => {
    const y = tf.conv2d(rand(xShape, 1) as tf.Tensor4D, rand(wShape, 2) as tf.Tensor4D, [1, 1], 'same');
    const mean = tf.mean(y, [0, 1, 2]);
    const sum = tf.sum(y, [0, 1, 2], true);
    const meanOfRows = tf.mean(tf.reshape(y, [-1, 43]), 0); // the same data under another shape
    const variance = tf.moments(y, [0, 1, 2]).variance;
    return [y, mean, sum, meanOfRows, variance];
  });
}

describe.skipIf(!relaxedSimdReachable())('kernel threads: tensors resident in shared memory', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false }); // the defaults, for later files in this worker
  });

  it("sums a threaded convolution's output over N, H and W on the threads: as cpu, and 1 = 2 threads bit for bit", async () => {
    const sums = vi.spyOn(ConvThreads.prototype, 'sumOuter');
    const r = await onThreads(convThenMoments);
    // the mean, the kept-dims sum and the mean under a reshape read the resident copy; the
    // variance's mean reads a Square output, which is not in the threads' memory
    expect(sums.mock.results.map((x) => x.value)).toEqual([true, true, true, true, false]);
    for (let i = 0; i < r.cpu.length; i++) {
      expect(Array.from(r.two[i]!)).toEqual(Array.from(r.one[i]!));
      expect(maxRelativeError(r.two[i]!, r.cpu[i]!)).toBeLessThan(i === 4 ? 1e-4 : 1e-5);
    }
  });

  it('runs the phases of a transposed convolution on the threads, dy copied in once, interleaved there', async () => {
    await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
    const phases = vi.spyOn(ConvThreads.prototype, 'transposedConv');
    const alloc = vi.spyOn(SharedArena.prototype, 'alloc');
    const dy = rand([4, 9, 9, 64], 3);
    const w = rand([4, 4, 32, 64], 4);
    // stride 2: four phases, each a stride-1 convolution of the whole dy
    const dx = tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [4, 18, 18, 32], 2, 'same');
    expect(phases).toHaveBeenCalledTimes(1);
    expect(alloc.mock.calls.filter(([bytes]) => bytes === 4 * dy.size)).toHaveLength(1);
    const got = dx.dataSync();
    tf.setBackend('cpu');
    const want = tf.tidy(() =>
      tf
        .conv2dTranspose(
          rand([4, 9, 9, 64], 3) as tf.Tensor4D,
          rand([4, 4, 32, 64], 4) as tf.Tensor4D,
          [4, 18, 18, 32],
          2,
          'same',
        )
        .dataSync(),
    );
    tf.setBackend('wasm');
    expect(maxRelativeError(got, want)).toBeLessThan(1e-4);
    tf.dispose([dy, w, dx]);
  });

  it('never reads a stale copy: a variable assigned, or a tensor disposed and its memory reused', async () => {
    await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
    const before = tf.memory().numTensors;
    const conv = (x: tf.Tensor, w: tf.Tensor) =>
      tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
    const wanted = (x: tf.Tensor, w: tf.Tensor) => {
      const [xs, ws] = [x, w].map((t) => ({ data: t.dataSync(), shape: [...t.shape] }));
      tf.setBackend('cpu');
      const y = tf.tidy(() =>
        tf
          .conv2d(
            tf.tensor4d(xs!.data, xs!.shape as [number, number, number, number]),
            tf.tensor4d(ws!.data, ws!.shape as [number, number, number, number]),
            1,
            'same',
          )
          .dataSync(),
      );
      tf.setBackend('wasm');
      return y;
    };
    const x = tf.tidy(() => tf.variable(rand(xShape, 5)));
    const w = rand(wShape, 6);
    conv(x, w); // x now resident
    tf.tidy(() => x.assign(tf.neg(x)));
    expect(maxRelativeError(conv(x, w), wanted(x, w))).toBeLessThan(1e-5);
    // a disposed input's heap memory goes to the next tensor of its size: a new dataId, copied again
    const first = rand(xShape, 7);
    conv(first, w);
    first.dispose();
    const second = rand(xShape, 8);
    expect(maxRelativeError(conv(second, w), wanted(second, w))).toBeLessThan(1e-5);
    // the mean of a rewritten variable is taken of its new values
    const y = tf.tidy(() => tf.variable(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')));
    tf.tidy(() => y.assign(tf.mul(y, 3)));
    const mean = tf.tidy(() => tf.mean(y, [0, 1, 2]).dataSync());
    const want = tf.tidy(() => {
      const v = y.dataSync();
      tf.setBackend('cpu');
      const m = tf.mean(tf.tensor(v, y.shape), [0, 1, 2]).dataSync();
      tf.setBackend('wasm');
      return m;
    });
    expect(maxRelativeError(mean, want)).toBeLessThan(1e-5);
    tf.dispose([x, w, second, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  // strides 1-3; same, valid (rows cut off at the end: bottom < 0) and explicit padding; batches,
  // channels and positions off every tile and panel size
  it.each([
    { x: [9, 21, 23, 6], f: [5, 5, 6, 13], stride: 2, pad: 'same' as const },
    { x: [10, 20, 22, 16], f: [4, 4, 16, 24], stride: 3, pad: 'valid' as const },
    {
      x: [8, 13, 11, 9],
      f: [3, 3, 9, 20],
      stride: 1,
      pad: [
        [0, 0],
        [2, 1],
        [1, 2],
        [0, 0],
      ],
    },
  ])('filter gradients on the threads: as cpu, and 1 = 2 threads bit for bit (%o)', async (c) => {
    const threaded = vi.spyOn(ConvThreads.prototype, 'filterGradient');
    const info = tf.backend_util.computeConv2DInfo(
      c.x as [number, number, number, number],
      c.f as [number, number, number, number],
      c.stride,
      1,
      c.pad as 'same',
    );
    const dyShape = [c.x[0]!, info.outHeight, info.outWidth, c.f[3]!];
    const gradient = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: rand(c.x, 11), dy: rand(dyShape, 12) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f },
        ) as tf.Tensor;
    const r = await onThreads(() => [tf.tidy(gradient)]);
    expect(threaded).toHaveBeenCalledTimes(1); // at 2 threads only
    expect(Array.from(r.two[0]!)).toEqual(Array.from(r.one[0]!));
    expect(maxRelativeError(r.two[0]!, r.cpu[0]!)).toBeLessThan(1e-4);
  });

  it('3 threads: a filter gradient and a resident sum with the bits of 1 thread (ranges of unequal work)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = rand([9, 21, 23, 6], 14);
        const dy = rand([9, 11, 12, 40], 15);
        const dw = tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [5, 5, 6, 40] },
          ) as tf.Tensor;
        const y = tf.conv2d(rand(xShape, 16) as tf.Tensor4D, rand(wShape, 17) as tf.Tensor4D, 1, 'same');
        return [dw.dataSync(), tf.mean(y, [0, 1, 2]).dataSync()];
      });
    await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
    const one = run();
    await initBackend({ backend: 'wasm', fallback: false, threads: 3 });
    const threaded = vi.spyOn(ConvThreads.prototype, 'filterGradient');
    const sums = vi.spyOn(ConvThreads.prototype, 'sumOuter');
    const three = run();
    expect(threaded).toHaveBeenCalledTimes(1);
    expect(sums.mock.results.map((r) => r.value)).toEqual([true]);
    expect(Array.from(three[0]!)).toEqual(Array.from(one[0]!));
    expect(Array.from(three[1]!)).toEqual(Array.from(one[1]!));
  });

  // the kernels are checked against cpu above and in kernels.test.ts; here, whether their composition
  // in a training step depends on the thread count (the cpu backend takes a minute for this net)
  it("a small conv net's loss and gradients (conv, batch norm, leaky ReLU, transposed conv): 1 = 2 threads bit for bit", async () => {
    const threaded = vi.spyOn(ConvThreads.prototype, 'filterGradient');
    const sums = vi.spyOn(ConvThreads.prototype, 'bnStats');
    const step = () => {
      const rng = new Rng(3);
      const net = new Sequential([
        new Conv2d(16, 32, 5, { stride: 2, bias: false, rng }), // batch norm reads its output
        new BatchNorm(32),
        LeakyReLU(0.2),
        new ConvTranspose2d(32, 16, 5, { stride: 2, rng }),
      ]);
      const x = rand([16, 28, 28, 16], 13); // batch norm over 16 x 14 x 14 rows: its statistics on the threads
      const { value, grads } = valueAndGrads(
        () => tf.mean(tf.square(net.forward(x))) as tf.Scalar,
        net.trainableParameters(),
      );
      const names = Object.keys(grads).sort();
      const out = [value, ...names.map((k) => grads[k]!)];
      net.dispose();
      x.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const r = await onThreads(step, false);
    expect(tf.memory().numTensors).toBe(before);
    expect(threaded).toHaveBeenCalled();
    expect(sums.mock.results.some((x) => x.value === true)).toBe(true);
    expect(r.two).toHaveLength(6); // the loss; conv, batch norm (2) and transposed conv (2) gradients
    for (let i = 0; i < r.two.length; i++) {
      expect(r.two[i]!.every(Number.isFinite)).toBe(true);
      expect(Array.from(r.two[i]!)).toEqual(Array.from(r.one[i]!));
    }
  });

  it('keeps its resident copies within the budget and frees them with the runtime', async () => {
    await initBackend({ backend: 'wasm', fallback: false, threads: 2 });
    const pool = labRuntime().convThreads()!;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(convThenMoments());
    expect(tf.memory().numTensors).toBe(before);
    // a threaded call begins by freeing the copies of tensors disposed since: what is left is its own
    // input, packed filter and output
    const x = rand(xShape, 9);
    const w = rand(wShape, 10);
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
    const stats = pool.residentStats();
    expect(stats.residents).toBe(3);
    expect(stats.blocks).toBe(3); // no temporary block left behind
    expect(stats.bytes).toBeGreaterThanOrEqual(4 * (x.size + w.size + y.size));
    expect(stats.bytes).toBeLessThanOrEqual(128 * 1024 * 1024);
    tf.dispose([x, w, y]);
    await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
    expect(pool.running).toBe(false);
  });
});
