import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError, numericGradient } from '../testing/index.js';
import { recomputingGradConfigs } from './recomputing-grads.js';

// Each config's gradient function called directly against the derivative written out by hand, and
// the registered gradients' second derivatives (the reason these configs exist) against finite
// differences of the first.

const xs = [-1.7, -0.4, 0.3, 1.1, 2.2];
const dys = [0.5, -1, 2, 0.25, 1.5];
const config = (name: string) => {
  const c = recomputingGradConfigs.find((g) => g.kernelName === name);
  if (!c) throw new Error(`no config for ${name}`);
  return c;
};
/** dx of the config for kernel `name`, from dy and x (inputs saved: x only). */
function dxOf(name: string, x: tf.Tensor, dy: tf.Tensor, attrs = {}): Float32Array {
  return tf.tidy(() => {
    const grads = config(name).gradFunc(dy, [x], attrs as tf.NamedAttrMap);
    const key = Object.keys(grads)[0]!;
    return grads[key]!().dataSync() as Float32Array;
  });
}

describe('recomputing gradient configs', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('save inputs only (never the output, whose clone loses second derivatives)', () => {
    for (const c of recomputingGradConfigs) {
      expect(c.outputsToSave ?? []).toEqual([]);
      expect(c.inputsToSave).toHaveLength(1);
    }
    expect(recomputingGradConfigs.map((c) => c.kernelName).sort()).toEqual(
      ['Elu', 'Exp', 'Sigmoid', 'Softmax', 'Tanh'].sort(),
    );
  });

  it.each([
    ['Tanh', (x: number) => 1 - Math.tanh(x) ** 2],
    ['Sigmoid', (x: number) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2],
    ['Exp', (x: number) => Math.exp(x)],
    ['Elu', (x: number) => (x > 0 ? 1 : Math.exp(x))],
  ])("%s: dx = dy * f'(x) elementwise, hand-written derivative", (name, derivative) => {
    const x = tf.tensor1d(xs);
    const dy = tf.tensor1d(dys);
    const expected = xs.map((v, i) => dys[i]! * derivative(v));
    expect(maxRelativeError(dxOf(name, x, dy), expected)).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });

  it('Softmax: dx = y * (dy - sum(dy * y)) along the attribute dim, per row', () => {
    const rows = [
      [0.2, -1, 1.5],
      [3, 0, -2],
    ];
    const dyRows = [
      [1, 0.5, -1],
      [0, 2, 1],
    ];
    const expected = rows.flatMap((r, i) => {
      const e = r.map(Math.exp);
      const z = e.reduce((a, b) => a + b, 0);
      const y = e.map((v) => v / z);
      const dot = y.reduce((a, v, j) => a + v * dyRows[i]![j]!, 0);
      return y.map((v, j) => v * (dyRows[i]![j]! - dot));
    });
    const x = tf.tensor2d(rows);
    const dy = tf.tensor2d(dyRows);
    expect(maxRelativeError(dxOf('Softmax', x, dy, { dim: -1 }), expected)).toBeLessThan(1e-5);
    tf.dispose([x, dy]);
  });

  it.each([
    ['tanh', (t: tf.Tensor) => tf.tanh(t)],
    ['sigmoid', (t: tf.Tensor) => tf.sigmoid(t)],
    ['exp', (t: tf.Tensor) => tf.exp(t)],
    ['elu', (t: tf.Tensor) => tf.elu(t)],
    ['softmax', (t: tf.Tensor) => tf.mul(tf.softmax(t), tf.tensor1d([1, -2, 0.5, 3, 1]))],
  ])('second derivative through %s matches finite differences of the first', (_name, f) => {
    // g(x) = sum(w * d/dx sum(f(x))): its gradient needs the path through f inside f's own gradient
    const w = tf.tensor1d([0.7, -1.2, 0.4, 1, -0.3]);
    const firstWeighted = (t: tf.Tensor) => tf.sum(tf.mul(w, tf.grad((u: tf.Tensor) => tf.sum(f(u)))(t)));
    const x = tf.tensor1d([-0.9, -0.2, 0.35, 0.8, 1.3]);
    const before = tf.memory().numTensors;
    const analytic = tf.tidy(() => tf.grad(firstWeighted)(x).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    const numeric = numericGradient(firstWeighted, x, { eps: 1e-3 });
    const picked = numeric.indices.map((i) => analytic[i]!);
    expect(maxRelativeError(picked, numeric.values)).toBeLessThan(2e-2);
    // not trivially zero: each of these functions has a non-zero second derivative here
    expect(Math.max(...picked.map(Math.abs))).toBeGreaterThan(0.05);
    tf.dispose([w, x]);
  });
});
