import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilter, conv2DBackpropInput } from '../../gradients/tfjs/internals.js';
import { initBackend } from '../../runtime/init.js';
import {
  seededValues as data,
  maxRelativeError,
  seededTensor as rand,
  relaxedSimdReachable,
} from '../../testing/index.js';
import { copyRuns } from './Transpose.js';

async function onBoth(
  fn: () => tf.Tensor,
): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  const out: Record<string, Float32Array> = {};
  let shape: number[] = [];
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const t = fn();
    shape = t.shape;
    out[b] = t.dataSync() as Float32Array;
    t.dispose();
  }
  return { cpu: out.cpu!, wasm: out.wasm!, shape };
}

interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  /** a number is symmetric zero padding, as PyTorch's integer padding */
  pad: 'same' | 'valid' | number;
}
const cases: ConvCase[] = [
  { n: 1, h: 7, w: 7, ci: 3, co: 4, k: [3, 3], s: [1, 1], pad: 'same' },
  { n: 2, h: 9, w: 11, ci: 4, co: 5, k: [5, 5], s: [2, 2], pad: 'same' },
  { n: 3, h: 13, w: 10, ci: 2, co: 3, k: [3, 5], s: [2, 1], pad: 'valid' },
  { n: 1, h: 8, w: 8, ci: 5, co: 2, k: [4, 4], s: [2, 2], pad: 'same' },
  { n: 2, h: 15, w: 14, ci: 3, co: 6, k: [5, 3], s: [3, 2], pad: 'valid' },
  { n: 1, h: 6, w: 9, ci: 1, co: 7, k: [1, 1], s: [2, 2], pad: 'same' },
  { n: 4, h: 14, w: 14, ci: 8, co: 16, k: [5, 5], s: [2, 2], pad: 'same' },
  { n: 2, h: 5, w: 5, ci: 3, co: 3, k: [5, 5], s: [1, 1], pad: 'valid' },
  { n: 2, h: 14, w: 14, ci: 4, co: 3, k: [5, 5], s: [2, 2], pad: 2 },
  { n: 1, h: 28, w: 27, ci: 1, co: 4, k: [5, 5], s: [2, 2], pad: 2 },
  { n: 3, h: 9, w: 8, ci: 3, co: 2, k: [3, 3], s: [1, 1], pad: 1 },
  { n: 1, h: 10, w: 10, ci: 2, co: 3, k: [4, 4], s: [2, 2], pad: 1 },
];

describe('wasm training kernels against the cpu backend', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(cases)('Conv2DBackpropFilter %o', async (c) => {
    const x = [c.n, c.h, c.w, c.ci];
    const outInfo = tf.backend_util.computeConv2DInfo(x as any, [...c.k, c.ci, c.co] as any, c.s, 1, c.pad);
    const r = await onBoth(() =>
      tf.tidy(() =>
        conv2DBackpropFilter(rand(x, 1), rand(outInfo.outShape, 2), [...c.k, c.ci, c.co], c.s, c.pad),
      ),
    );
    expect(r.shape).toEqual([...c.k, c.ci, c.co]);
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-4);
  });

  it.each(cases)('Conv2DBackpropInput %o', async (c) => {
    const x = [c.n, c.h, c.w, c.ci];
    const outInfo = tf.backend_util.computeConv2DInfo(x as any, [...c.k, c.ci, c.co] as any, c.s, 1, c.pad);
    const r = await onBoth(() =>
      tf.tidy(() =>
        conv2DBackpropInput(x, rand(outInfo.outShape, 3), rand([...c.k, c.ci, c.co], 4), c.s, c.pad),
      ),
    );
    expect(r.shape).toEqual(x);
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-4);
  });

  it('conv2dTranspose forward (a Conv2DBackpropInput) matches the DCGAN generator shapes', async () => {
    const r = await onBoth(() =>
      tf.tidy(() =>
        tf.conv2dTranspose(
          rand([2, 7, 7, 16], 5) as tf.Tensor4D,
          rand([5, 5, 8, 16], 6) as tf.Tensor4D,
          [2, 14, 14, 8],
          2,
          'same',
        ),
      ),
    );
    expect(r.shape).toEqual([2, 14, 14, 8]);
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-4);
  });

  it.each([
    { rows: 10, inner: [4], segments: 3 },
    { rows: 1, inner: [], segments: 5 },
    { rows: 37, inner: [2, 3], segments: 11 },
  ])('UnsortedSegmentSum %o', async ({ rows, inner, segments }) => {
    const ids = Array.from({ length: rows }, (_, i) => ((i * 7) % (segments + 2)) - 1); // includes -1 and out-of-range ids
    const r = await onBoth(() =>
      tf.tidy(() => tf.unsortedSegmentSum(rand([rows, ...inner], 7), tf.tensor1d(ids, 'int32'), segments)),
    );
    expect(r.shape).toEqual([segments, ...inner]);
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-6);
  });

  it('embedding gradient (gather) trains on wasm', async () => {
    tf.setBackend('wasm');
    const table = rand([6, 3], 9);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 4, 1, 5], 'int32'))))(table);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    tf.dispose([table, g]);
  });
});

