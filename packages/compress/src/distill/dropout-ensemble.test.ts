import { Dense, Dropout, initBackend, Rng, Sequential } from '@lab/core';
import { dispose, memory, tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropoutEnsembleErrors } from './dropout-ensemble.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** One input unit, dropout 0.5 on it, then a 1 -> 2 layer with W = [[1, -1]] and b = [0, 0]. */
function signNet() {
  const dense = new Dense(1, 2, { rng: new Rng(1) });
  const w = tensor2d([1, -1], [1, 2]);
  const b = tensor1d([0, 0]);
  dense.weight.assign(w);
  dense.bias!.assign(b);
  dispose([w, b]);
  return new Sequential([new Dropout(0.5, { rng: new Rng(4) }), dense]);
}

describe('dropoutEnsembleErrors', () => {
  it('counts the weight-scaled net and the averages of k sub-networks, checked by hand', () => {
    // x = +1 with label 0, x = -1 with label 1: the weight-scaled net (logits (x, -x)) is always right.
    // A sub-network keeps the input (scaled by 2) or drops it (logits (0, 0): a tie, class 0 by argmax).
    // So a sampled sub-network is never wrong on label 0, and wrong on label 1 exactly when it drops x;
    // an average of probabilities is wrong on label 1 only when every one of its k masks dropped x.
    const n = 400;
    const x = tensor2d(
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1)),
      [n, 1],
    );
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const net = signNet();
    net.eval();
    const tensors = memory().numTensors;
    const rows = dropoutEnsembleErrors(net, x, labels, { ks: [1, 10], batchSize: 64 });
    expect(memory().numTensors).toBe(tensors);
    expect(rows.map((r) => r.k)).toEqual([0, 1, 10]);
    expect(rows[0]).toEqual({ k: 0, errors: 0, errorRate: 0 });
    // k = 1: about half of the 200 label-1 rows; k = 10: 200 / 2^10, almost surely 0 or 1
    expect(rows[1]!.errors).toBeGreaterThan(60);
    expect(rows[1]!.errors).toBeLessThan(140);
    expect(rows[1]!.errorRate).toBe(rows[1]!.errors / n);
    expect(rows[2]!.errors).toBeLessThanOrEqual(2);
    // sampling switched it to training mode; the mode it had comes back
    expect(net.training).toBe(false);
    dispose(x);
    net.dispose();
  });

  it('refuses ks that are not increasing whole numbers, a bad space and a label count that is not n', () => {
    const x = tensor2d([1, -1], [2, 1]);
    const net = signNet();
    expect(() => dropoutEnsembleErrors(net, x, [0, 1], { ks: [] })).toThrow(/ks must be increasing/);
    expect(() => dropoutEnsembleErrors(net, x, [0, 1], { ks: [0] })).toThrow(/ks must be increasing/);
    expect(() => dropoutEnsembleErrors(net, x, [0, 1], { ks: [2, 2] })).toThrow(/ks must be increasing/);
    expect(() => dropoutEnsembleErrors(net, x, [0, 1], { space: 'median' as 'logits' })).toThrow(/space/);
    expect(() => dropoutEnsembleErrors(net, x, [0], { ks: [1] })).toThrow(
      /dropoutEnsembleErrors: 1 labels for 2 inputs/,
    );
    dispose(x);
    net.dispose();
  });
});
