import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kl, pearson, reverseKl, totalVariation } from './f-divergence.js';
import { fDivergenceDiscrete, fDivergenceFromLogRatios, variationalBound } from './variational.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('variationalBound', () => {
  it('is mean g_f(v_P) - mean f*(g_f(v_Q)) (KL: g = identity, f*(t) = e^(t - 1)), one tensor left', () => {
    const before = tf.memory().numTensors;
    const onP = tf.tensor1d([0, 1]);
    const onQ = tf.tensor1d([1, 2]);
    const b = variationalBound(kl(), onP, onQ);
    expect(b.shape).toEqual([]);
    expect(b.dataSync()[0]).toBeCloseTo(0.5 - (1 + Math.E) / 2, 5);
    tf.dispose([onP, onQ, b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("equals D_f at the optimal critic f'(p/q)", () => {
    // p = (3/4, 1/4) and q = (1/4, 3/4) on two points {a, b}, as batches with those frequencies
    const va = Math.log(3) + 1;
    const vb = Math.log(1 / 3) + 1;
    const onP = tf.tensor1d([va, va, va, vb]);
    const onQ = tf.tensor1d([va, vb, vb, vb]);
    const b = variationalBound(kl(), onP, onQ);
    // KL = 3/4 log 3 + 1/4 log(1/3) = log(3) / 2
    expect(b.dataSync()[0]).toBeCloseTo(Math.log(3) / 2, 5);
    tf.dispose([onP, onQ, b]);
  });
});

describe('fDivergenceDiscrete', () => {
  it('sums q f(p/q): hand-computed total variation, Pearson and KL', () => {
    expect(fDivergenceDiscrete(totalVariation(), [1, 0], [0.5, 0.5])).toBeCloseTo(0.5, 12);
    expect(fDivergenceDiscrete(pearson(), [1, 0], [0.5, 0.5])).toBeCloseTo(1, 12);
    expect(fDivergenceDiscrete(kl(), [0.75, 0.25], [0.25, 0.75])).toBeCloseTo(Math.log(3) / 2, 12);
    expect(fDivergenceDiscrete(kl(), [0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
  });

  it('rejects mismatched lengths, q = 0 and non-distributions, naming the argument and index', () => {
    expect(() => fDivergenceDiscrete(kl(), [0.5, 0.5], [1 / 3, 1 / 3, 1 / 3])).toThrow(
      new RangeError('p has 2 entries but q has 3'),
    );
    expect(() => fDivergenceDiscrete(pearson(), [0.5, 0.5], [1, 0])).toThrow(
      new RangeError('q[1] = 0: this form needs q > 0 everywhere'),
    );
    expect(() => fDivergenceDiscrete(kl(), [0.5, 0.6], [0.5, 0.5])).toThrow(/^p sums to 1\.1/);
    expect(() => fDivergenceDiscrete(kl(), [0.5, 0.5], [1.5, -0.5])).toThrow(
      /^q\[1\] = -0\.5 is negative mass/,
    );
  });

  it('accepts sums within the tolerance it is given', () => {
    expect(fDivergenceDiscrete(pearson(), [0.55, 0.5], [0.5, 0.5], 0.1)).toBeCloseTo(0.005, 12);
    expect(() => fDivergenceDiscrete(pearson(), [0.55, 0.5], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('fDivergenceFromLogRatios', () => {
  it('is the mean of f(p/q) from log ratios: KL and reverse KL by hand, one tensor left', () => {
    const before = tf.memory().numTensors;
    const l = tf.tensor1d([0, Math.log(2)]);
    const forward = fDivergenceFromLogRatios(kl(), l);
    const reverse = fDivergenceFromLogRatios(reverseKl(), l);
    expect(forward.shape).toEqual([]);
    // KL: mean(e^l l) = (0 + 2 log 2) / 2; reverse KL: mean(-l) = -log(2) / 2
    expect(forward.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    expect(reverse.dataSync()[0]).toBeCloseTo(-Math.log(2) / 2, 5);
    tf.dispose([l, forward, reverse]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
