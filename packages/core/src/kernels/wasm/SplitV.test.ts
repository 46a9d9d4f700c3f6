import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { seededTensor as rand } from '../../testing/index.js';

// SplitV.ts exports only the wrapped kernels: they are tested through tf.split and tf.unstack on the
// wasm backend against cpu, on the cases its splitRuns handles itself (zero-sized parts, inferred
// sizes, dropped axes, empty inputs) and the dtypes it passes to the stock kernel.

function parts(fn: () => tf.Tensor[]) {
  const out: Record<string, { shapes: number[][]; values: number[][]; dtypes: string[] }> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const ts = fn();
    out[b] = {
      shapes: ts.map((t) => t.shape),
      values: ts.map((t) => Array.from(t.dataSync())),
      dtypes: ts.map((t) => t.dtype),
    };
    tf.dispose(ts);
  }
  return out;
}

describe('wasm SplitV and Unpack', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { shape: [4, 5, 3], sizes: [2, 0, -1] as number | number[], axis: 1 },
    { shape: [7, 2], sizes: [1, 6], axis: 0 },
    { shape: [2, 3, 6], sizes: 3, axis: -1 },
    { shape: [3, 4], sizes: [0, 4], axis: 1 },
  ])('split $shape into $sizes along $axis matches cpu', ({ shape, sizes, axis }) => {
    const r = parts(() => tf.tidy(() => tf.split(rand(shape, 7), sizes, axis)));
    expect(r.wasm).toEqual(r.cpu);
  });

  it('int32 and bool parts keep their dtype and values', () => {
    const ints = parts(() =>
      tf.tidy(() => tf.split(tf.reshape(tf.range(0, 12, 1, 'int32'), [3, 4]), [1, 3], 1)),
    );
    expect(ints.wasm!.values).toEqual([
      [0, 4, 8],
      [1, 2, 3, 5, 6, 7, 9, 10, 11],
    ]);
    expect(ints.wasm).toEqual(ints.cpu);
    const bools = parts(() => tf.tidy(() => tf.split(tf.tensor2d([1, 0, 1, 1, 0, 0], [2, 3], 'bool'), 2, 0)));
    expect(bools.wasm!.dtypes).toEqual(['bool', 'bool']);
    expect(bools.wasm).toEqual(bools.cpu);
  });

  it.each([0, 1, 2, -1])('unstack [2, 3, 4] along %i matches cpu', (axis) => {
    const r = parts(() => tf.tidy(() => tf.unstack(rand([2, 3, 4], 8), axis)));
    expect(r.wasm!.shapes).toHaveLength([2, 3, 4].at(axis)!);
    expect(r.wasm).toEqual(r.cpu);
  });

  it('an empty input splits into empty parts without leaking', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([0, 4]);
    const before = tf.memory().numTensors;
    const ps = tf.split(x, [1, 3], 1);
    expect(ps.map((p) => p.shape)).toEqual([
      [0, 1],
      [0, 3],
    ]);
    tf.dispose(ps);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
