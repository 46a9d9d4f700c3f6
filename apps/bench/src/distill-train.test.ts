import { initBackend } from '@lab/core';
import { dispose, memory, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type MnistTensors, rowsOf, splitLast, withoutClass } from './distill-train.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// five examples: example i has the two pixels [i, -i] and label i % 3
function five(): MnistTensors {
  const labelArray = Int32Array.from([0, 1, 2, 0, 1]);
  return {
    x: tensor2d([0, 0, 1, -1, 2, -2, 3, -3, 4, -4], [5, 2]),
    labels: tensor1d(labelArray, 'int32'),
    labelArray,
  };
}
const free = (...sets: (MnistTensors | null)[]) => {
  for (const s of sets) if (s) dispose([s.x, s.labels]);
};

describe('distill data', () => {
  it('reads the first MNIST training images scaled to [0, 1] with their labels', () => {
    const m = loadMnist('train', 5);
    expect(m.x.shape).toEqual([5, 784]);
    // the first five labels of the MNIST training file
    expect(Array.from(m.labelArray)).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(m.labels.dataSync())).toEqual([5, 0, 4, 1, 9]);
    const v = m.x.dataSync();
    expect(Math.min(...v)).toBe(0);
    expect(Math.max(...v)).toBe(1);
    free(m);
  });

  it('takes rows, leaves a class out and splits off the last examples, each as new tensors', () => {
    const d = five();
    const tensors = memory().numTensors;
    const picked = rowsOf(d, Int32Array.from([4, 1]));
    expect(Array.from(picked.x.dataSync())).toEqual([4, -4, 1, -1]);
    expect(Array.from(picked.labelArray)).toEqual([1, 1]);
    const no1 = withoutClass(d, 1);
    expect(Array.from(no1.x.dataSync())).toEqual([0, 0, 2, -2, 3, -3]);
    expect(Array.from(no1.labels.dataSync())).toEqual([0, 2, 0]);
    const [first, last] = splitLast(d, 2);
    expect(Array.from(first.labelArray)).toEqual([0, 1, 2]);
    expect(Array.from(last!.x.dataSync())).toEqual([3, -3, 4, -4]);
    free(picked, no1, first, last);
    expect(memory().numTensors).toBe(tensors);
    const [same, none] = splitLast(d, 0);
    expect(same).toBe(d);
    expect(none).toBeNull();
    expect(() => splitLast(d, 5)).toThrow(
      /splitLast: 5 held-out examples must be a whole number below the 5/,
    );
    expect(() => splitLast(d, 1.5)).toThrow(/splitLast/);
    free(d);
  });
});
