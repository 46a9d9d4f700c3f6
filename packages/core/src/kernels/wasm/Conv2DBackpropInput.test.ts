import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropInput } from '../../gradients/tfjs/internals.js';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand } from '../../testing/index.js';

// The sub-pixel decomposition against cpu on the phases kernels.test.ts does not reach: strides above
// the kernel size (phases with no taps, filled with zeros), output sizes not a multiple of the
// stride (the final crop), phases with fewer rows (padded), unequal strides, and NCHW.

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

describe('wasm Conv2DBackpropInput', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    { x: [1, 7, 7, 2], k: [1, 1], co: 3, s: [2, 2], pad: 'valid' as const }, // taps only on phase 0
    { x: [2, 8, 7, 3], k: [2, 2], co: 2, s: [3, 3], pad: 'same' as const },
    { x: [1, 9, 5, 2], k: [3, 2], co: 4, s: [2, 3], pad: 'valid' as const },
    { x: [2, 5, 6, 1], k: [4, 4], co: 3, s: [2, 2], pad: 'same' as const },
    { x: [1, 10, 11, 2], k: [5, 3], co: 2, s: [4, 1], pad: 'same' as const },
    { x: [1, 6, 6, 8], k: [3, 3], co: 8, s: [1, 1], pad: 'valid' as const }, // stride 1: one phase
  ])('x $x, kernel $k, stride $s, $pad matches cpu', (c) => {
    const fShape = [...c.k, c.x[3]!, c.co] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(c.x as never, fShape, c.s as [number, number], 1, c.pad);
    const r = onBoth(() =>
      tf.tidy(() => conv2DBackpropInput(c.x, rand(info.outShape, 3), rand(fShape, 4), c.s, c.pad)),
    );
    expect(r.wasm.shape).toEqual(c.x);
    expect(maxRelativeError(r.wasm.values, r.cpu.values)).toBeLessThan(1e-5);
  });

  it('frees every intermediate of the phases', () => {
    tf.setBackend('wasm');
    const dy = rand([2, 3, 3, 4], 5);
    const f = rand([3, 3, 2, 4], 6);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    conv2DBackpropInput([2, 7, 8, 2], dy, f, 3, 'same').dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(ids);
    tf.dispose([dy, f]);
  });

  it('refuses NCHW, naming the kernel and the format', () => {
    tf.setBackend('wasm');
    const dy = tf.zeros([1, 3, 2, 2]);
    const filter = tf.zeros([2, 2, 2, 3]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter },
          { strides: 2, pad: 'valid', dataFormat: 'NCHW', inputShape: [1, 2, 4, 4] },
        ),
    ).toThrow('@lab/core wasm Conv2DBackpropInput supports only NHWC, got NCHW');
    tf.dispose([dy, filter]);
  });
});
