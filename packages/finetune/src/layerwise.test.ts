import { describe, expect, it } from 'vitest';
import { layerwiseLearningRates } from './index.js';

describe('layerwiseLearningRates', () => {
  it('decays geometrically from the top layer down', () => {
    const r = layerwiseLearningRates(1e-3, 3, 0.5);
    expect(r).toEqual([0.25e-3, 0.5e-3, 1e-3]);
    expect(layerwiseLearningRates(0.01, 4)[3]).toBe(0.01);
  });
  it('rejects bad arguments', () => {
    expect(() => layerwiseLearningRates(0, 3)).toThrow(/positive/);
    expect(() => layerwiseLearningRates(1, 2.5)).toThrow(/layers/);
    expect(() => layerwiseLearningRates(1, 2, 1.5)).toThrow(/decay/);
  });
});
