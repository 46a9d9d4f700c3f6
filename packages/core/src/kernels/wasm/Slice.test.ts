import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';
import { copyBox } from './Slice.js';

/** The box of a row-major array, element by element (the reference for copyBox). */
function boxReference(src: number[], shape: number[], begin: number[], size: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const count = size.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    let rest = k;
    let at = 0;
    for (let a = size.length - 1; a >= 0; a--) {
      const i = rest % size[a]!;
      rest = Math.floor(rest / size[a]!);
      at += (begin[a]! + i) * strides[a]!;
    }
    out.push(src[at]!);
  }
  return out;
}

describe('copyBox', () => {
  it.each([
    { shape: [5], begin: [1], size: [3] },
    { shape: [4, 6], begin: [0, 0], size: [4, 6] }, // whole array: one run
    { shape: [4, 6], begin: [1, 0], size: [2, 6] }, // whole rows: one run
    { shape: [4, 6], begin: [1, 2], size: [3, 3] },
    { shape: [3, 4, 5], begin: [1, 0, 0], size: [2, 4, 5] },
    { shape: [3, 4, 5], begin: [0, 1, 2], size: [3, 2, 3] },
    { shape: [2, 3, 4, 5], begin: [1, 1, 0, 1], size: [1, 2, 4, 3] },
    { shape: [2, 3, 4, 5], begin: [0, 2, 1, 0], size: [2, 1, 3, 5] },
  ])('copies the box $begin + $size of $shape as an element loop does', ({ shape, begin, size }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const src = Array.from({ length: n }, (_, i) => i * 7 + 1);
    const expected = boxReference(src, shape, begin, size);
    // source at offset 3, destination after it with a guard band on both sides
    const heap = new Int32Array(3 + n + 2 + expected.length + 2).fill(-1);
    heap.set(src, 3);
    const dst = 3 + n + 2;
    copyBox(heap, 3, dst, shape, begin, size);
    expect(Array.from(heap.subarray(dst, dst + expected.length))).toEqual(expected);
    expect(Array.from(heap.subarray(dst - 2, dst))).toEqual([-1, -1]);
    expect(Array.from(heap.subarray(dst + expected.length))).toEqual([-1, -1]);
    expect(Array.from(heap.subarray(3, 3 + n))).toEqual(src);
  });
});

describe('wasm Slice as heap copies', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { dtype: 'float32' as const, begin: [1, 0, 2], size: [2, -1, 3] },
    { dtype: 'int32' as const, begin: [0, 2, 0], size: [3, 1, -1] },
    { dtype: 'bool' as const, begin: [1, 1, 1], size: [1, 2, 4] }, // 1-byte: the stock kernel
  ])('$dtype slice $begin / $size of [3, 4, 5] matches cpu', ({ dtype, begin, size }) => {
    const out: Record<string, number[]> = {};
    for (const b of ['cpu', 'wasm']) {
      tf.setBackend(b);
      // bool from a comparison (tfjs's wasm Cast to bool keeps bytes other than 0 and 1)
      const y = tf.tidy(() => {
        const x = rand([3, 4, 5], 4);
        const typed = dtype === 'bool' ? tf.greater(x, 0) : tf.cast(tf.mul(x, 10), dtype);
        return tf.slice(typed, begin, size);
      });
      expect(y.dtype).toBe(dtype);
      out[b] = Array.from(y.dataSync());
      y.dispose();
    }
    expect(out.wasm).toEqual(out.cpu);
    expect(out.wasm!.length).toBeGreaterThan(0);
  });

  it('an empty slice has its shape and no values; an out-of-range box is refused', () => {
    tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const before = tf.memory().numTensors;
    const e = tf.slice(x, [1, 1], [0, 2]);
    expect(e.shape).toEqual([0, 2]);
    expect(e.dataSync()).toHaveLength(0);
    e.dispose();
    expect(() => tf.slice(x, [1, 1], [2, 2])).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
