import { describe, expect, it } from 'vitest';
import { criticIterations, WGAN_DEFAULTS, WGAN_GP_DEFAULTS } from './paper-defaults.js';

describe("the WGAN papers' settings", () => {
  it('critic schedules', () => {
    expect(criticIterations(3)).toBe(5);
    expect(criticIterations(3, { nCritic: 2 })).toBe(2);
    expect([0, 24, 25, 500, 501].map((g) => criticIterations(g, { schedule: 'reference' }))).toEqual([
      100, 100, 5, 100, 5,
    ]);
  });
  it("the papers' Algorithm 1 hyperparameters", () => {
    expect(WGAN_DEFAULTS).toMatchObject({ clip: 0.01, learningRate: 5e-5, optimizer: 'rmsprop', nCritic: 5 });
    expect(WGAN_GP_DEFAULTS).toMatchObject({ lambda: 10, learningRate: 1e-4, b1: 0, b2: 0.9, nCritic: 5 });
  });
});