// 8 or more input channels run on @lab's FMA convolution kernel (kernels/heap.c) when the runtime has
// relaxed SIMD; partial row blocks (n*oh*ow not a multiple of 4), partial 8-channel panels (down to one
// output channel), dilation and padding on every side are covered.
const wideCases: (ConvCase & { d?: [number, number] })[] = [
  { n: 1, h: 7, w: 7, ci: 8, co: 8, k: [3, 3], s: [1, 1], pad: 'same' },
  { n: 2, h: 9, w: 11, ci: 12, co: 13, k: [5, 5], s: [2, 2], pad: 'same' },
  { n: 3, h: 13, w: 10, ci: 9, co: 20, k: [3, 5], s: [2, 1], pad: 'valid' },
  { n: 1, h: 5, w: 3, ci: 17, co: 9, k: [1, 1], s: [1, 1], pad: 'valid' },
  { n: 2, h: 14, w: 14, ci: 16, co: 24, k: [5, 5], s: [2, 2], pad: 2 },
  { n: 2, h: 12, w: 9, ci: 8, co: 11, k: [3, 3], s: [1, 1], pad: 'same', d: [2, 3] },
  { n: 1, h: 10, w: 10, ci: 10, co: 16, k: [4, 4], s: [2, 2], pad: 1 },
  { n: 3, h: 8, w: 9, ci: 16, co: 1, k: [5, 5], s: [2, 2], pad: 'same' },
  { n: 2, h: 7, w: 7, ci: 9, co: 3, k: [3, 3], s: [1, 1], pad: 'valid' },
];

