import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';

// The kernel is registered for wasm only (tfjs ships none there); cpu's own kernel is the reference.

function onBoth(fn: () => tf.Tensor) {
  const out: Record<string, number[]> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const t = fn();
    out[b] = Array.from(t.dataSync());
    t.dispose();
  }
  return out;
}

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('sums rows into their segments (hand-computed), empty segments zero', () => {
    const r = onBoth(() =>
      tf.tidy(() =>
        tf.unsortedSegmentSum(
          tf.tensor2d([1, 2, 10, 20, 100, 200, 1000, 2000], [4, 2]),
          tf.tensor1d([2, 0, 2, 3], 'int32'),
          5,
        ),
      ),
    );
    expect(r.wasm).toEqual([10, 20, 0, 0, 101, 202, 1000, 2000, 0, 0]);
    expect(r.cpu).toEqual(r.wasm);
  });

  it('int32 values and ids that cover two leading axes', () => {
    tf.setBackend('wasm');
    const y = tf.tidy(() =>
      tf.unsortedSegmentSum(
        tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2], 'int32'),
        // ids of two axes: the op's type says 1-D, the kernel takes any prefix of x's shape
        tf.tensor2d([0, 1, 0, 1, 1, 0], [2, 3], 'int32') as unknown as tf.Tensor1D,
        2,
      ),
    );
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([2, 2]);
    // segment 0: rows (1,2), (5,6), (11,12); segment 1: (3,4), (7,8), (9,10)
    expect(Array.from(y.dataSync())).toEqual([17, 20, 19, 22]);
    y.dispose();
  });

  it('drops ids outside [0, numSegments) as TensorFlow does', () => {
    tf.setBackend('wasm');
    const y = tf.tidy(
      () =>
        tf
          .engine()
          .runKernel(
            'UnsortedSegmentSum',
            { x: tf.tensor1d([1, 2, 4, 8]), segmentIds: tf.tensor1d([-1, 1, 3, 0], 'int32') },
            { numSegments: 2 },
          ) as tf.Tensor,
    );
    expect(Array.from(y.dataSync())).toEqual([8, 2]);
    y.dispose();
  });

  it('refuses ids whose shape is not a prefix of x, naming both shapes', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    expect(() =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'UnsortedSegmentSum',
            { x: tf.zeros([3, 2]), segmentIds: tf.tensor1d([0, 1], 'int32') },
            { numSegments: 2 },
          ),
      ),
    ).toThrow('segmentIds shape [2] must be a prefix of x shape [3,2]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('no rows: all segments zero', () => {
    tf.setBackend('wasm');
    const y = tf.tidy(() => tf.unsortedSegmentSum(tf.zeros([0, 3]), tf.tensor1d([], 'int32'), 2));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    y.dispose();
  });
});
