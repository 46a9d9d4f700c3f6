import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { zeroGradConfigs } from './zero-gradients.js';

describe('zero gradients of comparisons and logical ops', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('covers each comparison and logical kernel once, saving the inputs it zeroes', () => {
    const names = zeroGradConfigs.map((g) => g.kernelName);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(
      [
        'Equal',
        'Greater',
        'Less',
        'LessEqual',
        'LogicalAnd',
        'LogicalNot',
        'LogicalOr',
        'LogicalXor',
        'NotEqual',
      ].sort(),
    );
    for (const g of zeroGradConfigs)
      expect(g.inputsToSave).toEqual(g.kernelName === 'LogicalNot' ? ['x'] : ['a', 'b']);
  });

  it.each(['float32', 'int32', 'bool'] as const)(
    'each gradient is float32 zeros shaped like its %s inputs',
    (dtype) => {
      const a = tf.tensor2d([[1, 0, 3]], [1, 3], dtype);
      const b = tf.tensor1d([0, 5, -1], dtype);
      for (const g of zeroGradConfigs) {
        const saved = g.kernelName === 'LogicalNot' ? [a] : [a, b];
        const out = g.gradFunc(tf.onesLike(a), saved, {});
        const keys = g.kernelName === 'LogicalNot' ? ['x'] : ['a', 'b'];
        expect(Object.keys(out)).toEqual(keys);
        keys.forEach((k, i) => {
          const z = out[k]!();
          expect(z.shape).toEqual(saved[i]!.shape);
          expect(z.dtype).toBe('float32');
          expect(Array.from(z.dataSync())).toEqual(new Array(saved[i]!.size).fill(0));
          z.dispose();
        });
      }
      tf.dispose([a, b]);
    },
  );

  it('a second derivative through a comparison works (registered by initBackend) and is exact', () => {
    // f(x) = sum(where(x > 0, x^2, -x)): f'(x) = 2x or -1, f''(x) = 2 or 0
    const x = tf.tensor1d([-1.5, 0.5, 2]);
    const f = (t: tf.Tensor) => tf.sum(tf.where(tf.greater(t, 0), tf.square(t), tf.neg(t)));
    // where's gradient goes through logicalNot of the bool condition, so this needs float32 zeros
    const before = tf.memory().numTensors;
    const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(x);
    expect(Array.from(second.dataSync())).toEqual([0, 2, 2]);
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // and through logicalAnd / logicalOr of two comparisons
    const g = (t: tf.Tensor) =>
      tf.sum(
        tf.where(
          tf.logicalOr(tf.logicalAnd(tf.greater(t, -1), tf.less(t, 1)), tf.equal(t, 2)),
          tf.mul(t, t),
          t,
        ),
      );
    const second2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(g)(t)))(x);
    expect(Array.from(second2.dataSync())).toEqual([0, 2, 2]);
    tf.dispose([x, second2]);
  });
});
