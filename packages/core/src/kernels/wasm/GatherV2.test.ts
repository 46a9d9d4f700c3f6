import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';

// kernels.test.ts checks plain gathers along each axis; here the branches it misses: batchDims,
// 1-byte dtypes (the stock kernel), int32 rows with outer axes, and refused indices.

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

describe('wasm GatherV2 edge cases', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('int32 rows along a middle axis with 2-D indices: index arithmetic and cpu', () => {
    const r = onBoth(() =>
      tf.tidy(() =>
        tf.gather(
          tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 4, 3]),
          tf.tensor2d([3, 0, 3, 1], [2, 2], 'int32'),
          1,
        ),
      ),
    );
    // out[o, i, j, k] = x[o, ids[i, j], k] = 12 o + 3 ids + k
    const ids = [3, 0, 3, 1];
    const expected = [0, 1].flatMap((o) => ids.flatMap((id) => [0, 1, 2].map((k) => 12 * o + 3 * id + k)));
    expect(r.wasm).toEqual({ values: expected, shape: [2, 2, 2, 3], dtype: 'int32' });
    expect(r.cpu).toEqual(r.wasm);
  });

  it('batchDims 1 matches cpu where as many indices per batch as batches', () => {
    const r = onBoth(() =>
      tf.tidy(() => tf.gather(rand([2, 3, 4], 5), tf.tensor2d([1, 3, 0, 2], [2, 2], 'int32'), 2, 1)),
    );
    expect(r.wasm.shape).toEqual([2, 3, 2]);
    expect(r.wasm).toEqual(r.cpu);
  });

  // tfjs-backend-wasm 4.22's own GatherV2 steps through the indices by the batch count instead of the
  // indices per batch (tensorflow/tfjs#8658); @lab's kernel copies rows per batch instead.
  it('batchDims 1 with a batch count unlike the indices per batch: index arithmetic and cpu', () => {
    const r = onBoth(() =>
      tf.tidy(() =>
        tf.gather(
          tf.reshape(tf.range(0, 24, 1, 'int32'), [3, 4, 2]),
          tf.tensor2d([3, 0, 1, 1, 2, 0], [3, 2], 'int32'),
          1,
          1,
        ),
      ),
    );
    // out[b, i, k] = x[b, ids[b, i], k] = 8 b + 2 ids[b, i] + k
    const ids = [
      [3, 0],
      [1, 1],
      [2, 0],
    ];
    const expected = [0, 1, 2].flatMap((b) => ids[b]!.flatMap((id) => [0, 1].map((k) => 8 * b + 2 * id + k)));
    expect(r.wasm).toEqual({ values: expected, shape: [3, 2, 2], dtype: 'int32' });
    expect(r.cpu).toEqual(r.wasm);
  });

  it('batchDims 1 with an outer axis between batch and gather axis matches cpu', () => {
    const r = onBoth(() =>
      tf.tidy(() => tf.gather(rand([2, 3, 5, 2], 9), tf.tensor2d([4, 0, 2, 1, 1, 3], [2, 3], 'int32'), 2, 1)),
    );
    expect(r.wasm.shape).toEqual([2, 3, 3, 2]);
    expect(r.wasm).toEqual(r.cpu);
  });

  it('bool values (the stock kernel) match cpu', () => {
    const r = onBoth(() =>
      tf.tidy(() => tf.gather(tf.greater(rand([5, 3], 6), 0), tf.tensor1d([4, 4, 0], 'int32'))),
    );
    expect(r.wasm.dtype).toBe('bool');
    expect(r.wasm).toEqual(r.cpu);
  });

  it('refuses a negative index with the range, freeing its output', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([2, 4, 3]);
    const ids = tf.tensor1d([1, -1], 'int32');
    const before = tf.memory().numTensors;
    expect(() => tf.gather(x, ids, 1)).toThrow(RangeError);
    expect(() => tf.gather(x, ids, 1)).toThrow('gather: index -1 is outside [0, 3]');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ids]);
  });
});
