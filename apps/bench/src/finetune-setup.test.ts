// W6's data picks: indices of a class range, k per class without replacement, and the examples as a
// tensor in [0, 1] with shifted labels.
import { type ImageDataset, initBackend } from '@lab/core';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifierData, indicesOfClasses, pickPerClass } from './finetune-setup.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const labels = Uint8Array.from([5, 0, 6, 5, 9, 4, 5, 6, 10]);

describe('indicesOfClasses and pickPerClass', () => {
  it('lists the indices with labels in [from, to) in file order', () => {
    expect(indicesOfClasses(labels, 5, 7)).toEqual([0, 2, 3, 6, 7]);
    expect(indicesOfClasses(labels, 0, 5)).toEqual([1, 5]);
    expect(indicesOfClasses(labels, 7, 7)).toEqual([]);
  });

  it("takes every example with 'all', class by class, and k distinct ones of each class otherwise", () => {
    expect(pickPerClass(labels, 5, 7, 'all', 0)).toEqual([0, 3, 6, 2, 7]);
    const two = pickPerClass(labels, 5, 7, 2, 3);
    expect(two).toHaveLength(4);
    expect(two.slice(0, 2).every((i) => labels[i] === 5)).toBe(true);
    expect(two.slice(2).sort()).toEqual([2, 7]);
    expect(new Set(two).size).toBe(4);
  });

  it('refuses a k larger than a class, naming the class', () => {
    expect(() => pickPerClass(labels, 5, 10, 2, 0)).toThrow('class 7 has 0 examples, fewer than 2');
  });
});

describe('classifierData', () => {
  it('scales pixels to [0, 1], keeps the order of the indices and shifts the labels', () => {
    const ds: ImageDataset = {
      count: 3,
      rows: 2,
      cols: 2,
      images: Uint8Array.from([0, 255, 51, 102, 1, 2, 3, 4, 255, 0, 0, 255]),
      labels: Uint8Array.from([7, 8, 9]),
    };
    const before = memory().numTensors;
    const d = classifierData(ds, [2, 0], 5);
    expect(d.x.shape).toEqual([2, 2, 2, 1]);
    // float32 values of 255/255, 0, 0, 255/255, 0/255, 255/255, 51/255, 102/255
    expect(Array.from(d.x.dataSync())).toEqual(Array.from(Float32Array.from([1, 0, 0, 1, 0, 1, 0.2, 0.4])));
    expect(Array.from(d.labels)).toEqual([4, 2]);
    d.x.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
