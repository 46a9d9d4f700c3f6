import { Dense, initBackend, Sequential } from '@lab/core';
import { dispose, memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../test-helpers.js';
import { magnitudeMasks, pruneWeights, sparsityMask, sparsityOf, standardDeviation } from './magnitude.js';
import { prunableWeights } from './weights.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('magnitude pruning', () => {
  it("uses Han's threshold quality x std of the layer and keeps exactly |w| > threshold", () => {
    const w = normals(1000, 3);
    const std = standardDeviation(w);
    const { mask, threshold } = magnitudeMasks({ a: w }, { kind: 'quality', quality: 0.7 }).a!;
    expect(threshold).toBeCloseTo(0.7 * std, 12);
    for (let i = 0; i < w.length; i++) expect(mask[i]).toBe(Math.abs(w[i]!) > threshold ? 1 : 0);
    // for a normal layer about erf(0.7 / sqrt 2) = 52% of the weights fall below 0.7 std
    const pruned = 1 - mask.reduce((a, b) => a + b, 0) / w.length;
    expect(pruned).toBeGreaterThan(0.45);
    expect(pruned).toBeLessThan(0.6);
  });

  it('reaches a target sparsity exactly, also with ties', () => {
    const w = Float32Array.from([0, 0, 0, 1, -1, 2, 0.5, -0.5, 3, 0]);
    const m = sparsityMask(w, 0.6);
    expect(m.reduce((a, b) => a + b, 0)).toBe(4);
    // the four kept are the largest magnitudes: 3, 2 and two of the |1|
    expect(m[8]).toBe(1);
    expect(m[5]).toBe(1);
    expect(m[3]! + m[4]!).toBe(2);
  });

  it('global pruning ranks all layers together, so the layer of small weights loses more', () => {
    const small = normals(500, 4, 0.1);
    const large = normals(500, 5, 1);
    const masks = magnitudeMasks({ small, large }, { kind: 'global', sparsity: 0.5 });
    const kept = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    expect(kept(masks.small!.mask) + kept(masks.large!.mask)).toBe(500);
    expect(kept(masks.small!.mask)).toBeLessThan(100);
    expect(masks.small!.threshold).toBe(masks.large!.threshold);
  });

  it('prunes variables to +0, returns masks, and keeps earlier pruning', () => {
    const before = memory().numTensors;
    const model = new Sequential([new Dense(10, 20, { name: 'a' }), new Dense(20, 5, { name: 'b' })]);
    const weights = prunableWeights(model);
    expect(Object.keys(weights)).toEqual(['0.weight', '1.weight']);
    const first = pruneWeights(weights, { kind: 'sparsity', sparsity: 0.5 });
    expect(first.rows.map((r) => r.sparsity)).toEqual([0.5, 0.5]);
    const w0 = weights['0.weight']!.dataSync();
    const m0 = first.masks['0.weight']!.dataSync();
    for (let i = 0; i < w0.length; i++) if (m0[i] === 0) expect(Object.is(w0[i], 0)).toBe(true);
    // a second round with a quality criterion that alone would prune less still keeps the first zeros
    const second = pruneWeights(weights, { kind: 'quality', quality: 0.1 }, first.masks);
    const m1 = second.masks['0.weight']!.dataSync();
    for (let i = 0; i < m0.length; i++) if (m0[i] === 0) expect(m1[i]).toBe(0);
    expect(sparsityOf(weights).perLayer['0.weight']).toBeGreaterThanOrEqual(0.5);
    dispose([...Object.values(first.masks), ...Object.values(second.masks)]);
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('rejects bad criteria', () => {
    expect(() => sparsityMask([1, 2], 1.5)).toThrow(/sparsity/);
    expect(() => magnitudeMasks({ a: [1] }, { kind: 'quality', quality: -1 })).toThrow(/quality/);
    expect(() => magnitudeMasks({ a: [1] }, { kind: 'sparsity', sparsity: { b: 0.5 } })).toThrow(
      /no value for layer 'a'/,
    );
  });
});