describe('convolutions with 8 or more channels (the FMA kernel where relaxed SIMD is available)', () => {
  let fma = false;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    fma = (await initBackend({ backend: 'wasm', fallback: false })).fma;
  });

  it('the FMA kernels load under Node (V8 flag set by initBackend)', () => {
    expect(fma).toBe(relaxedSimdReachable());
  });

  it.each(wideCases)('Conv2D %o', async (c) => {
    const dil = c.d ?? [1, 1];
    const r = await onBoth(() =>
      tf.tidy(() =>
        tf.conv2d(
          rand([c.n, c.h, c.w, c.ci], 51) as tf.Tensor4D,
          rand([...c.k, c.ci, c.co], 52) as tf.Tensor4D,
          c.s,
          c.pad as never,
          'NHWC',
          dil,
        ),
      ),
    );
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-4);
  });

  it.each(wideCases.filter((c) => !c.d))('Conv2DBackpropFilter and Conv2DBackpropInput %o', async (c) => {
    const x = [c.n, c.h, c.w, c.ci];
    const f = [...c.k, c.ci, c.co];
    const outInfo = tf.backend_util.computeConv2DInfo(x as any, f as any, c.s, 1, c.pad);
    const dw = await onBoth(() =>
      tf.tidy(() => conv2DBackpropFilter(rand(x, 53), rand(outInfo.outShape, 54), f as any, c.s, c.pad)),
    );
    expect(maxRelativeError(dw.wasm, dw.cpu)).toBeLessThan(1e-4);
    const dx = await onBoth(() =>
      tf.tidy(() => conv2DBackpropInput(x, rand(outInfo.outShape, 55), rand(f, 56), c.s, c.pad)),
    );
    expect(maxRelativeError(dx.wasm, dx.cpu)).toBeLessThan(1e-4);
  });

  it('a product over K = 12,544 (a filter gradient over DCGAN rows) keeps float32 accuracy', () => {
    // one sign and values near 1: a single float32 accumulator over the whole K drifted to 5.5e-6
    // relative error here; folded into running totals every 256 steps, 2.1e-7
    tf.setBackend('wasm');
    const [m, k, n] = [5, 12544, 9];
    const a = data(m * k, 31).map((v) => 1 + v / 4);
    const b = data(k * n, 32).map((v) => 1 + v / 4);
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
    let worst = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let exact = 0;
        for (let q = 0; q < k; q++) exact += a[i * k + q]! * b[q * n + j]!;
        worst = Math.max(worst, Math.abs(got[i * n + j]! - exact) / exact);
      }
    expect(worst).toBeLessThan(1e-6);
  });

  it.skipIf(!relaxedSimdReachable())(
    "transposed convolutions' phase sums (K 400-1,200) keep float32 accuracy: DCGAN's conv D.c2 input gradient and G.c3",
    () => {
      // dx[b, iy, ix, c] = sum of dy[b, oy, ox, o] w[ky, kx, c, o] over iy = 2 oy + ky - 2 (and x),
      // summed in double; values near 1 of one sign round a float32 running sum at every step.
      // Folded every 256 steps the kernel was 7.9e-7 / 6.9e-7 off here; every 64, 2.5e-7 / 2.0e-7.
      tf.setBackend('wasm');
      for (const [h, ci, co, worstAllowed] of [
        [14, 64, 128, 4e-7], // conv D.c2's input gradient: phase sums of 512-1,152 products
        [28, 1, 64, 4e-7], // convT G.c3's forward pass: 256-576 products, one output channel
      ] as [number, number, number, number][]) {
        const [n, k, s, pad] = [2, 5, 2, 2];
        const oh = Math.floor((h + 2 * pad - k) / s) + 1;
        const dy = data(n * oh * oh * co, 41 + ci).map((v) => 1 + v / 4);
        const w = data(k * k * ci * co, 42 + ci).map((v) => 1 + v / 4);
        const got = tf.tidy(() =>
          conv2DBackpropInput(
            [n, h, h, ci],
            tf.tensor4d(dy, [n, oh, oh, co]),
            tf.tensor4d(w, [k, k, ci, co]),
            s,
            pad,
          ).dataSync(),
        );
        const exact = new Float64Array(n * h * h * ci);
        for (let b = 0; b < n; b++)
          for (let oy = 0; oy < oh; oy++)
            for (let ox = 0; ox < oh; ox++)
              for (let ky = 0; ky < k; ky++)
                for (let kx = 0; kx < k; kx++) {
                  const [iy, ix] = [oy * s + ky - pad, ox * s + kx - pad];
                  if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                  for (let c = 0; c < ci; c++) {
                    let acc = 0;
                    for (let o = 0; o < co; o++)
                      acc += dy[((b * oh + oy) * oh + ox) * co + o]! * w[((ky * k + kx) * ci + c) * co + o]!;
                    exact[((b * h + iy) * h + ix) * ci + c]! += acc;
                  }
                }
        let worst = 0;
        for (let i = 0; i < exact.length; i++)
          worst = Math.max(worst, Math.abs(got[i]! - exact[i]!) / exact[i]!);
        expect(worst).toBeLessThan(worstAllowed);
      }
    },
  );
});

