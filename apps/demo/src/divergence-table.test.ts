// The explorer's written-out f-GAN activations agree with the package's, and its distributions are
// probability vectors with every bin positive.
import { describe, expect, it } from 'vitest';
import { fromFamily, normalise, setBin } from './distributions.js';
import { activationLabel, divergenceTable } from './divergence-table.js';

const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
// each label, computed independently of @lab/divergences
const FORMULAS: Record<string, (v: number) => number> = {
  v: (v) => v,
  '−exp(−v)': (v) => -Math.exp(-v),
  '1 − exp(−v)': (v) => 1 - Math.exp(-v),
  '½ log 2 − ½ softplus(−v)': (v) => 0.5 * Math.LN2 - 0.5 * softplus(-v),
  '−softplus(−v)': (v) => -softplus(-v),
  '½ tanh(v)': (v) => 0.5 * Math.tanh(v),
  '2 (1 − exp(−v/2))': (v) => 2 * (1 - Math.exp(-v / 2)),
  'exp(v) − 1': (v) => Math.exp(v) - 1,
  '1 − softplus(−v)': (v) => 1 - softplus(-v),
};

describe('divergence table', () => {
  it("writes out each divergence's f-GAN activation as the package computes it", () => {
    for (const { div, activation } of divergenceTable()) {
      const derived = activation === activationLabel(div.domain) && !(activation in FORMULAS);
      for (const v of [-3, -0.7, 0, 0.4, 2.5]) {
        const got = div.activation(v);
        if (derived) {
          // dual and symmetrised: the label names the interval the activation maps onto
          expect(got, `${div.name} at ${v}`).toBeGreaterThanOrEqual(div.domain.lo);
          expect(got, `${div.name} at ${v}`).toBeLessThanOrEqual(div.domain.hi);
        } else {
          const formula = FORMULAS[activation];
          expect(formula, `${div.name}: no formula for '${activation}'`).toBeDefined();
          expect(got, `${div.name} at ${v}`).toBeCloseTo(formula!(v), 10);
        }
      }
    }
  });

  it('labels activations onto an interval as the package builds them', () => {
    expect(activationLabel({ lo: -1, hi: 1, loClosed: true, hiClosed: true })).toBe('-1 + 2 · sigmoid(v)');
    expect(activationLabel({ lo: -Infinity, hi: 1, loClosed: false, hiClosed: false })).toBe(
      '1 − softplus(−v)',
    );
    expect(activationLabel({ lo: 0, hi: Infinity, loClosed: false, hiClosed: false })).toBe(
      '0 + softplus(v)',
    );
  });

  it('lists every divergence once', () => {
    const names = divergenceTable().map((e) => e.div.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(15);
  });
});

describe('distributions', () => {
  const sum = (p: ArrayLike<number>) => Array.from(p).reduce((s, v) => s + v, 0);
  it('makes probability vectors with every bin positive from each family', () => {
    for (const f of [
      { kind: 'gaussian', mean: 3, sd: 1 },
      { kind: 'uniform', lo: 2, hi: 5 },
      { kind: 'bimodal', mean1: 2, mean2: 12, sd: 1, weight: 0.3 },
    ] as const) {
      const p = fromFamily(f, { bins: 16 });
      expect(p).toHaveLength(16);
      expect(sum(p)).toBeCloseTo(1, 12);
      expect(Math.min(...p)).toBeGreaterThan(0);
    }
    const u = fromFamily({ kind: 'uniform', lo: 2, hi: 5 }, { bins: 16 });
    expect(u[3]).toBeCloseTo(u[5]!, 12);
    expect(u[3]! / u[0]!).toBeCloseTo(1000, 6); // the floor is 1e-3 of the peak
  });

  it('sets a dragged bin and renormalises; junk weights fall to the floor', () => {
    const p = setBin(fromFamily({ kind: 'uniform', lo: 0, hi: 15 }), 4, 0.5);
    expect(sum(p)).toBeCloseTo(1, 12);
    expect(p[4]! / p[0]!).toBeCloseTo(0.5 / (1 / 16), 6);
    expect(Array.from(normalise([Number.NaN, -1, 2], 1e-3))).toEqual([1e-3 / 2.002, 1e-3 / 2.002, 2 / 2.002]);
  });
});
