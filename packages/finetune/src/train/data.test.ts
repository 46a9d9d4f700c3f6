import { initBackend } from '@lab/core';
import { dispose, memory, tensor2d, zeros } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClassifierData, checkClassifierData, subset, validationSplit } from './data.js';

/** Ten examples whose single feature is their index, labelled index mod 3. */
const examples = (): ClassifierData => ({
  x: tensor2d(
    Array.from({ length: 10 }, (_, i) => i),
    [10, 1],
  ),
  labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
});

describe('classifier data', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('checkClassifierData refuses malformed data, naming the caller', () => {
    const x = zeros([3, 2]);
    expect(() => checkClassifierData({ x, labels: new Int32Array(3) }, 'here')).not.toThrow();
    expect(() => checkClassifierData(undefined as never, 'here')).toThrow(
      'here: data must be { x: Tensor, labels: Int32Array }',
    );
    expect(() => checkClassifierData({ x, labels: [0, 1, 2] as never }, 'here')).toThrow(TypeError);
    expect(() => checkClassifierData({ x, labels: new Int32Array(2) }, 'here')).toThrow(
      'here: x has 3 examples but labels has 2',
    );
    expect(() => checkClassifierData({ x: zeros([0, 2]), labels: new Int32Array(0) }, 'here')).toThrow(
      'here: no examples',
    );
    x.dispose();
  });

  it('subset gathers rows and their labels in the given order, repeats allowed', () => {
    const d = examples();
    const s = subset(d, Int32Array.from([7, 2, 7]));
    expect(Array.from(s.x.dataSync())).toEqual([7, 2, 7]);
    expect(Array.from(s.labels)).toEqual([1, 2, 1]);
    dispose([d.x, s.x]);
  });

  it('validationSplit partitions the examples (rounded count), reproducibly by seed, leak-free', () => {
    const d = examples();
    const before = memory().numTensors;
    const { train, validation } = validationSplit(d, 0.25, 4);
    expect(memory().numTensors).toBe(before + 2);
    expect(validation.labels.length).toBe(3); // round(2.5)
    expect(train.labels.length).toBe(7);
    const ids = [...train.x.dataSync(), ...validation.x.dataSync()].sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // labels travel with their rows
    for (const part of [train, validation]) {
      const xs = part.x.dataSync();
      expect(Array.from(part.labels)).toEqual(Array.from(xs, (v) => v % 3));
    }
    const again = validationSplit(d, 0.25, 4);
    expect(Array.from(again.validation.x.dataSync())).toEqual(Array.from(validation.x.dataSync()));
    dispose([train.x, validation.x, again.train.x, again.validation.x]);
    expect(memory().numTensors).toBe(before);
    d.x.dispose();
  });

  it('validationSplit refuses fractions outside (0, 1) and splits leaving a side empty', () => {
    const d = examples();
    for (const f of [0, 1, -0.5, Number.NaN])
      expect(() => validationSplit(d, f)).toThrow(`validationSplit: fraction must be in (0, 1), got ${f}`);
    expect(() => validationSplit(d, 0.01)).toThrow(
      'validationSplit: 10 examples cannot give 0.01 of them (0) to validation and keep some to train',
    );
    expect(() => validationSplit(d, 0.97)).toThrow(/\(10\) to validation/);
    expect(() => validationSplit({ x: d.x, labels: new Int32Array(2) }, 0.5)).toThrow(
      /^validationSplit: x has 10/,
    );
    d.x.dispose();
  });
});