describe("@lab's kernel threads in Node (initBackend threads > 1)", () => {
  afterAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false, threads: 1 });
  });

  it.skipIf(!relaxedSimdReachable())(
    'split convolutions and matrix products between threads with the same results as cpu',
    async () => {
      await initBackend({ backend: 'cpu' });
      const report = await initBackend({ backend: 'wasm', fallback: false, threads: 3 });
      expect(report.threads).toBe(3);
      // big enough to be split (2e6 multiply-adds and more); rows not a multiple of 3 x 4
      const conv = await onBoth(() =>
        tf.tidy(() =>
          tf.conv2d(
            rand([5, 15, 13, 24], 61) as tf.Tensor4D,
            rand([3, 3, 24, 40], 62) as tf.Tensor4D,
            1,
            'same',
          ),
        ),
      );
      expect(maxRelativeError(conv.wasm, conv.cpu)).toBeLessThan(1e-4);
      const dx = await onBoth(() =>
        tf.tidy(() =>
          tf.conv2dTranspose(
            rand([4, 7, 7, 64], 63) as tf.Tensor4D,
            rand([5, 5, 32, 64], 64) as tf.Tensor4D,
            [4, 14, 14, 32],
            2,
            'same',
          ),
        ),
      );
      expect(maxRelativeError(dx.wasm, dx.cpu)).toBeLessThan(1e-4);
      const mm = await onBoth(() => tf.tidy(() => tf.matMul(rand([333, 120], 65), rand([120, 70], 66))));
      expect(maxRelativeError(mm.wasm, mm.cpu)).toBeLessThan(1e-5);
      // a second call with another count replaces the pool; 1 stops it
      expect((await initBackend({ backend: 'wasm', fallback: false, threads: 2 })).threads).toBe(2);
      const again = await onBoth(() => tf.tidy(() => tf.matMul(rand([333, 120], 65), rand([120, 70], 66))));
      expect(Array.from(again.wasm)).toEqual(Array.from(mm.wasm));
      expect((await initBackend({ backend: 'wasm', fallback: false, threads: 1 })).threads).toBe(1);
    },
  );
});

describe('wasm BatchMatMul with transposed operands (the matMul gradients)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it("is @lab's, and computes a batched product with both operands transposed as cpu and a plain loop do", async () => {
    expect((tf.getKernel('BatchMatMul', 'wasm') as any)[Symbol.for('@lab/core.kernel')]).toBe(true);
    // a: [2, 7, 5] and b: [2, 3, 7], so the product a^T b^T is [2, 5, 3]
    const r = await onBoth(() =>
      tf.tidy(
        () =>
          tf
            .engine()
            .runKernel(
              'BatchMatMul',
              { a: rand([2, 7, 5], 21), b: rand([2, 3, 7], 22) },
              { transposeA: true, transposeB: true },
            ) as tf.Tensor,
      ),
    );
    expect(r.shape).toEqual([2, 5, 3]);
    const a = data(70, 21);
    const b = data(42, 22);
    const loop = new Float32Array(30);
    for (let n = 0; n < 2; n++)
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 3; j++) {
          let sum = 0;
          for (let k = 0; k < 7; k++) sum += a[n * 35 + k * 5 + i]! * b[n * 21 + j * 7 + k]!;
          loop[n * 15 + i * 3 + j] = sum;
        }
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-5);
    expect(maxRelativeError(r.wasm, loop)).toBeLessThan(1e-5);
  });
  it.each([
    { a: [5, 7], b: [7, 3], tA: false, tB: false },
    { a: [7, 5], b: [7, 3], tA: true, tB: false },
    { a: [5, 7], b: [3, 7], tA: false, tB: true },
    { a: [7, 5], b: [3, 7], tA: true, tB: true },
    { a: [2, 7, 5], b: [2, 3, 7], tA: true, tB: true },
    { a: [1, 1], b: [3, 1], tA: false, tB: true },
    // K of 8 or more: a 1x1 convolution on the FMA kernel (partial row blocks and panels)
    { a: [13, 9], b: [9, 21], tA: false, tB: false },
    { a: [1, 30, 64], b: [64, 8], tA: false, tB: false },
    { a: [64, 30], b: [19, 64], tA: true, tB: true },
    { a: [128, 100], b: [128, 10], tA: true, tB: false },
    { a: [3, 17, 9], b: [3, 9, 12], tA: false, tB: false },
    { a: [21, 16], b: [16, 3], tA: false, tB: false },
    { a: [16, 6], b: [1, 16], tA: true, tB: true },
  ])('%o', async ({ a, b, tA, tB }) => {
    const r = await onBoth(() => tf.tidy(() => tf.matMul(rand(a, 11), rand(b, 12), tA, tB)));
    expect(r.shape).toEqual(tf.tidy(() => tf.matMul(rand(a, 11), rand(b, 12), tA, tB).shape));
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-5);
  });
});

