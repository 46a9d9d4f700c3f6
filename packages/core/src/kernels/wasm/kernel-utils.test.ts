import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { callKernel, Scratch } from './kernel-utils.js';

describe('wasm kernel utilities', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it("callKernel runs a stock kernel on tensors' data and names a missing kernel", () => {
    const backend = tf.backend();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([10, 20, 30]);
    const info = callKernel(backend, 'Add', { a, b });
    expect(info.shape).toEqual([3]);
    expect(Array.from(backend.readSync(info.dataId) as Float32Array)).toEqual([11, 22, 33]);
    backend.disposeData(info.dataId);
    expect(() => callKernel(backend, 'NoSuchKernel', { a })).toThrow(
      "@lab/core: the wasm backend has no 'NoSuchKernel' kernel to build on",
    );
    tf.dispose([a, b]);
  });

  it('Scratch keeps what it runs and frees all of it once, leaving inputs alone', () => {
    const backend = tf.backend();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const dataBefore = backend.numDataIds();
    const scratch = new Scratch(backend);
    const t = scratch.run('Transpose', { x }, { perm: [1, 0] });
    const kept = scratch.keep(callKernel(backend, 'Neg', { x: t }));
    expect(kept.shape).toEqual([3, 2]);
    expect(Array.from(backend.readSync(kept.dataId) as Float32Array)).toEqual([-1, -4, -2, -5, -3, -6]);
    expect(backend.numDataIds()).toBe(dataBefore + 2);
    scratch.dispose();
    expect(backend.numDataIds()).toBe(dataBefore);
    scratch.dispose(); // a second dispose frees nothing twice
    expect(backend.numDataIds()).toBe(dataBefore);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    x.dispose();
  });
});
