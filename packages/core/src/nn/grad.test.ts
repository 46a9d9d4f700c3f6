import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { valueAndGrads } from './grad.js';

describe('valueAndGrads', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('returns the loss and each gradient under the dotted name, not the variable name', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]), true, 'var_w_unique');
    const b = tf.variable(tf.scalar(0.5), true, 'var_b_unique');
    const before = tf.memory().numTensors;
    // loss = sum(w^2) + 3 b: d/dw = 2w, d/db = 3
    const { value, grads } = valueAndGrads(() => tf.add(tf.sum(tf.square(w)), tf.mul(3, b)) as tf.Scalar, {
      'layer.weight': w,
      'layer.bias': b,
    });
    expect(value.dataSync()[0]).toBeCloseTo(15.5, 6);
    expect(Object.keys(grads)).toEqual(['layer.weight', 'layer.bias']);
    expect(Array.from(grads['layer.weight']!.dataSync())).toEqual([2, 4, 6]);
    expect(grads['layer.bias']!.dataSync()[0]).toBe(3);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, b]);
  });

  it('leaves out a variable the loss does not depend on', () => {
    const used = tf.variable(tf.tensor1d([2]));
    const unused = tf.variable(tf.tensor1d([7]));
    const { value, grads } = valueAndGrads(() => tf.sum(tf.mul(used, 4)) as tf.Scalar, { used, unused });
    expect(Object.keys(grads)).toEqual(['used']);
    expect(grads.used!.dataSync()[0]).toBe(4);
    tf.dispose([value, ...Object.values(grads), used, unused]);
  });
});