describe('wasm GatherV2 as row copies', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it.each([
    { shape: [6, 3], axis: 0, ids: [1, 4, 1, 5, 0], idShape: [5] },
    { shape: [6], axis: 0, ids: [5, 0, 2], idShape: [3] },
    { shape: [4, 5, 3], axis: 1, ids: [4, 0, 1, 1], idShape: [2, 2] },
    { shape: [3, 4, 2], axis: 2, ids: [1, 0, 1], idShape: [3] },
    { shape: [4, 3], axis: -1, ids: [2, 2], idShape: [2] },
    { shape: [5, 2], axis: 0, ids: [], idShape: [0] },
  ])('matches cpu: %o', async ({ shape, axis, ids, idShape }) => {
    const r = await onBoth(() =>
      tf.tidy(() => tf.gather(rand(shape, 3), tf.tensor(ids, idShape, 'int32'), axis)),
    );
    expect(Array.from(r.wasm)).toEqual(Array.from(r.cpu));
    tf.setBackend('wasm');
    const ints = tf.tidy(() =>
      tf.gather(tf.tensor1d([7, 8, 9], 'int32'), tf.tensor1d([2, 0], 'int32')).dataSync(),
    );
    expect(Array.from(ints)).toEqual([9, 7]);
  });
  it('rejects an index outside the axis without leaking', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([3, 2]);
    const before = tf.memory().numTensors;
    expect(() => tf.gather(x, tf.tensor1d([3], 'int32'))).toThrow(/outside \[0, 2\]/);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // the index tensor itself
    x.dispose();
  });
});

