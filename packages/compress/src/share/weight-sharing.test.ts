import { Dense, initBackend, Optimizer, Rng, Sequential, sgd } from '@lab/core';
import { dispose, memory, tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneWeights } from '../prune/magnitude.js';
import { prunableWeights } from '../prune/weights.js';
import { clusterGradientSums, SharedWeights } from './weight-sharing.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const distinctNonZero = (d: ArrayLike<number>) => new Set(Array.from(d).filter((v) => v !== 0)).size;

describe('weight sharing', () => {
  it('sums gradients per cluster and skips pruned weights', () => {
    const sums = clusterGradientSums([1, 2, 3, 4, 5], Int32Array.from([0, 1, -1, 0, 1]), 3);
    expect(Array.from(sums)).toEqual([5, 7, 0]);
    expect(() => clusterGradientSums([1], Int32Array.from([0, 0]), 1)).toThrow(/gradients/);
  });

  it('shares the non-zero weights of each layer, keeps zeros, and fine-tunes centroids exactly', () => {
    const model = new Sequential([
      new Dense(20, 30, { rng: new Rng(4) }),
      new Dense(30, 5, { rng: new Rng(5) }),
    ]);
    const weights = prunableWeights(model);
    const { masks } = pruneWeights(weights, { kind: 'sparsity', sparsity: 0.6 });
    const before = memory().numTensors;
    const shared = new SharedWeights(weights, { bits: { '0.weight': 4, '1.weight': 2 }, init: 'density' });
    const w0 = weights['0.weight']!.dataSync();
    expect(distinctNonZero(w0)).toBeLessThanOrEqual(15);
    expect(distinctNonZero(weights['1.weight']!.dataSync())).toBeLessThanOrEqual(3);
    const m0 = masks['0.weight']!.dataSync();
    const a0 = shared.assignments('0.weight');
    const c0 = shared.centroids['0.weight']!.dataSync().slice();
    for (let i = 0; i < w0.length; i++) {
      if (m0[i] === 0) {
        expect(Object.is(w0[i], 0)).toBe(true);
        expect(a0[i]).toBe(-1);
      } else expect(w0[i]).toBe(c0[a0[i]!]);
    }
    // one SGD step on the centroids with a constant gradient of 1: each centroid moves by lr x members
    const opt = new Optimizer(sgd(0.01), shared.centroids);
    const grads = {
      '0.weight': tensor(new Float32Array(600).fill(1), [20, 30]),
      '1.weight': tensor(new Float32Array(150).fill(1), [30, 5]),
    };
    shared.fineTuneStep(grads, opt);
    const members = new Array(c0.length).fill(0);
    for (const a of a0) if (a >= 0) members[a]++;
    const c1 = shared.centroids['0.weight']!.dataSync();
    for (let j = 0; j < c0.length; j++) expect(c1[j]).toBeCloseTo(c0[j]! - 0.01 * members[j], 5);
    const w1 = weights['0.weight']!.dataSync();
    for (let i = 0; i < w1.length; i++) expect(w1[i]).toBe(a0[i]! < 0 ? 0 : c1[a0[i]!]);
    opt.dispose();
    dispose(Object.values(grads));
    shared.dispose();
    expect(memory().numTensors).toBe(before);
    dispose(Object.values(masks));
    model.dispose();
  });

  it('rejects bad bit widths', () => {
    const model = new Dense(3, 3);
    expect(() => new SharedWeights({ w: model.weight }, { bits: 9 })).toThrow(/1\.\.8/);
    expect(() => new SharedWeights({ w: model.weight }, { bits: {} })).toThrow(/bits for 'w'/);
    model.dispose();
  });
});
