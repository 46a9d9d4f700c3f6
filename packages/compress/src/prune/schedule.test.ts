import { describe, expect, it } from 'vitest';
import { constantSparsity, oneShot, polynomialDecay } from './schedule.js';

describe('pruning schedules', () => {
  it("polynomial decay follows TFMOT's formula", () => {
    const s = polynomialDecay({
      initialSparsity: 0.1,
      finalSparsity: 0.9,
      beginStep: 100,
      endStep: 500,
      frequency: 50,
    });
    expect(s.sparsityAt(0)).toBeCloseTo(0.1, 12);
    expect(s.sparsityAt(100)).toBeCloseTo(0.1, 12);
    expect(s.sparsityAt(300)).toBeCloseTo(0.9 + (0.1 - 0.9) * 0.5 ** 3, 12);
    expect(s.sparsityAt(500)).toBeCloseTo(0.9, 12);
    expect(s.sparsityAt(900)).toBeCloseTo(0.9, 12);
    const steps = Array.from({ length: 700 }, (_, i) => i).filter((i) => s.shouldPrune(i));
    expect(steps).toEqual([100, 150, 200, 250, 300, 350, 400, 450, 500]);
  });
  it('one-shot and constant schedules', () => {
    expect([0, 1, 2].map(oneShot(0.5, 1).shouldPrune)).toEqual([false, true, false]);
    const c = constantSparsity({ sparsity: 0.3, beginStep: 2, endStep: 6, frequency: 2 });
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].filter(c.shouldPrune)).toEqual([2, 4, 6]);
    expect(c.sparsityAt(4)).toBe(0.3);
  });
  it('rejects bad options', () => {
    expect(() =>
      polynomialDecay({ initialSparsity: 0, finalSparsity: 1.2, beginStep: 0, endStep: 9 }),
    ).toThrow(/finalSparsity/);
    expect(() =>
      polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 9, endStep: 9 }),
    ).toThrow(/endStep/);
    expect(() =>
      polynomialDecay({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 9, frequency: 0 }),
    ).toThrow(/frequency/);
    expect(() => oneShot(0.5, -1)).toThrow(/step/);
  });
});
