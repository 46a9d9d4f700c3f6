// KroneckerDense against x W + b with W = sum_r A_r (x) B_r built here entry by entry, its refusals
// and its bookkeeping (the factorisation itself is kronecker.test.ts's concern).
import { Dense, initBackend, Rng } from '@lab/core';
import { dispose, memory, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../test-helpers.js';
import { KroneckerDense, kroneckerDense } from './kronecker-dense.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const shape = { m1: 2, n1: 3, m2: 3, n2: 2 }; // W is [6, 6]

/** W[i m2 + k, j n2 + l] = sum_r A_r[i, j] B_r[k, l], row-major [m1 m2, n1 n2]. */
function weightOf(a: Float64Array[], b: Float64Array[]): Float64Array {
  const { m1, n1, m2, n2 } = shape;
  const w = new Float64Array(m1 * m2 * n1 * n2);
  for (let r = 0; r < a.length; r++)
    for (let i = 0; i < m1; i++)
      for (let j = 0; j < n1; j++)
        for (let k = 0; k < m2; k++)
          for (let l = 0; l < n2; l++)
            w[(i * m2 + k) * n1 * n2 + j * n2 + l]! += a[r]![i * n1 + j]! * b[r]![k * n2 + l]!;
  return w;
}

function xw(x: Float32Array, batch: number, w: Float64Array, bias?: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let s = 0; s < batch; s++)
    for (let c = 0; c < 6; c++) {
      let acc = bias ? bias[c]! : 0;
      for (let r = 0; r < 6; r++) acc += x[s * 6 + r]! * w[r * 6 + c]!;
      out.push(acc);
    }
  return out;
}

const f64 = (n: number, seed: number) => Float64Array.from(normals(n, seed));

describe('KroneckerDense', () => {
  it('computes x (sum_r A_r (x) B_r) without a bias, for one and several examples, leaking nothing', () => {
    const a = [f64(6, 1), f64(6, 2)];
    const b = [f64(6, 3), f64(6, 4)];
    const layer = new KroneckerDense(shape, { a, b });
    expect([layer.inFeatures, layer.outFeatures, layer.terms, layer.bias]).toEqual([6, 6, 2, undefined]);
    const w = weightOf(a, b);
    for (const batch of [1, 3]) {
      const xs = normals(6 * batch, 10 + batch);
      const x = tensor2d(xs, [batch, 6]);
      const before = memory().numTensors;
      const y = layer.forward(x);
      expect(memory().numTensors).toBe(before + 1);
      expect(y.shape).toEqual([batch, 6]);
      const expected = xw(xs, batch, w);
      const got = y.dataSync();
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 4);
      dispose([x, y]);
    }
    expect(layer.storedParameters()).toBe(2 * (6 + 6));
    layer.dispose();
  });

  it('adds the bias after the product', () => {
    const a = [f64(6, 5)];
    const b = [f64(6, 6)];
    const bias = [1, -2, 3, -4, 5, -6];
    const layer = new KroneckerDense(shape, { a, b, bias });
    const xs = normals(12, 7);
    const x = tensor2d(xs, [2, 6]);
    const y = layer.forward(x);
    const expected = xw(xs, 2, weightOf(a, b), bias);
    y.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 4);
    });
    expect(layer.storedParameters()).toBe(6 + 6 + 6);
    dispose([x, y]);
    layer.dispose();
  });

  it('refuses mismatched factors and bias, naming the factor and the layer', () => {
    const a = [f64(6, 1)];
    expect(() => new KroneckerDense(shape, { a: [], b: [] }, 'k')).toThrow(
      /k: need as many A as B factors \(at least one\), got 0 and 0/,
    );
    expect(() => new KroneckerDense(shape, { a, b: [f64(6, 2), f64(6, 3)] })).toThrow(/got 1 and 2/);
    expect(
      () => new KroneckerDense(shape, { a: [f64(6, 1), f64(5, 2)], b: [f64(6, 3), f64(6, 4)] }, 'k'),
    ).toThrow(/k: a\[1\] has 5 entries, expected 6/);
    expect(() => new KroneckerDense(shape, { a, b: [f64(7, 2)] })).toThrow(
      /b\[0\] has 7 entries, expected 6/,
    );
    expect(() => new KroneckerDense(shape, { a, b: a, bias: [1, 2] })).toThrow(
      /bias has 2 entries, expected 6/,
    );
    const layer = new KroneckerDense(shape, { a, b: a });
    const x = tensor2d(normals(5, 1), [1, 5]);
    expect(() => layer.forward(x)).toThrow(/input/);
    dispose(x);
    layer.dispose();
  });
});

describe('kroneckerDense', () => {
  it('recovers a Dense weight that is a sum of two Kronecker products, and keeps no bias it lacks', () => {
    const a = [f64(6, 21), f64(6, 22)];
    const b = [f64(6, 23), f64(6, 24)];
    const w = weightOf(a, b);
    const dense = new Dense(6, 6, {
      bias: false,
      name: 'fc',
      kernelInit: () => tensor2d(Float32Array.from(w), [6, 6]),
    });
    const k = kroneckerDense(dense, shape, 2);
    expect([k.name, k.terms, k.bias]).toEqual(['fc.kron2', 2, undefined]);
    const xs = normals(12, 30);
    const x = tensor2d(xs, [2, 6]);
    const y = k.forward(x);
    const expected = xw(xs, 2, w);
    y.dataSync().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 3);
    });
    expect(() => kroneckerDense(dense, { m1: 3, n1: 3, m2: 3, n2: 2 })).toThrow(
      /\[3 x 3, 3 x 2\] does not match the layer's \[6, 6\]/,
    );
    dispose([x, y]);
    k.dispose();
    dense.dispose();
  });

  it("copies the Dense layer's bias, leaving the layer as it was", () => {
    const dense = new Dense(6, 6, { rng: new Rng(3) });
    const before = Array.from(dense.weight.dataSync());
    const k = kroneckerDense(dense, shape, 1);
    expect(Array.from(k.bias!.dataSync())).toEqual(Array.from(dense.bias!.dataSync()));
    expect(Array.from(dense.weight.dataSync())).toEqual(before);
    k.dispose();
    dense.dispose();
  });
});
