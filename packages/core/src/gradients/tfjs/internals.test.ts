import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../runtime/init.js';
import { maxRelativeError, numericGradient, seededTensor as rand } from '../../testing/index.js';
import {
  avgPool3dGrad,
  avgPoolGrad,
  conv2DBackpropFilter,
  conv2DBackpropInput,
  conv3DBackpropFilter,
  conv3DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
  ENGINE,
  localResponseNormalizationBackprop,
  maxPool3dGrad,
  maxPoolGrad,
} from './internals.js';

// Each backprop op is the gradient of sum(forward(x) * dy) with respect to one argument: compared
// with central finite differences of the forward op on tiny odd shapes, including the unbatched
// (one rank lower) inputs that the stand-ins reshape.

/** Finite differences of u -> sum(forward(u) * dy) at u, against `analytic` (same shape as u). */
function expectMatchesNumeric(
  forward: (u: tf.Tensor) => tf.Tensor,
  u: tf.Tensor,
  dy: tf.Tensor,
  analytic: tf.Tensor,
) {
  expect(analytic.shape).toEqual(u.shape);
  const values = analytic.dataSync();
  const numeric = numericGradient((t) => tf.sum(tf.mul(forward(t), dy)), u, { eps: 1e-2, maxEntries: 24 });
  const picked = numeric.indices.map((i) => values[i]!);
  expect(maxRelativeError(picked, numeric.values)).toBeLessThan(5e-3);
  expect(Math.max(...picked.map(Math.abs))).toBeGreaterThan(1e-3);
}

describe('tfjs gradient internals (stand-ins on the public API)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it('ENGINE follows the current backend and binds its methods', () => {
    for (const b of ['cpu', 'wasm']) {
      tf.setBackend(b);
      expect(ENGINE.backendName).toBe(b);
      const x = tf.tensor1d([1, -2]);
      const y = ENGINE.runKernel('Abs', { x }, {}) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual([1, 2]);
      tf.dispose([x, y]);
    }
  });

  it.each(['cpu', 'wasm'])(
    'conv2DBackpropFilter and conv2DBackpropInput, batched and unbatched (%s)',
    (b) => {
      tf.setBackend(b);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const w = rand([3, 2, 2, 3], 2);
        for (const batched of [true, false]) {
          const xShape = batched ? [2, 5, 4, 2] : [5, 4, 2];
          const x = rand(xShape, 1);
          const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
            tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, [2, 1], 'same');
          const dy = rand(conv(x, w).shape, 3);
          expectMatchesNumeric(
            (ww) => conv(x, ww),
            w,
            dy,
            conv2DBackpropFilter(x, dy, w.shape, [2, 1], 'same'),
          );
          expectMatchesNumeric(
            (xx) => conv(xx, w),
            x,
            dy,
            conv2DBackpropInput(xShape, dy, w, [2, 1], 'same'),
          );
        }
      });
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('conv3DBackpropFilter and conv3DBackpropInput, batched and unbatched (cpu)', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const w = rand([2, 2, 1, 2, 3], 5);
      for (const xShape of [
        [1, 3, 4, 3, 2],
        [3, 4, 3, 2],
      ]) {
        const x = rand(xShape, 4);
        const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
          tf.conv3d(xx as tf.Tensor5D, ww as tf.Tensor5D, [1, 2, 1], 'valid');
        const dy = rand(conv(x, w).shape, 6);
        expectMatchesNumeric(
          (ww) => conv(x, ww),
          w,
          dy,
          conv3DBackpropFilter(x, dy, w.shape, [1, 2, 1], 'valid'),
        );
        expectMatchesNumeric(
          (xx) => conv(xx, w),
          x,
          dy,
          conv3DBackpropInput(xShape, dy, w, [1, 2, 1], 'valid'),
        );
      }
    });
  });

  // tfjs's depthwise backprop kernels take no dilation above 1 (its gradient refuses them)
  it('depthwise backprop for the filter (unbatched x too) and the input (cpu)', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const w = rand([2, 3, 2, 2], 8);
      const x = rand([2, 6, 5, 2], 7);
      const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, [2, 1], 'same');
      const dy = rand(conv(x, w).shape, 9);
      expectMatchesNumeric(
        (ww) => conv(x, ww),
        w,
        dy,
        depthwiseConv2dNativeBackpropFilter(x, dy, w.shape, [2, 1], 'same'),
      );
      expectMatchesNumeric(
        (xx) => conv(xx, w),
        x,
        dy,
        depthwiseConv2dNativeBackpropInput(x.shape, dy, w, [2, 1], 'same'),
      );
      // an unbatched x and dy for the filter gradient
      const x3 = rand([6, 5, 2], 10);
      const dy3 = rand([3, 5, 4], 11);
      expectMatchesNumeric(
        (ww) => conv(x3, ww),
        w,
        dy3,
        depthwiseConv2dNativeBackpropFilter(x3, dy3, w.shape, [2, 1], 'same'),
      );
    });
  });

  it('pooling gradients: max (given the forward output) and average, 2-D and 3-D, unbatched inputs (cpu)', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const x4 = rand([2, 5, 5, 2], 12);
      const max2 = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'same');
      const dyMax = rand(max2(x4).shape, 13);
      expectMatchesNumeric(max2, x4, dyMax, maxPoolGrad(dyMax, x4, max2(x4), 2, 2, 'same'));

      const x3 = rand([5, 4, 2], 14);
      const avg2 = (t: tf.Tensor) => tf.avgPool(t as tf.Tensor3D, [3, 2], [2, 1], 'valid');
      const dyAvg = rand(avg2(x3).shape, 15);
      expectMatchesNumeric(avg2, x3, dyAvg, avgPoolGrad(dyAvg, x3, [3, 2], [2, 1], 'valid'));

      const x5 = rand([4, 3, 4, 2], 16); // unbatched 3-D volume
      const max3 = (t: tf.Tensor) => tf.maxPool3d(t as tf.Tensor4D, 2, 1, 'valid');
      const dy5 = rand(max3(x5).shape, 17);
      expectMatchesNumeric(max3, x5, dy5, maxPool3dGrad(dy5, x5, max3(x5), 2, 1, 'valid'));
      // 'valid': with 'same', tfjs's cpu forward averages over the taps inside the volume but its
      // AvgPool3DGrad divides by the whole window (tfjs's kernels disagree, not the stand-in)
      const avg3 = (t: tf.Tensor) => tf.avgPool3d(t as tf.Tensor4D, [2, 1, 2], [1, 2, 1], 'valid');
      const dyA5 = rand(avg3(x5).shape, 18);
      expectMatchesNumeric(avg3, x5, dyA5, avgPool3dGrad(dyA5, x5, [2, 1, 2], [1, 2, 1], 'valid'));
    });
  });

  it('localResponseNormalizationBackprop (cpu)', () => {
    tf.setBackend('cpu');
    tf.tidy(() => {
      const x = rand([1, 2, 3, 5], 19);
      const lrn = (t: tf.Tensor) => tf.localResponseNormalization(t as tf.Tensor4D, 2, 1.5, 0.8, 0.6);
      const dy = rand(x.shape, 20);
      expectMatchesNumeric(lrn, x, dy, localResponseNormalizationBackprop(x, lrn(x), dy, 2, 1.5, 0.8, 0.6));
    });
  });
});
