import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { identityConfig } from './Identity.js';

// kernels.test.ts covers float clones, variables and gradients; this covers the reference count
// itself and the dtypes and shapes it passes through.

describe('wasm Identity (shared, reference-counted data)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('is the wasm Identity kernel', () => {
    expect(identityConfig.kernelName).toBe('Identity');
    expect(identityConfig.backendName).toBe('wasm');
    expect(tf.getKernel('Identity', 'wasm')?.kernelFunc).toBe(identityConfig.kernelFunc);
  });

  it('the shared data lives until the last of original and clones is disposed', () => {
    tf.setBackend('wasm');
    const backend = tf.backend();
    const ids = backend.numDataIds();
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = tf.clone(x);
    const z = tf.clone(y);
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    y.dispose();
    expect(backend.numDataIds()).toBe(ids + 1);
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
    z.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it.each([
    { dtype: 'int32', values: [5, -6, 7, 8], shape: [2, 2] },
    { dtype: 'bool', values: [1, 0, 1], shape: [3, 1] },
    { dtype: 'float32', values: [2.5], shape: [] },
  ] as const)('keeps dtype $dtype and shape $shape', ({ dtype, values, shape }) => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor([...values], [...shape], dtype);
    const y = tf.clone(x);
    x.dispose();
    expect([y.dtype, y.shape]).toEqual([dtype, shape]);
    expect(Array.from(y.dataSync())).toEqual([...values]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
