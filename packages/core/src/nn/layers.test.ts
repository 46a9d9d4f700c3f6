import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError } from '../testing/index.js';
import { ones, uniform } from './init.js';
import {
  BatchNorm,
  Conv2d,
  ConvTranspose2d,
  Dense,
  Dropout,
  Flatten,
  LayerNorm,
  LeakyReLU,
  Reshape,
  Sequential,
  Softmax,
} from './layers.js';
import { ShapeError } from './module.js';

// modules.test.ts covers naming, BatchNorm's momentum, padding and dropout statistics; here the
// branches it leaves: inputs of other ranks, options that remove or replace parts, spectral
// normalisation's train/eval difference, refusals, and flat tensor counts.

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('layers', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('Dense on a rank-3 input equals the product of the flattened rows, with and without bias', () => {
    const d = new Dense(3, 2, { rng: new Rng(1) });
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, -1, 0, 2, 3, 3, -3], [2, 2, 3]);
    const before = tf.memory().numTensors;
    const y = d.forward(x);
    expect(y.shape).toEqual([2, 2, 2]);
    const w = values(d.weight);
    const b = values(d.bias!);
    const xv = values(x);
    const expected = [0, 1, 2, 3].flatMap((r) =>
      [0, 1].map((o) => b[o]! + [0, 1, 2].reduce((s, i) => s + xv[3 * r + i]! * w[2 * i + o]!, 0)),
    );
    expect(maxRelativeError(y.dataSync(), expected)).toBeLessThan(1e-6);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const plain = new Dense(3, 2, { bias: false, kernelInit: ones });
    expect(plain.bias).toBeUndefined();
    expect(Object.keys(plain.parameters())).toEqual(['weight']);
    expect(values(plain.forward(tf.tensor2d([[1, 2, 3]])))).toEqual([6, 6]);
    expect(() => plain.forward(tf.zeros([2]))).toThrow(ShapeError);
    tf.dispose(x);
    d.dispose();
    plain.dispose();
  });

  it('Dense uses the given initialisers and its default bias bound 1/sqrt(in)', () => {
    const d = new Dense(16, 50, { rng: new Rng(2) });
    expect(Math.max(...values(d.bias!).map(Math.abs))).toBeLessThanOrEqual(0.25);
    const e = new Dense(2, 3, { kernelInit: ones, biasInit: uniform(0) });
    expect(values(e.weight)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(values(e.bias!).map(Math.abs)).toEqual([0, 0, 0]);
    d.dispose();
    e.dispose();
  });

  it('spectral normalisation: u is a buffer, updated in training only, and the weight is divided by sigma', () => {
    const d = new Dense(4, 3, { spectralNorm: { iterations: 30 }, rng: new Rng(3), bias: false });
    expect(Object.keys(d.buffers())).toEqual(['spectralU']);
    const x = tf.eye(4);
    d.eval();
    const u0 = values(d.buffers().spectralU!);
    d.forward(x).dispose();
    expect(values(d.buffers().spectralU!)).toEqual(u0);
    d.train();
    const y = d.forward(x); // rows of eye(4) W / sigma: the normalised weight itself
    expect(values(d.buffers().spectralU!)).not.toEqual(u0);
    // its largest singular value is 1: the largest eigenvalue of M^T M by power iteration
    const m = y.dataSync();
    let v = [1, 0.5, -0.3];
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const mv = [0, 1, 2, 3].map((r) => v.reduce((s, vi, c) => s + m[3 * r + c]! * vi, 0));
      const mtmv = [0, 1, 2].map((c) => mv.reduce((s, mi, r) => s + m[3 * r + c]! * mi, 0));
      lambda = Math.hypot(...mtmv);
      v = mtmv.map((t) => t / lambda);
    }
    expect(Math.sqrt(lambda)).toBeCloseTo(1, 3);
    tf.dispose([x, y]);
    d.dispose();
  });

  it('Conv2d: input rank and channels are checked, bias within 1/sqrt(ci k k), no bias on request', () => {
    const c = new Conv2d(3, 20, 3, { rng: new Rng(4), name: 'stem' });
    expect(Math.max(...values(c.bias!).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(27));
    expect(() => c.forward(tf.zeros([4, 4, 3]))).toThrow(
      'stem: input expected [batch, h, w, 3], got [4, 4, 3]',
    );
    const n = new Conv2d(2, 1, 1, { bias: false, kernelInit: ones, padding: 'valid' });
    expect(values(n.forward(tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2])))).toEqual([3, 7]);
    c.dispose();
    n.dispose();
  });

  it("ConvTranspose2d: 'valid' gives the full output; other paddings are refused, naming the layer", () => {
    const t = new ConvTranspose2d(2, 3, 3, { stride: 2, padding: 'valid', name: 'up' });
    expect(t.forward(tf.zeros([1, 4, 5, 2])).shape).toEqual([1, 9, 11, 3]);
    expect(() => t.forward(tf.zeros([1, 4, 5, 3]))).toThrow('up: input expected [batch, h, w, 2]');
    expect(() => new ConvTranspose2d(2, 3, 3, { padding: 'full' as never, name: 'up' })).toThrow(
      "up: padding must be 'same', 'valid' or an integer, got full",
    );
    expect(() => new ConvTranspose2d(2, 3, 3, { padding: 0.5 })).toThrow(/padding must be an integer/);
    expect(() => new ConvTranspose2d(2, 3, 3, { padding: -1 })).toThrow(/padding must be an integer/);
    expect(() => new ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: -1 })).toThrow(
      /outputPadding must be an integer in \[0, stride\)/,
    );
    t.dispose();
  });

  it('BatchNorm: per-channel statistics over N, H and W; frozen scale without affine; a batch of one', () => {
    const bn = new BatchNorm(2, { affine: false, momentum: 0.5 });
    expect(Object.keys(bn.trainableParameters())).toEqual([]);
    const x = tf.tensor4d([1, 10, 3, 30, 5, 50, 7, 70], [2, 1, 2, 2]);
    const y = values(bn.forward(x));
    // channel 0: 1, 3, 5, 7 (mean 4, var 5); channel 1 ten times that
    const z = [1, 3, 5, 7].map((v) => (v - 4) / Math.sqrt(5 + 1e-5));
    const z1 = [10, 30, 50, 70].map((v) => (v - 40) / Math.sqrt(500 + 1e-5));
    expect(
      maxRelativeError(
        y,
        z.flatMap((v, i) => [v, z1[i]!]),
      ),
    ).toBeLessThan(1e-5);
    // running var from the unbiased variance (20 / 3 for channel 0)
    expect(
      maxRelativeError(bn.runningVar.dataSync(), [0.5 + 0.5 * (20 / 3), 0.5 + 0.5 * (2000 / 3)]),
    ).toBeLessThan(1e-5);
    const one = new BatchNorm(2);
    one.forward(tf.tensor2d([[3, 4]])).dispose(); // count 1: no division by zero
    expect(values(one.runningVar).every(Number.isFinite)).toBe(true);
    expect(() => bn.forward(tf.zeros([2, 3]))).toThrow(ShapeError);
    tf.dispose(x);
    bn.dispose();
    one.dispose();
  });

  it('LayerNorm: features, and inputs of too low a rank are refused', () => {
    const ln = new LayerNorm([3, 4], 1e-5, 'ln');
    expect(ln.features).toBe(4);
    expect(() => ln.forward(tf.zeros([4]))).toThrow('ln: input expected [..., 3, 4], got [4]');
    expect(() => new LayerNorm([])).toThrow(RangeError);
    expect(() => new LayerNorm(2.5)).toThrow(/positive integers/);
    ln.dispose();
  });

  it('Dropout: rate 0 and eval return a copy; rates outside [0, 1) are refused', () => {
    const d = new Dropout(0);
    const x = tf.tensor1d([1, 2, 3]);
    const y = d.forward(x);
    expect(y).not.toBe(x);
    expect(values(y)).toEqual([1, 2, 3]);
    y.dispose();
    expect(values(x)).toEqual([1, 2, 3]);
    expect(() => new Dropout(-0.1, { name: 'drop' })).toThrow('drop: rate must be in [0, 1), got -0.1');
    expect(() => new Dropout(Number.NaN)).toThrow(RangeError);
    x.dispose();
  });

  it('activations and shape lambdas in a Sequential, with a flat tensor count', () => {
    const net = new Sequential([Reshape([2, 3]), LeakyReLU(0.5), Flatten(), Softmax()]);
    const x = tf.tensor2d([[-2, 0, 2, 4, -4, 1]]);
    const before = tf.memory().numTensors;
    const y = net.forward(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const act = [-1, 0, 2, 4, -2, 1].map(Math.exp);
    const z = act.reduce((a, b) => a + b, 0);
    expect(y.shape).toEqual([1, 6]);
    expect(
      maxRelativeError(
        y.dataSync(),
        act.map((v) => v / z),
      ),
    ).toBeLessThan(1e-6);
    tf.dispose([x, y]);
    net.dispose();
  });
});
