import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';

// A cast to the tensor's own dtype shares the data (no copy, the same values, freed with the last
// holder); a cast to another dtype is the stock conversion.

describe('wasm Cast (shared data when the dtype does not change)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['float32', 'int32', 'bool'] as const)(
    '%s to itself shares the data until the last holder goes',
    (dtype) => {
      tf.setBackend('wasm');
      const backend = tf.backend();
      const ids = backend.numDataIds();
      const x = tf.tensor([1, 0, 3, 0, 5], [5, 1], dtype);
      const y = tf.cast(x, dtype);
      expect(backend.numDataIds()).toBe(ids + 1);
      expect([y.dtype, y.shape]).toEqual([dtype, [5, 1]]);
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual(dtype === 'bool' ? [1, 0, 1, 0, 1] : [1, 0, 3, 0, 5]);
      y.dispose();
      expect(backend.numDataIds()).toBe(ids);
    },
  );

  it('converts between dtypes as the stock kernel does, into new data', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    const x = tf.tensor1d([1.75, -2.5, 0, 3]);
    const i = tf.cast(x, 'int32');
    const f = tf.cast(i, 'float32');
    expect(tf.backend().numDataIds()).toBe(ids + 3);
    expect([i.dtype, f.dtype]).toEqual(['int32', 'float32']);
    expect(Array.from(i.dataSync())).toEqual([1, -2, 0, 3]);
    expect(Array.from(f.dataSync())).toEqual([1, -2, 0, 3]);
    tf.dispose([x, i, f]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a gradient through a same-dtype cast is still dy', () => {
    tf.setBackend('wasm');
    const x = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.cast(t, 'float32'), tf.tensor1d([2, 3, 4]))))(x);
    expect(Array.from(g.dataSync())).toEqual([2, 3, 4]);
    tf.dispose([x, g]);
  });
});
