import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng.fillBernoulli', () => {
  it('draws as next() does: the same outcomes and the same state afterwards', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const out = new Float32Array(100000);
    a.fillBernoulli(out, 0.3, 5);
    let differ = 0;
    for (const v of out) if ((b.next() < 0.3 ? 5 : 0) !== v) differ++;
    // it compares 31 bits instead of 32: an outcome can differ only for a draw within 2^-31 of p
    expect(differ).toBe(0);
    expect(a.getState()).toEqual(b.getState());
    expect(out.filter((v) => v === 5).length / out.length).toBeCloseTo(0.3, 2);
  });
  it('p = 0 and p = 1 are exact; p outside [0, 1] is an error', () => {
    const out = new Float32Array(1000);
    new Rng(1).fillBernoulli(out, 1, 2);
    expect(out.every((v) => v === 2)).toBe(true);
    new Rng(1).fillBernoulli(out, 0, 2);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(() => new Rng(1).fillBernoulli(out, 1.5, 2)).toThrow(/p must be/);
    expect(() => new Rng(1).fillBernoulli(out, Number.NaN, 2)).toThrow(/p must be/);
  });
});