describe('wasm Identity shares data instead of copying it', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('clones keep their values when the original is disposed, and variables stay independent', () => {
    tf.setBackend('wasm');
    expect((tf.getKernel('Identity', 'wasm') as any)[Symbol.for('@lab/core.kernel')]).toBe(true);
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // one buffer for both
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(y);
    const z = tf.clone(v);
    const seven = tf.tensor1d([7, 8, 9]);
    v.assign(seven);
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    // and gradients, which save cloned inputs, are unchanged
    const a = tf.tensor1d([1, -2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, t)))(a);
    expect(Array.from(g.dataSync())).toEqual([2, -4]);
    tf.dispose([y, v, z, g, seven, a]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('wasm Slice, SplitV, Unpack and Transpose as heap copies', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });
  it('are the ones @lab registers', () => {
    for (const name of ['Slice', 'SplitV', 'Unpack', 'Transpose'])
      expect((tf.getKernel(name, 'wasm') as any)[Symbol.for('@lab/core.kernel')], name).toBe(true);
  });
  it.each([
    { shape: [7, 5], begin: [2, 0], size: [3, 5] },
    { shape: [7, 5], begin: [1, 2], size: [4, 2] },
    { shape: [4, 3, 6], begin: [1, 0, 1], size: [2, -1, 4] },
    { shape: [3, 4, 5, 2], begin: [0, 1, 0, 0], size: [3, 2, 5, 2] },
    { shape: [2, 3, 4, 5, 3], begin: [1, 1, 2, 0, 1], size: [1, 2, 2, 5, 1] },
    { shape: [9], begin: [3], size: [0] },
    { shape: [9], begin: [3], size: [6] },
  ])('slice matches cpu: %o', async ({ shape, begin, size }) => {
    const r = await onBoth(() => tf.tidy(() => tf.slice(rand(shape, 5), begin, size)));
    expect(r.wasm).toEqual(r.cpu);
    tf.setBackend('wasm');
    const ints = tf.tidy(() => tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), [1, 1], [2, 1]));
    expect(Array.from(ints.dataSync())).toEqual([4, 6]);
    ints.dispose();
  });
  it.each([
    { shape: [9, 4], sizes: [2, 0, 4, 3], axis: 0 },
    { shape: [3, 7, 2], sizes: [1, 5, 1], axis: 1 },
    { shape: [3, 4, 6], sizes: 3, axis: -1 },
  ])('split and unstack match cpu: %o', async ({ shape, sizes, axis }) => {
    const parts = async (fn: () => tf.Tensor[]) => {
      const out: Record<string, number[][]> = {};
      for (const b of ['cpu', 'wasm']) {
        tf.setBackend(b);
        const ts = fn();
        out[b] = ts.map((t) => [...t.shape, ...t.dataSync()]);
        tf.dispose(ts);
      }
      return out;
    };
    const s = await parts(() => tf.tidy(() => tf.split(rand(shape, 6), sizes, axis)));
    expect(s.wasm).toEqual(s.cpu);
    const u = await parts(() => tf.tidy(() => tf.unstack(rand(shape, 7), axis)));
    expect(u.wasm).toEqual(u.cpu);
  });
  it.each([
    { shape: [37, 70], perm: [1, 0] },
    { shape: [3, 33, 65], perm: [0, 2, 1] },
    { shape: [4, 5, 6], perm: [1, 0, 2] },
    { shape: [2, 3, 4, 5], perm: [0, 2, 3, 1] },
    { shape: [2, 3, 4, 5], perm: [3, 1, 0, 2] },
    { shape: [1, 6, 1, 4], perm: [2, 3, 0, 1] },
    { shape: [0, 3], perm: [1, 0] },
    { shape: [5, 6, 7], perm: [2, 1, 0] },
    { shape: [4, 3, 5, 6], perm: [3, 1, 2, 0] },
    { shape: [19, 40, 18], perm: [1, 0, 2] },
    { shape: [64, 28, 28, 1], perm: [3, 1, 2, 0] },
    { shape: [2, 2, 3, 5, 4, 6], perm: [2, 3, 0, 4, 1, 5] },
    { shape: [2, 3, 2, 3, 2, 5], perm: [5, 3, 1, 4, 2, 0] },
  ])('transpose matches cpu: %o', async ({ shape, perm }) => {
    const r = await onBoth(() => tf.tidy(() => tf.transpose(rand(shape, 8), perm)));
    expect(r.wasm).toEqual(r.cpu);
  });
  it.each([
    { shape: [64, 7, 7, 40], axis: [0, 1, 2] },
    { shape: [5, 3, 70], axis: [0, 1] },
    { shape: [9, 37], axis: 0 },
    { shape: [4, 6], axis: [1, 0] },
    { shape: [6, 5, 2], axis: [0] },
    { shape: [6, 5, 3], axis: [1] },
    { shape: [4, 3], axis: [0, 1] },
  ])('sum and mean over leading axes match cpu: %o', async ({ shape, axis }) => {
    for (const keepDims of [false, true]) {
      const s = await onBoth(() => tf.tidy(() => tf.sum(rand(shape, 21), axis, keepDims)));
      expect(s.shape).toEqual(tf.tidy(() => tf.sum(tf.zeros(shape), axis, keepDims).shape));
      expect(maxRelativeError(s.wasm, s.cpu)).toBeLessThan(1e-5);
      const m = await onBoth(() => tf.tidy(() => tf.mean(rand(shape, 22), axis, keepDims)));
      expect(maxRelativeError(m.wasm, m.cpu)).toBeLessThan(1e-5);
    }
  });
  it('sums 200,000 rows to float32 accuracy', () => {
    tf.setBackend('wasm');
    const rows = 200000;
    const values = data(rows * 8, 23).map((v) => v + 0.5); // one sign: no cancellation to hide behind
    const got = tf.tidy(() => tf.sum(tf.tensor2d(values, [rows, 8]), 0).dataSync());
    for (let j = 0; j < 8; j++) {
      let exact = 0;
      for (let i = 0; i < rows; i++) exact += values[i * 8 + j]!;
      expect(Math.abs(got[j]! - exact) / exact).toBeLessThan(1e-6);
    }
  });
  it("sums and means batch norm's 12,544 rows with only the final float32 rounding (double accumulation)", () => {
    // 55 columns take the 16-, 4- and 1-column paths; values near 1 of one sign make float32 partial
    // sums round at every step (the old kernel's blocked float32 sums were off by 9.7e-8 here)
    tf.setBackend('wasm');
    const rows = 12544;
    const cols = 55;
    const values = data(rows * cols, 29).map((v) => 1 + v / 4);
    const sum = tf.tidy(() => tf.sum(tf.tensor2d(values, [rows, cols]), 0).dataSync());
    const mean = tf.tidy(() => tf.mean(tf.tensor3d(values, [98, 128, cols]), [0, 1]).dataSync());
    for (let j = 0; j < cols; j++) {
      let exact = 0;
      for (let i = 0; i < rows; i++) exact += values[i * cols + j]!;
      // half an ulp of float32 is at most 2^-24 = 6.0e-8 relative
      expect(Math.abs(sum[j]! - exact) / exact).toBeLessThan(6.1e-8);
      expect(Math.abs(mean[j]! - exact / rows) / (exact / rows)).toBeLessThan(6.1e-8);
    }
  });
  it.each([
    { shape: [64, 1], axis: [0, 1] },
    { shape: [4, 3], axis: [0, 1] },
    { shape: [5, 3, 70], axis: [1, 2] },
    { shape: [7, 9], axis: 1 },
    { shape: [6, 5, 3], axis: -1 },
    { shape: [0, 5], axis: 1 },
  ])('sum and mean over trailing axes match cpu: %o', async ({ shape, axis }) => {
    for (const keepDims of [false, true]) {
      const s = await onBoth(() => tf.tidy(() => tf.sum(rand(shape, 24), axis, keepDims)));
      expect(s.shape).toEqual(tf.tidy(() => tf.sum(tf.zeros(shape), axis, keepDims).shape));
      expect(maxRelativeError(s.wasm, s.cpu)).toBeLessThan(1e-5);
      const m = await onBoth(() => tf.tidy(() => tf.mean(rand(shape, 25), axis, keepDims)));
      expect(maxRelativeError(m.wasm, m.cpu)).toBeLessThan(1e-5);
    }
  });
  it('sums and means trailing axes (a loss over the batch, per-sample norms) with only the final float32 rounding', () => {
    // the gradient penalty's per-sample sums of 784 squares and a Wasserstein loss's means of 64
    // scores, and rows of 1-15 values (the 8-float steps and the scalar tail); values near 1 of one
    // sign round a float32 running sum at every step (the stock kernel's serial float32 sums were
    // 2.3e-7 off on the first row)
    tf.setBackend('wasm');
    for (const [rows, cols] of [
      [64, 784],
      [1, 64],
      [1, 4096],
      ...Array.from({ length: 15 }, (_, i) => [3, i + 1]),
    ] as [number, number][]) {
      const values = data(rows * cols, 30 + cols).map((v) => 1 + v / 4);
      const sum = tf.tidy(() => tf.sum(tf.tensor2d(values, [rows, cols]), 1).dataSync());
      const mean = tf.tidy(() => tf.mean(tf.tensor3d(values, [rows, 1, cols]), [1, 2]).dataSync());
      for (let i = 0; i < rows; i++) {
        let exact = 0;
        for (let j = 0; j < cols; j++) exact += values[i * cols + j]!;
        expect(Math.abs(sum[i]! - exact) / exact).toBeLessThan(6.1e-8);
        expect(Math.abs(mean[i]! - exact / cols) / (exact / cols)).toBeLessThan(6.1e-8);
      }
    }
  });
  it('without heap kernels, permutations that keep the last axis last copy runs', () => {
    // [a, b, c, run] -> [c, a, b, run], checked against index arithmetic
    const shape = [3, 4, 2, 5];
    const perm = [2, 0, 1, 3];
    const n = 3 * 4 * 2 * 5;
    const heap = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) heap[i] = 1000 + i;
    copyRuns(heap, 0, n, shape, perm, [40, 10, 5, 1]);
    let k = n;
    for (let c = 0; c < 2; c++)
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 4; b++)
          for (let r = 0; r < 5; r++) expect(heap[k++]).toBe(1000 + a * 40 + b * 10 + c * 5 + r);
  });
  it('gradients through slice, split, unstack and transpose match cpu', async () => {
    const f = (x: tf.Tensor) => {
      const [a, b] = tf.split(tf.slice(x, [1, 0, 0], [4, 3, 4]), [1, 3], 0);
      const rows = tf.unstack(tf.transpose(b!, [2, 0, 1]));
      return tf.sum(tf.mul(tf.add(tf.sum(a!), tf.stack(rows)), rand([4, 3, 3], 9)));
    };
    const r = await onBoth(() => tf.tidy(() => tf.grad(f)(rand([6, 3, 4], 10))));
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-6);
  });
});

