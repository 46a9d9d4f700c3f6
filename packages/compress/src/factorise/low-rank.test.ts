// lowRankDense's two layers, its refusals and lowRankParameters, against hand-made low-rank weights.
import { Dense, initBackend, Rng } from '@lab/core';
import { dispose, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseSvd, lowRankDense, lowRankParameters } from './low-rank.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A [4, 3] weight of rank 1: u v^T. */
const u = [1, -2, 0.5, 3];
const v = [2, 1, -1];
const rankOne = Float32Array.from({ length: 12 }, (_, i) => u[Math.floor(i / 3)]! * v[i % 3]!);

describe('denseSvd', () => {
  it("decomposes the layer's [in, out] weight: one non-zero singular value for a rank-1 weight", () => {
    const dense = new Dense(4, 3, { kernelInit: () => tensor2d(rankOne, [4, 3]) });
    const d = denseSvd(dense);
    expect([d.m, d.n, d.k]).toEqual([4, 3, 3]);
    const norm = Math.hypot(...u) * Math.hypot(...v);
    expect(d.s[0]).toBeCloseTo(norm, 4);
    expect(Math.abs(d.s[1]!)).toBeLessThan(1e-4);
    dense.dispose();
  });
});

describe('lowRankDense', () => {
  it('at rank 1 reproduces a rank-1 layer exactly, with the bias on the second layer', () => {
    const dense = new Dense(4, 3, {
      name: 'fc',
      kernelInit: () => tensor2d(rankOne, [4, 3]),
      rng: new Rng(1),
    });
    const lr = lowRankDense(dense, 1);
    expect(lr.name).toBe('fc.rank1');
    expect(lr.layers.map((l) => l.name)).toEqual(['fc.u', 'fc.v']);
    const [first, second] = lr.layers as Dense[];
    expect([first!.weight.shape, first!.bias]).toEqual([[4, 1], undefined]);
    expect(second!.weight.shape).toEqual([1, 3]);
    expect(Array.from(second!.bias!.dataSync())).toEqual(Array.from(dense.bias!.dataSync()));
    const x = tensor2d([1, 0, 0, 0, 0.5, -1, 2, 1], [2, 4]);
    const a = dense.forward(x);
    const b = lr.forward(x);
    b.dataSync().forEach((y, i) => {
      expect(y).toBeCloseTo(a.dataSync()[i]!, 4);
    });
    expect(lr.paramCount()).toBe(lowRankParameters(4, 3, 1));
    dispose([x, a, b]);
    lr.dispose();
    dense.dispose();
  });

  it('has no bias where the layer has none, and refuses a decomposition of another shape', () => {
    const dense = new Dense(4, 3, { bias: false, rng: new Rng(2) });
    const lr = lowRankDense(dense, 2);
    expect((lr.layers[1] as Dense).bias).toBeUndefined();
    expect(lr.paramCount()).toBe(lowRankParameters(4, 3, 2, false));
    const other = new Dense(3, 4, { rng: new Rng(3) });
    expect(() => lowRankDense(dense, 1, denseSvd(other))).toThrow(
      /lowRankDense: the decomposition is of \[3, 4\], the layer \[4, 3\]/,
    );
    lr.dispose();
    dense.dispose();
    other.dispose();
  });
});

describe('lowRankParameters', () => {
  it('counts r (in + out) weights plus the bias', () => {
    expect(lowRankParameters(784, 300, 10)).toBe(10 * 1084 + 300);
    expect(lowRankParameters(784, 300, 10, false)).toBe(10840);
    expect(lowRankParameters(5, 7, 0)).toBe(7);
  });
});
