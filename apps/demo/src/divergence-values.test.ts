// The explorer's numbers against values worked out here: |i - j| costs, the earth mover's distance of
// shifted and split masses, KL from its definition, Sinkhorn's entropic cost above the exact one and
// near it for a small epsilon, and the display precision.
import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { divergenceTable } from './divergence-table.js';
import { binCost, divergenceValues, entropicWasserstein, showValue } from './divergence-values.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('divergence values', () => {
  it('costs |i - j| between bins', () => {
    expect(binCost(3)).toEqual([
      [0, 1, 2],
      [1, 0, 1],
      [2, 1, 0],
    ]);
    expect(binCost(0)).toEqual([]);
  });

  it("gives the exact W1 of moved mass and each f-divergence's value; KL from its definition", () => {
    const before = tf.memory().numTensors;
    // floored as the page's distributions are, which keeps every f-divergence finite
    const pf = [0.49, 0.49, 0.01, 0.01];
    const qf = [0.01, 0.01, 0.49, 0.49];
    const v = divergenceValues(divergenceTable(), pf, qf);
    // W1 on a line is the sum of |CDF_P - CDF_Q| over the bins: 0.48 + 0.96 + 0.48 + 0
    expect(v.wasserstein).toBeCloseTo(1.92, 6);
    const kl = pf.reduce((a, x, i) => a + x * Math.log(x / qf[i]!), 0);
    expect(v.fDivergences.find((d) => d.name === 'KL')!.value).toBeCloseTo(kl, 5);
    expect(v.fDivergences.map((d) => d.name)).toEqual(divergenceTable().map((e) => e.div.name));
    expect(v.sinkhornEpsilon).toBe(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has an entropic cost at least the exact one, approaching it as epsilon shrinks', () => {
    const p = [0.7, 0.1, 0.1, 0.1];
    const q = [0.1, 0.1, 0.1, 0.7];
    const exact = divergenceValues([], p, q).wasserstein; // 0.6 moves 3 bins
    expect(exact).toBeCloseTo(1.8, 6);
    const loose = entropicWasserstein(p, q, 2);
    const tight = entropicWasserstein(p, q, 0.05);
    expect(loose).toBeGreaterThanOrEqual(exact - 1e-4);
    expect(tight).toBeGreaterThanOrEqual(exact - 1e-4);
    expect(tight - exact).toBeLessThan(loose - exact);
    expect(tight - exact).toBeLessThan(0.05);
  });

  it('shows four significant digits, and infinities and NaN as words', () => {
    expect(showValue(1 / 3)).toBe('0.3333');
    expect(showValue(12345.6)).toBe('1.235e+4');
    expect(showValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(showValue(Number.NaN)).toBe('NaN');
  });
});
