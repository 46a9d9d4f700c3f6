import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { averager, ema, polyak } from './averager.js';

/** w <- values, without leaving the source tensor behind. */
function set(w: tf.Variable, values: number[]): void {
  const t = tf.tensor1d(values);
  w.assign(t);
  t.dispose();
}

describe('weight averaging', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  const values = [
    [1, -2],
    [3, 0.5],
    [-1, 4],
  ];
  it('ema matches a hand computation, starting from the initial weights', () => {
    const w = tf.variable(tf.tensor1d([0, 2]));
    const avg = averager({ w }, ema(0.9));
    const expected = [0, 2];
    for (const v of values) {
      set(w, v);
      avg.update();
      for (let i = 0; i < 2; i++) expected[i] = 0.9 * expected[i]! + 0.1 * v[i]!;
    }
    const got = avg.average().w!.dataSync();
    for (let i = 0; i < 2; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
    avg.dispose();
    w.dispose();
  });
  it('polyak is the mean of the weights after each step', () => {
    const w = tf.variable(tf.tensor1d([100, 100]));
    const avg = averager({ w }, polyak());
    expect(Array.from(avg.average().w!.dataSync())).toEqual([100, 100]);
    for (const v of values) {
      set(w, v);
      avg.update();
    }
    const got = avg.average().w!.dataSync();
    expect(got[0]).toBeCloseTo((1 + 3 - 1) / 3, 6);
    expect(got[1]).toBeCloseTo((-2 + 0.5 + 4) / 3, 6);
    avg.dispose();
    w.dispose();
  });
  it('withAverage puts the average in place and the weights back exactly; assign keeps it; no leaks', () => {
    const w = tf.variable(tf.tensor1d([0.1, 0.2, 0.3]));
    const before = tf.memory().numTensors;
    let assigned = 0;
    const avg = averager({ w }, ema(0.5), { afterAssign: () => assigned++ });
    set(w, [1.1, 1.2, 1.3]);
    avg.update();
    const owned = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      set(w, [i, -i, 0.7]);
      avg.update();
      expect(tf.memory().numTensors).toBe(owned);
    }
    const weights = Array.from(w.dataSync());
    const average = Array.from(avg.average().w!.dataSync());
    const seen = avg.withAverage(() => Array.from(w.dataSync()));
    expect(seen).toEqual(average);
    expect(assigned).toBe(2); // the average in, the weights back
    expect(Array.from(w.dataSync())).toEqual(weights);
    expect(() =>
      avg.withAverage(() => {
        throw new Error('validation failed');
      }),
    ).toThrow('validation failed');
    expect(Array.from(w.dataSync())).toEqual(weights);
    expect(tf.memory().numTensors).toBe(owned);
    avg.assign();
    expect(Array.from(w.dataSync())).toEqual(average);
    expect(assigned).toBe(5);
    avg.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
  it('rejects a decay outside (0, 1)', () => {
    expect(() => ema(1)).toThrow(/decay must be in \(0, 1\), got 1/);
    expect(() => ema(Number.NaN)).toThrow(/decay/);
  });
});
