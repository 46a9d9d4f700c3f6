import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilter } from '../../gradients/tfjs/internals.js';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand } from '../../testing/index.js';

// The filter gradient as a dilated convolution of x^T with dy^T: against cpu where rows or columns
// of x are read by no output (cut off instead of padded negatively), with uneven 'same' padding, and
// the NCHW refusal.

function onBoth(fn: () => tf.Tensor) {
  const out: Record<string, Float32Array> = {};
  for (const b of ['cpu', 'wasm']) {
    tf.setBackend(b);
    const t = fn();
    out[b] = t.dataSync() as Float32Array;
    t.dispose();
  }
  return out;
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each([
    // h = 8, k = 3, s = 2, valid: outputs read rows 0..6, row 7 is cut off
    { x: [2, 8, 8, 3], k: [3, 3], co: 4, s: [2, 2], pad: 'valid' as const },
    { x: [1, 9, 6, 2], k: [2, 4], co: 3, s: [3, 2], pad: 'valid' as const },
    { x: [3, 6, 7, 2], k: [4, 2], co: 5, s: [2, 3], pad: 'same' as const },
    { x: [1, 5, 5, 9], k: [1, 1], co: 9, s: [2, 2], pad: 'valid' as const },
    { x: [2, 4, 3, 3], k: [4, 3], co: 2, s: [1, 1], pad: 'valid' as const }, // one output position
  ])('x $x, kernel $k, stride $s, $pad matches cpu', (c) => {
    const fShape = [...c.k, c.x[3]!, c.co] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(c.x as never, fShape, c.s as [number, number], 1, c.pad);
    const r = onBoth(() =>
      tf.tidy(() => conv2DBackpropFilter(rand(c.x, 1), rand(info.outShape, 2), fShape, c.s, c.pad)),
    );
    expect(r.wasm!.length).toBe(fShape.reduce((a, b) => a * b, 1));
    expect(maxRelativeError(r.wasm!, r.cpu!)).toBeLessThan(1e-5);
  });

  it('refuses NCHW, naming the kernel and the format, without leaking', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 3, 2, 2]);
    const before = tf.memory().numTensors;
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 2, pad: 'valid', dataFormat: 'NCHW', filterShape: [2, 2, 2, 3] },
        ),
    ).toThrow('@lab/core wasm Conv2DBackpropFilter supports only NHWC, got NCHW');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
  });
});
