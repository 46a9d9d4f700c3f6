import { join } from 'node:path';
import { findSharedData } from '@lab/core/testing';
import { describe, expect, it } from 'vitest';
import { adversarialReport } from './adversarial.js';

describe('lab gan adversarial', () => {
  it('a clean convnet collapses under FGSM at epsilon 0.3 while adversarial training resists', async () => {
    const r = await adversarialReport({
      data: join(findSharedData(), 'mnist'),
      epochs: 2,
      epsilon: 0.3,
      attack: 'fgsm',
      epsilons: [0, 0.3],
      pgdSteps: 5,
      limit: 4000,
      testLimit: 400,
      seed: 0,
      backend: 'wasm',
      quiet: true,
    });
    const { clean, adversarial } = r.models;
    expect(clean!.clean).toBeGreaterThan(0.8);
    expect(adversarial!.clean).toBeGreaterThan(0.75);
    const at = (rows: { epsilon: number; accuracy: number }[], e: number) =>
      rows.find((x) => x.epsilon === e)!.accuracy;
    expect(at(clean!.fgsm, 0)).toBe(clean!.clean);
    expect(at(clean!.fgsm, 0.3)).toBeLessThan(0.05);
    // (the CleverHans anchor, above 40%, needs the full training set: see lab gan adversarial in the README)
    expect(at(adversarial!.fgsm, 0.3)).toBeGreaterThan(at(clean!.fgsm, 0.3) + 0.08);
    // PGD is at least as strong as FGSM
    expect(at(clean!.pgd, 0.3)).toBeLessThanOrEqual(at(clean!.fgsm, 0.3) + 0.01);
  }, 300_000);
});
