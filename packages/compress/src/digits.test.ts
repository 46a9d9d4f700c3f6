import { Dense, Flatten, initBackend, Optimizer, Rng, Sequential, sgd } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Digits, digitBatch, digitErrorRate, trainOnDigits } from './digits.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** `n` images whose brightness is their label: label k (of `classes`) has every pixel at 25 k. */
function brightness(n: number, classes = 10): Digits {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classes);
  const images = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) images.fill(25 * labels[i]!, i * 784, (i + 1) * 784);
  return { images, labels, count: n };
}

describe('digits', () => {
  it('batches scale pixels to [0, 1] and one-hot the labels', () => {
    const { x, y } = digitBatch(brightness(10), [3, 9]);
    expect(x.shape).toEqual([2, 28, 28, 1]);
    expect(x.dataSync()[0]).toBeCloseTo(75 / 255, 6);
    expect(x.dataSync()[784]).toBeCloseTo(225 / 255, 6);
    expect(Array.from(y.dataSync().slice(0, 10))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(y.dataSync().slice(10))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    tf.dispose([x, y]);
    expect(() => digitBatch(brightness(10), [10])).toThrow(/example 10/);
    const bad = brightness(2);
    bad.labels[1] = 12;
    expect(() => digitBatch(bad, [1])).toThrow(/label 12/);
  });

  it('counts the error of a predictor across batches, without leaking', () => {
    const d = brightness(25);
    const before = tf.memory().numTensors;
    // always predicts class 0: wrong on every example whose label is not 0 (22 of 25)
    const constant = (x: tf.Tensor) => tf.tidy(() => tf.oneHot(tf.zeros([x.shape[0]!], 'int32'), 10));
    expect(digitErrorRate(d, constant, 7)).toBeCloseTo(22 / 25, 12);
    expect(digitErrorRate({ ...d, count: 0 }, constant)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains with the caller applying the gradients, epoch by epoch, without leaking', () => {
    const d = brightness(200, 2); // dark 0s and light 1s
    const model = new Sequential([Flatten(), new Dense(784, 10, { rng: new Rng(1) })]);
    const opt = new Optimizer(sgd(0.01), model.trainableParameters());
    const before = tf.memory().numTensors;
    const error0 = digitErrorRate(d, (x) => model.forward(x));
    const epochs: number[] = [];
    let steps = 0;
    trainOnDigits(model, d, model.trainableParameters(), (g) => opt.step(g), {
      epochs: 3,
      batchSize: 32,
      rng: new Rng(2),
      onStep: () => steps++,
      onEpoch: (epoch, loss) => epochs.push(epoch, loss),
    });
    expect(steps).toBe(3 * 7);
    expect(epochs.filter((_, i) => i % 2 === 0)).toEqual([0, 1, 2]);
    expect(epochs[5]!).toBeLessThan(epochs[1]!);
    expect(digitErrorRate(d, (x) => model.forward(x))).toBeLessThan(error0);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    model.dispose();
  });
});
