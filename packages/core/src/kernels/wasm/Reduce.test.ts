import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand } from '../../testing/index.js';
import { leadingAxes } from './Reduce.js';

function onBoth(fn: () => tf.Tensor) {
  const out: Record<string, { values: number[]; shape: number[]; dtype: string }> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const t = fn();
    out[b] = { values: Array.from(t.dataSync()), shape: t.shape, dtype: t.dtype };
    t.dispose();
  }
  return { cpu: out.cpu!, wasm: out.wasm! };
}

describe('leadingAxes', () => {
  it('rows and columns when the axes are exactly the leading ones, in any order', () => {
    expect(leadingAxes([3, 5, 4], 0)).toEqual({ outer: 3, inner: 20, count: 1 });
    expect(leadingAxes([3, 5, 4], [1, 0])).toEqual({ outer: 15, inner: 4, count: 2 });
    expect(leadingAxes([2, 3, 5, 4], [0, 1, 2])).toEqual({ outer: 30, inner: 4, count: 3 });
    // a negative axis counts from the end
    expect(leadingAxes([6, 4], -2)).toEqual({ outer: 6, inner: 4, count: 1 });
  });

  it('null for trailing or mixed axes, all axes, fewer than four columns, or no rows', () => {
    expect(leadingAxes([3, 5, 4], 1)).toBeNull();
    expect(leadingAxes([3, 5, 4], [0, 2])).toBeNull();
    expect(leadingAxes([3, 5, 4], [0, 1, 2])).toBeNull(); // inner 1
    expect(leadingAxes([8, 3], 0)).toBeNull(); // three columns
    expect(leadingAxes([0, 8], 0)).toBeNull();
    expect(leadingAxes([4, 8], [])).toBeNull();
  });
});

describe('wasm Sum and Mean over leading axes', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { shape: [7, 5], axis: 0 as number | number[], keepDims: false },
    { shape: [3, 5, 9], axis: [0, 1], keepDims: true },
    { shape: [2, 3, 3, 6], axis: [0, 1, 2], keepDims: false },
    { shape: [5, 3, 4], axis: -1, keepDims: false }, // trailing: the stock kernel
    { shape: [5, 3, 4], axis: [0, 2], keepDims: true }, // mixed: the stock kernel
    { shape: [9, 3], axis: 0, keepDims: false }, // three columns: the stock kernel
  ])('sum and mean of $shape over $axis (keepDims $keepDims) match cpu', ({ shape, axis, keepDims }) => {
    for (const op of [tf.sum, tf.mean]) {
      const r = onBoth(() => tf.tidy(() => op(rand(shape, 3), axis, keepDims)));
      expect(r.wasm.shape).toEqual(r.cpu.shape);
      expect(maxRelativeError(r.wasm.values, r.cpu.values)).toBeLessThan(1e-5);
    }
  });

  it('int32 sums stay exact and int32 (the stock kernel)', () => {
    const r = onBoth(() =>
      tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 4], 'int32'), 0)),
    );
    expect(r.wasm).toEqual({ values: [15, 18, 21, 24], shape: [4], dtype: 'int32' });
    expect(r.cpu).toEqual(r.wasm);
  });

  it('sums hand-checked values and keeps the tensor count flat', () => {
    tf.setBackend('wasm');
    const x = tf.tensor3d([1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400], [3, 1, 4]);
    const before = tf.memory().numTensors;
    const s = tf.sum(x, [0, 1], true);
    const m = tf.mean(x, 0);
    expect(s.shape).toEqual([1, 1, 4]);
    expect(Array.from(s.dataSync())).toEqual([111, 222, 333, 444]);
    expect(Array.from(m.dataSync())).toEqual([37, 74, 111, 148]);
    tf.dispose([s, m]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
