import { describe, expect, it } from 'vitest';
import { jsDivergence, klDivergence } from './index.js';

describe('discrete KL and JS', () => {
  it('matches hand-computed values', () => {
    const p = [0.5, 0.5];
    const q = [0.9, 0.1];
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1), 12);
    expect(klDivergence(p, p)).toBe(0);
  });
  it('JS is log 2 for disjoint supports (the GAN saturation case) and symmetric', () => {
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(Math.LN2, 12);
    expect(jsDivergence([0.2, 0.8], [0.6, 0.4])).toBeCloseTo(jsDivergence([0.6, 0.4], [0.2, 0.8]), 14);
  });
  it('is infinite, or throws by option, where q has no mass under p', () => {
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Number.POSITIVE_INFINITY);
    expect(() => klDivergence([0.5, 0.5], [1, 0], { onInfinite: 'throw' })).toThrow(/q\[1\] = 0/);
  });
  it('rejects bad input with the argument named', () => {
    expect(() => klDivergence([0.5, 0.6], [0.5, 0.5])).toThrow(/p sums to 1.1/);
    expect(() => klDivergence([0.5, 0.5], [1.5, -0.5])).toThrow(/q\[1\] = -0.5 is negative/);
    expect(() => klDivergence([Number.NaN, 1], [0.5, 0.5])).toThrow(/p\[0\] is NaN/);
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow(/p has 1 entries but q has 2/);
  });
});
