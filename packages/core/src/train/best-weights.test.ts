import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../runtime/init.js';
import { bestWeights, keepBest } from './best-weights.js';
import { runTrainingLoop } from './loop.js';

describe('bestWeights', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('restores exactly the weights of the best epoch (max by default, min on request)', () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const scores = [0.3, 0.7, 0.5, 0.7, 0.1];
    const weightsAt: number[][] = [];
    const keeper = bestWeights({ w });
    const lowest = bestWeights({ w }, { mode: 'min' });
    runTrainingLoop({
      epochs: scores.length,
      stepsPerEpoch: 1,
      trainStep: (s) => {
        const next = tf.tensor1d([Math.fround(Math.PI * (s + 1)), Math.fround(1 / (s + 3))]);
        w.assign(next);
        next.dispose();
        weightsAt.push(Array.from(w.dataSync()));
        return {};
      },
      validate: (e) => ({ accuracy: scores[e]! }),
      hooks: [keepBest(keeper, 'accuracy'), keepBest(lowest, 'accuracy')],
    });
    // a tie does not replace the first best
    expect(keeper.best).toEqual({ score: 0.7, epoch: 1 });
    expect(lowest.best).toEqual({ score: 0.1, epoch: 4 });
    expect(keeper.restore()).toBe(true);
    expect(Array.from(w.dataSync())).toEqual(weightsAt[1]);
    expect(lowest.restore()).toBe(true);
    expect(Array.from(w.dataSync())).toEqual(weightsAt[4]);
    keeper.dispose();
    lowest.dispose();
    w.dispose();
  });
  it('owns one copy, never leaks, and restores nothing before an offer', () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    const before = tf.memory().numTensors;
    let assigned = 0;
    const keeper = bestWeights({ w }, { minDelta: 0.05, afterAssign: () => assigned++ });
    expect(keeper.restore()).toBe(false);
    expect(assigned).toBe(0);
    expect(keeper.offer(0.5, 0)).toBe(true);
    expect(keeper.offer(0.52, 1)).toBe(false); // within minDelta
    expect(keeper.offer(Number.NaN, 2)).toBe(false);
    expect(keeper.offer(0.6, 3)).toBe(true);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(keeper.restore()).toBe(true);
    expect(assigned).toBe(1);
    keeper.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
  it('names a metric the epoch does not report', () => {
    const w = tf.variable(tf.scalar(0));
    const keeper = bestWeights({ w });
    expect(() =>
      runTrainingLoop({
        epochs: 1,
        stepsPerEpoch: 1,
        trainStep: () => ({ loss: 1 }),
        validate: () => ({ las: 0.5 }),
        hooks: [keepBest(keeper, 'uas')],
      }),
    ).toThrow(/keepBest: epoch 0 reported no metric 'uas'/);
    keeper.dispose();
    w.dispose();
  });
});
