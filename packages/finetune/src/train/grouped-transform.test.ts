import { initBackend, sgd } from '@lab/core';
import { type Tensor, tensor1d, tidy } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { discriminativeTransform, partitionSkippingFrozen } from './grouped-transform.js';

const values = (t: Tensor) => Array.from(t.dataSync());

describe('grouped transforms', () => {
  beforeAll(() => initBackend({ backend: 'cpu', fallback: false }));

  it('discriminativeTransform: group i moves at rates[i], a schedule included', () => {
    tidy(() => {
      const groups = [['a'], ['b']];
      const t = discriminativeTransform(groups, [0.1, (step) => 2 / (step + 1)], (lr) => sgd(lr));
      const params = { 'a.w': tensor1d([0]), 'b.w': tensor1d([0]) };
      const grads = { 'a.w': tensor1d([1]), 'b.w': tensor1d([1]) };
      const s0 = t.init(params);
      const [u1, s1] = t.update(grads, s0, params);
      expect(values(u1['a.w']!)[0]).toBeCloseTo(-0.1, 6);
      expect(values(u1['b.w']!)).toEqual([-2]);
      const [u2] = t.update(grads, s1, params);
      expect(values(u2['b.w']!)).toEqual([-1]);
    });
  });

  it('discriminativeTransform refuses a rate count unlike the group count and bad rates, naming the rate', () => {
    const make = (lr: unknown) => sgd(lr as number);
    expect(() => discriminativeTransform([['a'], ['b']], [0.1], make)).toThrow(
      'discriminativeTransform: 2 groups but 1 rates',
    );
    for (const bad of [-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0.1'])
      expect(() => discriminativeTransform([['a'], ['b']], [0.1, bad as number], make)).toThrow(
        `discriminativeTransform: rate 1 must be a finite number >= 0 or a schedule, got ${String(bad)}`,
      );
    expect(() => discriminativeTransform([['a']], [0], make)).not.toThrow();
  });

  it('partitionSkippingFrozen: a whole group frozen is skipped, a partly frozen one refused', () => {
    tidy(() => {
      const groupOf = (k: string) => k.split('.')[0]!;
      const t = partitionSkippingFrozen({ a: sgd(1), b: sgd(1) }, groupOf);
      const params = { 'a.w': tensor1d([0]), 'a.b': tensor1d([0]), 'b.w': tensor1d([0]) };
      const s0 = t.init(params);
      const [u] = t.update({ 'b.w': tensor1d([3]) }, s0, params);
      expect(Object.keys(u)).toEqual(['b.w']);
      expect(() => t.update({ 'a.w': tensor1d([1]), 'b.w': tensor1d([1]) }, s0, params)).toThrow(
        'partitionSkippingFrozen: group a is partly frozen (no gradient for a.b); a group trains or freezes as a whole',
      );
      // without params there is nothing to compare with
      expect(() => t.update({ 'a.w': tensor1d([1]) }, s0)).not.toThrow();
      expect(() => t.update({ 'c.w': tensor1d([1]) }, s0, params)).toThrow(
        "partitionSkippingFrozen: parameter 'c.w' maps to unknown group 'c'",
      );
    });
  });
});
