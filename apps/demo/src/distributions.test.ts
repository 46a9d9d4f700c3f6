// distributions.ts's edge cases beyond divergence-table.test.ts: clamped parameters, swapped uniform
// bounds, bins outside the range, and what the floor does.
import { describe, expect, it } from 'vitest';
import { fromFamily, normalise, setBin } from './distributions.js';

const sum = (p: ArrayLike<number>) => Array.from(p).reduce((a, b) => a + b, 0);

describe('normalise', () => {
  it('raises every weight below the floor to it before dividing by the total', () => {
    const p = normalise([3, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1], 1);
    // 3, 1, 1, 1, 1, 1 (1 is not above the floor: it stays 1) over 8
    expect(Array.from(p)).toEqual([3 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8, 1 / 8]);
  });
});

describe('fromFamily', () => {
  it('puts a uniform on lo..hi inclusive, whichever way round they are given', () => {
    const a = fromFamily({ kind: 'uniform', lo: 2, hi: 4 }, { bins: 6, floor: 0 });
    const b = fromFamily({ kind: 'uniform', lo: 4, hi: 2 }, { bins: 6, floor: 0 });
    expect(Array.from(a)).toEqual([0, 0, 1 / 3, 1 / 3, 1 / 3, 0]);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('clamps a Gaussian sd to 0.05 (a point mass, not a NaN) and a bimodal weight to [0, 1]', () => {
    const g = fromFamily({ kind: 'gaussian', mean: 3, sd: 0 }, { bins: 5, floor: 0 });
    expect(g[3]).toBeCloseTo(1, 12);
    expect(sum(g)).toBeCloseTo(1, 12);
    const heavy = fromFamily({ kind: 'bimodal', mean1: 1, mean2: 6, sd: 0.5, weight: 7 }, { bins: 8 });
    const one = fromFamily({ kind: 'bimodal', mean1: 1, mean2: 6, sd: 0.5, weight: 1 }, { bins: 8 });
    expect(Array.from(heavy)).toEqual(Array.from(one));
    expect(one[1]!).toBeGreaterThan(100 * one[6]!);
  });

  it('gives the uniform distribution when the family has no mass on the bins', () => {
    const far = fromFamily({ kind: 'uniform', lo: 20, hi: 30 }, { bins: 4 });
    expect(Array.from(far)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('setBin', () => {
  it('returns an unchanged copy for a bin outside the range', () => {
    const p = Float64Array.of(0.5, 0.5);
    for (const i of [-1, 2, 99]) {
      const q = setBin(p, i, 1);
      expect(Array.from(q)).toEqual([0.5, 0.5]);
      expect(q).not.toBe(p);
    }
  });

  it('clamps the value to [0, 1] and renormalises', () => {
    expect(Array.from(setBin([0.25, 0.75], 0, 5, 0))).toEqual([1 / 1.75, 0.75 / 1.75]);
    expect(Array.from(setBin([0.25, 0.75], 1, -3, 0.25))).toEqual([0.5, 0.5]);
  });
});
