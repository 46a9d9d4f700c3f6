// SparseDense on a hand-written layer: y = x W + b (relu) on the kernel and in JavaScript, its
// refusals naming the layer, and the states around dispose (sparse.test.ts compares it with Dense
// on random pruned weights).
import { Dense, initBackend, Rng } from '@lab/core';
import { dispose, memory, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrFromDense } from './csr.js';
import { SparseDense } from './sparse-dense.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// W [in 3, out 2] = [[1, 0], [0, -2], [3, 0]]; stored as the CSR of W^T [2, 3]
const W = Float32Array.from([1, 0, 0, -2, 3, 0]);
const weightT = () => csrFromDense(W, 3, 2, { transpose: true });
const bias = Float32Array.from([0.5, 1]);
// x = [[1, 1, 1], [2, 0, -1]]: x W = [[4, -2], [-1, 0]]
const X = Float32Array.from([1, 1, 1, 2, 0, -1]);

describe('SparseDense', () => {
  for (const javascript of [false, true])
    it(`computes x W + b, then relu when asked (${javascript ? 'JavaScript' : 'kernel'})`, () => {
      const layer = new SparseDense(weightT(), bias, { javascript });
      expect([layer.inFeatures, layer.outFeatures, layer.usesKernel]).toEqual([3, 2, !javascript]);
      expect(Array.from(layer.run(X, 2))).toEqual([4.5, -1, -0.5, 1]);
      const relu = new SparseDense(weightT(), bias, { javascript, relu: true });
      expect(Array.from(relu.run(X, 2))).toEqual([4.5, 0, 0, 1]);
      const noBias = new SparseDense(weightT(), undefined, { javascript });
      expect(Array.from(noBias.run(X, 2))).toEqual([4, -2, -1, 0]);
      expect(noBias.run(new Float32Array(0), 0)).toHaveLength(0);
      for (const l of [layer, relu, noBias]) l.dispose();
    });

  it('forward makes one tensor and nothing else', () => {
    const layer = new SparseDense(weightT(), bias);
    const x = tensor2d(X, [2, 3]);
    const before = memory().numTensors;
    const y = layer.forward(x);
    expect(memory().numTensors).toBe(before + 1);
    expect([y.shape, y.dtype]).toEqual([[2, 2], 'float32']);
    expect(Array.from(y.dataSync())).toEqual([4.5, -1, -0.5, 1]);
    dispose([x, y]);
    layer.dispose();
  });

  it('refuses a bias, a matrix or inputs that do not fit, naming the layer', () => {
    expect(() => new SparseDense(weightT(), Float32Array.from([1, 2, 3]))).toThrow(
      /SparseDense: bias has 3 values for 2 outputs/,
    );
    expect(() => new SparseDense({ ...weightT(), rowPtr: Int32Array.from([0, 1]) })).toThrow(
      /SparseDense: weightT: rowPtr must have 3 offsets/,
    );
    const layer = new SparseDense(weightT(), undefined, { name: 'fc2' });
    expect(() => layer.run(new Float32Array(5), 2)).toThrow(/fc2: 5 inputs for 2 x 3/);
    const x = tensor2d(new Float32Array(4), [2, 2]);
    expect(() => layer.forward(x)).toThrow(/fc2.*\[batch, 3\]/);
    x.dispose();
    layer.dispose();
    expect(() => layer.run(X, 2)).toThrow(/fc2: used after dispose\(\)/);
    expect(layer.usesKernel).toBe(false);
  });

  it('fromDense stores only the non-zeros and keeps a missing bias missing', () => {
    const dense = new Dense(3, 2, { bias: false, rng: new Rng(1), kernelInit: () => tensor2d(W, [3, 2]) });
    const layer = SparseDense.fromDense(dense);
    expect(layer.sparsity).toBeCloseTo(0.5, 12);
    expect(layer.bias).toBeUndefined();
    expect(Array.from(layer.run(X, 2))).toEqual([4, -2, -1, 0]);
    layer.dispose();
    dense.dispose();
  });
});
