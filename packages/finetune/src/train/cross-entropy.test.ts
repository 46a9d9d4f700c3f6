import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from './cross-entropy.js';

beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

/** mean_i(logsumexp(z_i) - z_i[label_i]) in double precision. */
function reference(logits: number[][], labels: number[]): number {
  let total = 0;
  logits.forEach((z, i) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - z[labels[i]!]!;
  });
  return total / logits.length;
}

describe('softmaxCrossEntropy', () => {
  it('is log(classes) for equal logits and matches a plain reference, also for large logits', () => {
    const before = tf.memory().numTensors;
    const cases: [number[][], number[]][] = [
      [[[0, 0, 0, 0]], [3]],
      [
        [
          [1, 2, 3],
          [0.5, -1, 0],
        ],
        [2, 0],
      ],
      [
        [
          [100, 0],
          [0, 100],
        ],
        [0, 0],
      ],
    ];
    for (const [z, y] of cases) {
      const logits = tf.tensor2d(z);
      const labels = tf.tensor1d(y, 'int32');
      const loss = softmaxCrossEntropy(logits, labels);
      expect(loss.shape).toEqual([]);
      expect(loss.dataSync()[0]).toBeCloseTo(reference(z, y), 4);
      tf.dispose([logits, labels, loss]);
    }
    expect(reference([[0, 0, 0, 0]], [3])).toBeCloseTo(Math.log(4), 12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('its gradient is (softmax - onehot) / batch', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const g = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(z, labels))(logits);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    const expected = [(e[0]! / s - 1) / 2, e[1]! / s / 2, e[2]! / s / 2, 1 / 6, (1 / 3 - 1) / 2, 1 / 6];
    const got = Array.from(g.dataSync());
    expected.forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 5);
    });
    tf.dispose([logits, labels, g]);
  });
});
