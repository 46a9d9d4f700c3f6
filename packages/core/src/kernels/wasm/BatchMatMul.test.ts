import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand } from '../../testing/index.js';

// Every route of fastBatchMatMul against cpu: batched without transposition (stock), batched with a
// transposed operand (transpose, then stock), single products with K below 8 (transpose, then stock)
// and from 8 (heap gemm where the FMA kernels are loaded), broadcast batches of 1.

function onBoth(fn: () => tf.Tensor) {
  const out: Record<string, { values: Float32Array; shape: number[] }> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const t = fn();
    out[b] = { values: t.dataSync() as Float32Array, shape: t.shape };
    t.dispose();
  }
  return { cpu: out.cpu!, wasm: out.wasm! };
}

const flags = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('wasm BatchMatMul', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { m: 5, k: 3, n: 7, batch: [] as number[] },
    { m: 9, k: 13, n: 6, batch: [] },
    { m: 1, k: 8, n: 1, batch: [] },
    { m: 4, k: 11, n: 17, batch: [3] },
    { m: 3, k: 5, n: 2, batch: [2, 2] },
    { m: 6, k: 9, n: 5, batch: [1] },
  ])('m $m, k $k, n $n, batch $batch, all four transpositions', ({ m, k, n, batch }) => {
    for (const [ta, tb] of flags) {
      const aShape = [...batch, ...(ta ? [k, m] : [m, k])];
      const bShape = [...batch, ...(tb ? [n, k] : [k, n])];
      const r = onBoth(() => tf.tidy(() => tf.matMul(rand(aShape, 1), rand(bShape, 2), ta, tb)));
      expect(r.wasm.shape).toEqual([...batch, m, n]);
      expect(maxRelativeError(r.wasm.values, r.cpu.values)).toBeLessThan(1e-5);
    }
  });

  it('a batch of one against a batch of three (broadcast) with transposition', () => {
    const r = onBoth(() => tf.tidy(() => tf.matMul(rand([1, 4, 9], 3), rand([3, 6, 9], 4), false, true)));
    expect(r.wasm.shape).toEqual([3, 4, 6]);
    expect(maxRelativeError(r.wasm.values, r.cpu.values)).toBeLessThan(1e-5);
  });

  it('a hand-computed product, transposed both ways, and no leaked data', () => {
    tf.setBackend('wasm');
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]); // a^T = [[1, 3, 5], [2, 4, 6]]
    const b = tf.tensor2d([1, 0, -1, 2, 1, 0], [2, 3]); // b^T = [[1, 2], [0, 1], [-1, 0]]
    const ids = tf.backend().numDataIds();
    const y = tf.matMul(a, b, true, true); // [2, 3] x [3, 2]
    expect(Array.from(y.dataSync())).toEqual([1 - 5, 2 + 3, 2 - 6, 4 + 4]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(ids);
    tf.dispose([a, b]);
  });
});