describe('leaky ReLU fused forward and gradient', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  // odd lengths exercise the scalar tails; zeros take the alpha branch (x > 0 is false), as in tfjs
  const withZeros = (shape: number[], seed: number) =>
    tf.tidy(() => tf.where(tf.greater(rand(shape, seed), 0.8), tf.zeros(shape), rand(shape, seed)));

  it('are the ones @lab registers', () => {
    expect(tf.getKernel('LabLeakyReluGrad', 'wasm')).toBeDefined();
    expect(tf.getKernel('LabLeakyReluGrad', 'cpu')).toBeDefined();
  });

  it.each([[[7]], [[3, 5, 9]], [[4, 14, 14, 8]]])('forward and gradient on %o match cpu', async (shape) => {
    for (const alpha of [0.2, -0.5, 1.5]) {
      const y = await onBoth(() => tf.tidy(() => tf.leakyRelu(withZeros(shape, 31), alpha)));
      expect(maxRelativeError(y.wasm, y.cpu)).toBeLessThan(1e-6);
      const g = await onBoth(() =>
        tf.tidy(() =>
          tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, alpha), rand(shape, 32))))(
            withZeros(shape, 31),
          ),
        ),
      );
      expect(maxRelativeError(g.wasm, g.cpu)).toBeLessThan(1e-6);
      // against the definition: dx = x > 0 ? dy : alpha dy
      const x = tf.tidy(() => withZeros(shape, 31).dataSync());
      const dy = tf.tidy(() => rand(shape, 32).dataSync());
      const expected = Float32Array.from(x, (v, i) => (v > 0 ? dy[i]! : alpha * dy[i]!));
      expect(maxRelativeError(g.wasm, expected)).toBeLessThan(1e-6);
    }
  });

  it('second derivative: the gradient is linear in dy and flat in x', async () => {
    const shape = [5, 6];
    // d/dw of sum(c * dL/dx) where dL/dx = leakyReluGrad(w * u, x): c * mask(x) * u summed
    const r = await onBoth(() =>
      tf.tidy(() => {
        const x = withZeros(shape, 41);
        const u = rand(shape, 42);
        const c = rand(shape, 43);
        return tf.grad((w: tf.Tensor) => {
          const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), tf.mul(w, u))))(x);
          return tf.sum(tf.mul(dx, c));
        })(tf.ones(shape));
      }),
    );
    expect(maxRelativeError(r.wasm, r.cpu)).toBeLessThan(1e-6);
    const x = tf.tidy(() => withZeros(shape, 41).dataSync());
    const u = tf.tidy(() => rand(shape, 42).dataSync());
    const c = tf.tidy(() => rand(shape, 43).dataSync());
    const expected = Float32Array.from(x, (v, i) => c[i]! * u[i]! * (v > 0 ? 1 : 0.2));
    expect(maxRelativeError(r.wasm, expected)).toBeLessThan(1e-6);
  });

  it('rejects mismatched inputs with a clear error', () => {
    tf.setBackend('wasm');
    const dy = tf.ones([3]);
    const x = tf.ones([4]);
    expect(() => tf.engine().runKernel('LabLeakyReluGrad', { dy, x }, { alpha: 0.2 })).toThrow(
      /shapes differ/,
    );
    tf.dispose([dy, x]);
  });
});
