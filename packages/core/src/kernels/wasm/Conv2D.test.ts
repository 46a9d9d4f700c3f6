import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, seededTensor as rand, relaxedSimdReachable } from '../../testing/index.js';
import { MIN_INPUT_CHANNELS } from './Conv2D.js';

// Conv2D on the heap kernel (8 or more input channels, or fewer through patches as rows when the
// filter has at least 8 taps times channels; FMA build) or the stock one, against cpu on
// small odd shapes: strides, dilations, explicit pads, output channels not a multiple of 8.

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

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  d?: [number, number];
}
const cases: Case[] = [
  { x: [1, 5, 7, 3], f: [3, 3, 3, 5], s: [1, 1], pad: 'same' }, // few channels: patches as rows
  { x: [2, 9, 8, 1], f: [5, 5, 1, 7], s: [2, 2], pad: 'same' }, // one channel, 5x5
  { x: [1, 4, 4, 2], f: [1, 2, 2, 3], s: [1, 1], pad: 'valid' }, // K = 4: stock
  { x: [2, 7, 5, 8], f: [3, 2, 8, 9], s: [2, 1], pad: 'same' },
  { x: [1, 9, 6, 11], f: [2, 3, 11, 1], s: [1, 2], pad: 'valid' },
  { x: [3, 6, 6, 8], f: [3, 3, 8, 17], s: [1, 1], pad: 'valid', d: [2, 1] },
  {
    x: [1, 5, 5, 12],
    f: [3, 3, 12, 4],
    s: [2, 2],
    pad: [
      [0, 0],
      [2, 0],
      [1, 2],
      [0, 0],
    ],
  },
  { x: [2, 1, 1, 16], f: [1, 1, 16, 10], s: [1, 1], pad: 'same' },
];

describe('wasm Conv2D', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('takes the heap kernel from 8 input channels', () => {
    expect(MIN_INPUT_CHANNELS).toBe(8);
  });

  it.each(cases)('x $x, filter $f, stride $s, pad $pad, dilation $d matches cpu', (c) => {
    const r = onBoth(() =>
      tf.tidy(() =>
        tf.conv2d(rand(c.x, 1) as tf.Tensor4D, rand(c.f, 2) as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d ?? 1),
      ),
    );
    expect(r.wasm.shape).toEqual(r.cpu.shape);
    expect(maxRelativeError(r.wasm.values, r.cpu.values)).toBeLessThan(1e-5);
  });

  it.skipIf(!relaxedSimdReachable())('a filter rewritten in place (variable assign) is packed again', () => {
    tf.setBackend('wasm');
    const x = rand([1, 4, 4, 8], 3);
    const w = tf.variable(rand([3, 3, 8, 8], 4));
    const first = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
    w.assign(tf.tidy(() => tf.mul(w, -2)));
    const second = tf.tidy(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync());
    expect(
      maxRelativeError(
        second,
        Array.from(first, (v) => -2 * v),
      ),
    ).toBeLessThan(1e-5);
    tf.dispose([x, w]);
  });

  it('keeps the tensor count and the backend data flat', () => {
    tf.setBackend('wasm');
    const x = rand([2, 5, 5, 8], 5);
    const f = rand([3, 3, 8, 3], 6);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same').dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(ids);
    tf.dispose([x, f]);
  });
});
