import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyTensorData, tensorFromView } from './copy.js';
import { initBackend } from './init.js';

describe('copyTensorData and tensorFromView', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    await initBackend({ backend: 'wasm', fallback: false });
  });

  it.each(['wasm', 'cpu'])('round-trip values through caller arrays on %s', (backend) => {
    tf.setBackend(backend);
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const target = new Float32Array(8);
    copyTensorData(x, target, 1);
    expect(Array.from(target)).toEqual([0, 1, 2, 3, 4, 5, 6, 0]);
    const ids = new Int32Array(3);
    const t = tf.tensor1d([7, -1, 3], 'int32');
    copyTensorData(t, ids);
    expect(Array.from(ids)).toEqual([7, -1, 3]);
    // the tensor owns its values: overwriting the view afterwards changes nothing
    const view = target.subarray(1, 7);
    const y = tensorFromView(view, [3, 2]);
    view.fill(0);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(y.shape).toEqual([3, 2]);
    expect(() => copyTensorData(x, new Float32Array(5))).toThrow(/do not fit/);
    expect(() => copyTensorData(tf.tensor1d([true, false], 'bool'), new Float32Array(2))).toThrow(
      /float32 or int32/,
    );
    tf.dispose([x, t, y]);
  });

  it('reads a tensor made on another backend', () => {
    tf.setBackend('cpu');
    const x = tf.tensor1d([1.5, 2.5]);
    tf.setBackend('wasm');
    const target = new Float32Array(2);
    copyTensorData(x, target);
    expect(Array.from(target)).toEqual([1.5, 2.5]);
    x.dispose();
  });
});
