import { initBackend } from '@lab/core';
import { dispose, memory, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorData } from './batch-loop.js';
import { jitteredData } from './jitter.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// 3x3 flat images lit at the centre (index 4), their labels 0..n-1
function centres(n: number) {
  const row = [0, 0, 0, 0, 1, 0, 0, 0, 0];
  return {
    x: tensor2d(Array.from({ length: n }, () => row).flat(), [n, 9]),
    labels: tensor1d(
      Array.from({ length: n }, (_, i) => i),
      'int32',
    ),
  };
}

describe('jitteredData', () => {
  it('shifts each flat image by at most maxShift, keeps shape and labels, draws afresh per batch', () => {
    const { x, labels } = centres(40);
    const data = jitteredData(tensorData(x, labels), { maxShift: 1, height: 3, width: 3, seed: 2 });
    expect(data.count).toBe(40);
    const all = Int32Array.from({ length: 40 }, (_, i) => i);
    const tensors = memory().numTensors;
    const a = data.batch(all);
    const b = data.batch(all);
    expect(a.x.shape).toEqual([40, 9]);
    expect(Array.from(a.labels.dataSync())).toEqual(Array.from(all));
    const places = (t: Float32Array | Int32Array | Uint8Array) =>
      Array.from({ length: 40 }, (_, i) => Array.from(t.slice(i * 9, (i + 1) * 9)).indexOf(1));
    const pa = places(a.x.dataSync());
    // a shift of at most 1 from the centre of a 3x3 image keeps the lit pixel inside: each image one 1
    expect(pa.every((p) => p >= 0)).toBe(true);
    expect(new Set(pa).size).toBeGreaterThan(4);
    expect(places(b.x.dataSync())).not.toEqual(pa);
    dispose([a.x, a.labels, b.x, b.labels]);
    expect(memory().numTensors).toBe(tensors);
    dispose([x, labels]);
  });

  it('gives the data back at maxShift 0 and refuses bad sizes, naming the option', () => {
    const { x, labels } = centres(2);
    const data = tensorData(x, labels);
    expect(jitteredData(data, { maxShift: 0, height: 3, width: 3 })).toBe(data);
    expect(() => jitteredData(data, { maxShift: -1, height: 3, width: 3 })).toThrow(
      /jitteredData: maxShift must be a whole number >= 0, got -1/,
    );
    expect(() => jitteredData(data, { maxShift: 1, height: 0, width: 3 })).toThrow(/jitteredData: height/);
    const wrong = jitteredData(data, { maxShift: 1, height: 2, width: 2 });
    const tensors = memory().numTensors;
    expect(() => wrong.batch(Int32Array.from([0]))).toThrow(
      /jitteredData: images of \[9\] \(9 values\) are not 2x2x1/,
    );
    expect(memory().numTensors).toBe(tensors);
    dispose([x, labels]);
  });
});
