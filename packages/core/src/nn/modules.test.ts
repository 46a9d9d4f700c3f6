import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Cube,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  glorotUniform,
  heNormal,
  initBackend,
  isModule,
  LayerNorm,
  ReLU,
  Rng,
  Sequential,
  ShapeError,
  valueAndGrads,
} from '../index.js';
import { maxRelativeError } from '../testing/index.js';

describe('modules', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('names parameters like PyTorch state dicts and counts them', () => {
    const rng = new Rng(0);
    const net = new Sequential([
      new Conv2d(1, 4, 3, { rng }),
      ReLU(),
      Flatten(),
      new Dense(4 * 8 * 8, 10, { rng }),
    ]);
    expect(Object.keys(net.parameters())).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(net.paramCount()).toBe(3 * 3 * 1 * 4 + 4 + 256 * 10 + 10);
    expect(net.byteCount()).toBe(4 * net.paramCount());
    expect(isModule(net)).toBe(true);
    const y = net.forward(tf.zeros([2, 8, 8, 1]));
    expect(y.shape).toEqual([2, 10]);
    tf.dispose(y);
    net.dispose();
  });

  it('a shape mismatch names the module and both shapes', () => {
    const d = new Dense(5, 3, { name: 'head' });
    expect(() => d.forward(tf.zeros([2, 4]))).toThrow(ShapeError);
    expect(() => d.forward(tf.zeros([2, 4]))).toThrow('head: input expected [..., 5], got [2, 4]');
    const c = new Conv2d(3, 8, 3, { name: 'stem' });
    expect(() => c.forward(tf.zeros([1, 8, 8, 1]))).toThrow(
      'stem: input expected [batch, h, w, 3], got [1, 8, 8, 1]',
    );
    const s = new Sequential([new Dense(2, 2)]);
    expect(() => s.loadStateDict({ '0.weight': tf.zeros([3, 2]), '0.bias': tf.zeros([2]) })).toThrow(
      /\[2, 2\].*\[3, 2\]/,
    );
    for (const m of [d, c, s]) m.dispose();
  });

  it('freezes and unfreezes by name pattern; frozen parameters get no gradient', () => {
    const rng = new Rng(1);
    const net = new Sequential([new Dense(3, 3, { rng }), ReLU(), new Dense(3, 1, { rng })]);
    expect(net.freeze('0.*')).toEqual(['0.weight', '0.bias']);
    expect(Object.keys(net.trainableParameters())).toEqual(['2.weight', '2.bias']);
    expect(net.paramCount({ trainableOnly: true })).toBe(4);
    const x = tf.ones([2, 3]);
    const { value, grads } = valueAndGrads(
      () => tf.sum(net.forward(x)) as tf.Scalar,
      net.trainableParameters(),
    );
    expect(Object.keys(grads)).toEqual(['2.weight', '2.bias']);
    tf.dispose([x, value, ...Object.values(grads)]);
    expect(net.unfreeze(/weight$/)).toEqual(['0.weight', '2.weight']);
    net.dispose();
  });

  it('BatchNorm uses batch statistics in training and running statistics in eval (PyTorch momentum)', () => {
    const bn = new BatchNorm(2, { momentum: 0.1 });
    const x = tf.tensor2d([
      [1, 10],
      [3, 14],
    ]);
    const y = bn.forward(x);
    // batch mean [2, 12], biased var [1, 4]: normalised to -1/+1
    expect(Array.from(y.dataSync()).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, 1, 1]);
    // running mean 0.9 * 0 + 0.1 * mean; running var uses the unbiased variance [2, 8]
    expect(Array.from(bn.runningMean.dataSync()).map((v) => +v.toFixed(5))).toEqual([0.2, 1.2]);
    expect(Array.from(bn.runningVar.dataSync()).map((v) => +v.toFixed(5))).toEqual([1.1, 1.7]);
    bn.eval();
    const z = bn.forward(tf.tensor2d([[0.2, 1.2]]));
    expect(Array.from(z.dataSync()).map((v) => +v.toFixed(4))).toEqual([0, 0]);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
    tf.dispose([x, y, z]);
    bn.dispose();
  });

  it('LayerNorm, Embedding, Cube, ConvTranspose2d shapes and values', () => {
    const ln = new LayerNorm(4);
    const out = ln.forward(tf.tensor2d([[1, 2, 3, 4]]));
    const v = Array.from(out.dataSync());
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    // over [h, w, c] per sample, like torch.nn.LayerNorm([2, 2, 1]) on NHWC maps
    const ln3 = new LayerNorm([2, 2, 1]);
    const maps = tf.tensor4d([1, 2, 3, 6, 10, 10, 10, 30], [2, 2, 2, 1]);
    const n = Array.from(ln3.forward(maps).dataSync());
    const expected = [
      [1, 2, 3, 6],
      [10, 10, 10, 30],
    ].flatMap((xs) => {
      const mean = xs.reduce((a, b) => a + b, 0) / 4;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      return xs.map((x) => (x - mean) / Math.sqrt(variance + 1e-5));
    });
    for (const [i, x] of n.entries()) expect(x).toBeCloseTo(expected[i]!, 5);
    expect(Object.keys(ln3.trainableParameters())).toHaveLength(2);
    expect(() => ln3.forward(tf.zeros([1, 2, 3, 1]))).toThrow(/2, 2, 1/);
    expect(() => new LayerNorm([2, 0])).toThrow(RangeError);
    const emb = new Embedding(10, 3, { rng: new Rng(2) });
    const e = emb.forward(
      tf.tensor2d(
        [
          [1, 2],
          [3, 1],
        ],
        [2, 2],
        'int32',
      ),
    );
    expect(e.shape).toEqual([2, 2, 3]);
    expect(Array.from(e.dataSync().slice(0, 3))).toEqual(Array.from(e.dataSync().slice(9, 12)));
    expect(() => emb.forward(tf.tensor1d([1.5]))).toThrow(/int32/);
    expect(
      Array.from(
        Cube()
          .forward(tf.tensor1d([2, -1]))
          .dataSync(),
      ),
    ).toEqual([8, -1]);
    const ct = new ConvTranspose2d(3, 2, 5, { stride: 2 });
    expect(ct.forward(tf.zeros([1, 7, 7, 3])).shape).toEqual([1, 14, 14, 2]);
    for (const m of [ln, emb, ct]) m.dispose();
  });

  it("integer padding is PyTorch's: conv = explicit zero pad + valid conv, transposed = crop of the full output", () => {
    const rng = new Rng(5);
    const x = tf.randomNormal([2, 14, 14, 3], 0, 1, 'float32', 1);
    const conv = new Conv2d(3, 4, 5, { stride: 2, padding: 2, rng });
    const y = conv.forward(x);
    expect(y.shape).toEqual([2, 7, 7, 4]); // floor((14 + 4 - 5) / 2) + 1, as torch.nn.Conv2d(3, 4, 5, 2, 2)
    const ref = tf.add(
      tf.conv2d(
        tf.pad(x, [
          [0, 0],
          [2, 2],
          [2, 2],
          [0, 0],
        ]) as tf.Tensor4D,
        conv.weight as tf.Tensor4D,
        2,
        'valid',
      ),
      conv.bias!,
    );
    expect(maxRelativeError(y.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    // torch.nn.ConvTranspose2d(4, 3, 5, stride=2, padding=2, output_padding=1): 7 -> 14
    const ct = new ConvTranspose2d(4, 3, 5, { stride: 2, padding: 2, outputPadding: 1, rng });
    const full = new ConvTranspose2d(4, 3, 5, { stride: 2, padding: 'valid', rng });
    full.weight.assign(ct.weight);
    full.bias!.assign(ct.bias!);
    const t = ct.forward(y);
    expect(t.shape).toEqual([2, 14, 14, 3]);
    const f = full.forward(y); // (7 - 1) * 2 + 5 = 17 rows; torch keeps rows 2..15
    expect(f.shape).toEqual([2, 17, 17, 3]);
    const crop = tf.slice(f, [0, 2, 2, 0], [2, 14, 14, 3]);
    expect(maxRelativeError(t.dataSync(), crop.dataSync())).toBeLessThan(1e-5);
    // 'same' is TensorFlow's alignment: rows 1..14 of the full output
    const same = new ConvTranspose2d(4, 3, 5, { stride: 2, rng });
    same.weight.assign(ct.weight);
    same.bias!.assign(ct.bias!);
    const sameCrop = tf.slice(f, [0, 1, 1, 0], [2, 14, 14, 3]);
    expect(maxRelativeError(same.forward(y).dataSync(), sameCrop.dataSync())).toBeLessThan(1e-5);
    expect(() => new ConvTranspose2d(4, 3, 5, { stride: 2, padding: 'same', outputPadding: 1 })).toThrow(
      /integer padding/,
    );
    expect(() => new ConvTranspose2d(4, 3, 5, { stride: 2, padding: 2, outputPadding: 2 })).toThrow(
      /outputPadding/,
    );
    expect(() => new ConvTranspose2d(4, 3, 5, { padding: 3 })).toThrow(/padding/);
    tf.dispose([x, y, ref, t, f, crop, sameCrop]);
    for (const m of [conv, ct, full, same]) m.dispose();
  });

  it('Dropout is active only in training and reproducible from its seed', () => {
    const run = () => {
      const d = new Dropout(0.5, { rng: new Rng(3) });
      const a = Array.from(d.forward(tf.ones([100])).dataSync());
      d.eval();
      const b = Array.from(d.forward(tf.ones([4])).dataSync());
      return { a, b };
    };
    const r1 = run();
    expect(r1.b).toEqual([1, 1, 1, 1]);
    expect(r1.a.filter((v) => v === 0).length).toBeGreaterThan(25);
    expect(r1.a.filter((v) => v === 0).length).toBeLessThan(75);
    expect(new Set(r1.a.filter((v) => v !== 0))).toEqual(new Set([2]));
    expect(run().a).toEqual(r1.a);
    expect(() => new Dropout(1)).toThrow(/rate/);
    // the keep rate, the scale, and fresh masks call after call
    const d = new Dropout(0.3, { rng: new Rng(5) });
    const x = tf.ones([200, 500]);
    const m1 = d.forward(x).dataSync();
    const m2 = d.forward(x).dataSync();
    const kept = m1.filter((v) => v !== 0);
    expect(kept.length / m1.length).toBeCloseTo(0.7, 2);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    let both = 0;
    for (let i = 0; i < m1.length; i++) if (m1[i] !== 0 && m2[i] !== 0) both++;
    expect(both / m1.length).toBeCloseTo(0.49, 2);
    // the gradient is the mask
    const g = tf.grad((t: tf.Tensor) => tf.sum(d.forward(t)))(tf.ones([1000]));
    expect(new Set(g.dataSync())).toEqual(new Set([0, Math.fround(1 / 0.7)]));
    tf.dispose([x, g]);
  });

  it('initialisers have the documented scale', () => {
    const rng = new Rng(4);
    const g = glorotUniform([200, 300], rng);
    const bound = Math.sqrt(6 / 500);
    const gv = g.dataSync();
    expect(Math.max(...gv)).toBeLessThanOrEqual(bound);
    expect(Math.max(...gv)).toBeGreaterThan(0.95 * bound);
    const h = heNormal([400, 100], rng);
    const hv = Array.from(h.dataSync());
    const std = Math.sqrt(hv.reduce((a, b) => a + b * b, 0) / hv.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 400), 2);
    tf.dispose([g, h]);
  });
});
