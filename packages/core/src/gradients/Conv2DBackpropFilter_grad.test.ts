import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { maxRelativeError, numericGradient, seededTensor as rand } from '../testing/index.js';
import { conv2DBackpropFilterGradConfig } from './Conv2DBackpropFilter_grad.js';
import { conv2DBackpropFilter } from './tfjs/internals.js';

// The kernel is bilinear in (x, dy), so each gradient of <G, dW(x, dy)> is checked against central
// differences, which are exact for a linear function up to float rounding.

const cases = [
  {
    name: 'stride 1, valid',
    x: [1, 4, 4, 2],
    dy: [1, 2, 2, 3],
    filter: [3, 3, 2, 3],
    strides: 1,
    pad: 'valid',
  },
  {
    name: 'stride 2, same, odd size',
    x: [1, 5, 5, 2],
    dy: [1, 3, 3, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: 'same',
  },
  { name: 'explicit padding 1', x: [1, 4, 4, 1], dy: [1, 4, 4, 2], filter: [3, 3, 1, 2], strides: 1, pad: 1 },
] as const;

describe('Conv2DBackpropFilter gradient', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it.each(cases)('$name: d/dx and d/ddy of <G, dW(x, dy)> match finite differences', (c) => {
    const before = tf.memory().numTensors;
    const x = rand([...c.x], 3);
    const dy = rand([...c.dy], 5);
    const g = rand([...c.filter], 7);
    const dw = (xx: tf.Tensor, dd: tf.Tensor) =>
      conv2DBackpropFilter(xx, dd, [...c.filter], c.strides, c.pad);
    const [gx, gdy] = tf.grads((xx: tf.Tensor, dd: tf.Tensor) => tf.sum(tf.mul(dw(xx, dd), g)))([x, dy]);
    for (const [u, analytic, f] of [
      [x, gx!, (t: tf.Tensor) => tf.sum(tf.mul(dw(t, dy), g))],
      [dy, gdy!, (t: tf.Tensor) => tf.sum(tf.mul(dw(x, t), g))],
    ] as const) {
      expect(analytic.shape).toEqual(u.shape);
      const values = analytic.dataSync();
      const numeric = numericGradient(f, u, { eps: 1e-2, maxEntries: 16 });
      const picked = numeric.indices.map((i) => values[i]!);
      expect(maxRelativeError(picked, numeric.values)).toBeLessThan(5e-3);
      expect(Math.max(...picked.map(Math.abs))).toBeGreaterThan(1e-3);
    }
    tf.dispose([x, dy, g, gx!, gdy!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves x and dy and returns a gradient for each', () => {
    expect(conv2DBackpropFilterGradConfig.kernelName).toBe('Conv2DBackpropFilter');
    expect(conv2DBackpropFilterGradConfig.inputsToSave).toEqual(['x', 'dy']);
    const x = rand([1, 3, 3, 1], 1);
    const dy = rand([1, 3, 3, 1], 2);
    const g = rand([1, 1, 1, 1], 3);
    const attrs = {
      strides: 1,
      pad: 'valid',
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      filterShape: [1, 1, 1, 1],
    };
    const out = conv2DBackpropFilterGradConfig.gradFunc(g, [x, dy], attrs as unknown as tf.NamedAttrMap);
    // a 1x1 filter: dW = sum(x * dy), so d/dx = G * dy and d/ddy = G * x
    const gv = g.dataSync()[0]!;
    const gx = out.x!();
    const gdy = out.dy!();
    expect(
      maxRelativeError(
        gx.dataSync(),
        Array.from(dy.dataSync(), (v) => v * gv),
      ),
    ).toBeLessThan(1e-6);
    expect(
      maxRelativeError(
        gdy.dataSync(),
        Array.from(x.dataSync(), (v) => v * gv),
      ),
    ).toBeLessThan(1e-6);
    tf.dispose([x, dy, g, gx, gdy]);
  });
});
