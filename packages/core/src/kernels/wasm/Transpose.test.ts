import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';
import { collapsePermutation, copyRuns } from './Transpose.js';

/** out[i_0, ..., i_r] = x[i at perm] by index arithmetic (row-major). */
function transposeReference(x: number[], shape: number[], perm: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((a) => shape[a]!);
  const n = x.length;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let rest = k;
    let at = 0;
    for (let o = outShape.length - 1; o >= 0; o--) {
      at += (rest % outShape[o]!) * strides[perm[o]!]!;
      rest = Math.floor(rest / outShape[o]!);
    }
    out.push(x[at]!);
  }
  return out;
}

describe('collapsePermutation', () => {
  it.each([
    { shape: [2, 3, 4], perm: [0, 1, 2], expected: { shape: [24], perm: [0] } },
    { shape: [2, 3, 4], perm: [1, 2, 0], expected: { shape: [2, 12], perm: [1, 0] } },
    { shape: [2, 3, 4], perm: [0, 2, 1], expected: { shape: [2, 3, 4], perm: [0, 2, 1] } },
    // size-1 axes are dropped (the axes around one stay separate: still a valid collapse)
    { shape: [2, 1, 4], perm: [2, 1, 0], expected: { shape: [2, 4], perm: [1, 0] } },
    { shape: [5, 1, 6], perm: [1, 0, 2], expected: { shape: [5, 6], perm: [0, 1] } },
    { shape: [1, 1], perm: [1, 0], expected: { shape: [], perm: [] } },
    // the sub-pixel interleave of W1
    {
      shape: [2, 2, 64, 7, 7, 64],
      perm: [2, 3, 0, 4, 1, 5],
      expected: { shape: [2, 2, 448, 7, 64], perm: [2, 0, 3, 1, 4] },
    },
  ])('$shape by $perm', ({ shape, perm, expected }) => {
    expect(collapsePermutation(shape, perm)).toEqual(expected);
  });

  it('the collapsed transpose moves the same elements as the original one', () => {
    const shape = [3, 1, 2, 4, 5];
    const perm = [3, 4, 1, 0, 2];
    const x = Array.from({ length: 120 }, (_, i) => i);
    const c = collapsePermutation(shape, perm);
    expect(transposeReference(x, c.shape, c.perm)).toEqual(transposeReference(x, shape, perm));
    expect(c.shape.length).toBeLessThan(shape.length);
  });
});

describe('copyRuns', () => {
  it.each([
    { shape: [2, 3, 4], perm: [1, 0, 2] },
    { shape: [4, 7], perm: [0, 1] },
    { shape: [2, 3, 2, 5], perm: [2, 1, 0, 3] },
  ])('copies $shape by $perm (last axis kept last) as index arithmetic does', ({ shape, perm }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Array.from({ length: n }, (_, i) => 3 * i - 50);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const heap = new Int32Array(1 + 2 * n + 1).fill(-7);
    heap.set(x, 1);
    copyRuns(heap, 1, 1 + n, shape, perm, strides);
    expect(Array.from(heap.subarray(1 + n, 1 + 2 * n))).toEqual(transposeReference(x, shape, perm));
    expect([heap[0], heap[1 + 2 * n]]).toEqual([-7, -7]);
  });
});

describe('wasm Transpose', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { shape: [5], perm: [0] },
    { shape: [3, 1, 5, 2], perm: [2, 0, 3, 1] },
    { shape: [1, 7, 1], perm: [2, 1, 0] },
    { shape: [17, 19], perm: [1, 0] },
    { shape: [3, 17, 18], perm: [0, 2, 1] },
    { shape: [9, 2, 17], perm: [2, 1, 0] },
    { shape: [2, 3, 2, 3, 2, 3], perm: [5, 3, 1, 4, 2, 0] },
  ])('$shape by $perm: float32 and int32 as index arithmetic and cpu', ({ shape, perm }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from(rand([n], 9).dataSync(), (v) => Math.round(v * 1000) || 0); // no -0
    const expected = transposeReference(values, shape, perm);
    for (const dtype of ['float32', 'int32'] as const) {
      for (const b of ['cpu', 'wasm']) {
        tf.setBackend(b);
        const y = tf.tidy(() => tf.transpose(tf.tensor(values, shape, dtype), perm));
        expect(y.shape).toEqual(perm.map((a) => shape[a]!));
        expect(y.dtype).toBe(dtype);
        expect(Array.from(y.dataSync())).toEqual(expected);
        y.dispose();
      }
    }
  });

  it('bool tensors (the stock kernel) and empty tensors keep values and shape, without leaks', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const b = tf.tidy(() => tf.transpose(tf.greater(tf.tensor2d([1, -1, 2, -2, 3, -3], [2, 3]), 0)));
    expect(Array.from(b.dataSync())).toEqual([1, 0, 0, 1, 1, 0]);
    const e = tf.tidy(() => tf.transpose(tf.zeros([0, 3, 2]), [2, 0, 1]));
    expect(e.shape).toEqual([2, 0, 3]);
    tf.dispose([b, e]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
