import { MODERN_RECIPE } from '@lab/gan';
import { describe, expect, it } from 'vitest';
import { resolveGanRecipe, resumedGanRecipe } from './gan-recipe.js';

describe('lab gan train recipe flags', () => {
  it('defaults to the baseline: every addition off', () => {
    expect(resolveGanRecipe({})).toEqual({
      recipe: 'baseline',
      loss: 'non-saturating',
      lrG: 2e-4,
      lrD: 2e-4,
      spectralNorm: false,
    });
  });
  it('composes: explicit flags add to or override the recipe', () => {
    expect(resolveGanRecipe({ ema: 0.99, lrD: 4e-4, diffAugment: true })).toMatchObject({
      loss: 'non-saturating',
      lrG: 2e-4,
      lrD: 4e-4,
      ema: { decay: 0.99, warmup: false },
      diffAugment: { color: 1, translation: 0.125, cutout: 0.5 },
    });
    const modern = resolveGanRecipe({ recipe: 'modern', loss: 'non-saturating', r1Every: 4 });
    expect(modern).toMatchObject({ loss: 'non-saturating', spectralNorm: true, lrG: MODERN_RECIPE.lrG });
    expect(modern.r1).toEqual({ gamma: MODERN_RECIPE.r1!.gamma, every: 4 });
    expect(modern.ema).toEqual(MODERN_RECIPE.ema);
    expect(resolveGanRecipe({ r1: 5 }).r1).toEqual({ gamma: 5, every: 1 });
  });
  it('refuses flags that modify an addition that is off, and unknown recipes', () => {
    expect(() => resolveGanRecipe({ emaWarmup: true })).toThrow(/--ema-warmup needs --ema/);
    expect(() => resolveGanRecipe({ r1Every: 4 })).toThrow(/--r1-every needs --r1/);
    expect(() => resolveGanRecipe({ recipe: 'best' as never })).toThrow(/--recipe must be one of/);
  });
});

describe('lab gan train --resume recipe', () => {
  const record = {
    name: 'modern' as const,
    lrG: 1e-4,
    lrD: 4e-4,
    ema: { decay: 0.999, warmup: true },
    r1: { gamma: 0.1, every: 16 },
    spectralNorm: true,
  };
  it('continues the record, with flags that agree with it', () => {
    const { name, ...settings } = record;
    const expected = { recipe: name, loss: 'hinge', ...settings };
    expect(resumedGanRecipe('c', record, 'hinge', {})).toEqual(expected);
    expect(
      resumedGanRecipe('c', record, 'hinge', {
        recipe: 'modern',
        lrD: 4e-4,
        ema: 0.999,
        r1Every: 16,
        spectralNorm: true,
      }),
    ).toEqual(expected);
  });
  it('refuses a flag that differs from the record, naming the flag and the recorded value', () => {
    expect(() => resumedGanRecipe('c', record, 'hinge', { lrG: 2e-4 })).toThrow(
      'c records --lr-g 0.0001, but --lr-g 0.0002 was given',
    );
    expect(() => resumedGanRecipe('c', record, 'hinge', { r1: 1 })).toThrow(/records --r1 0.1,/);
    const baseline = { name: 'baseline' as const, lrG: 2e-4, lrD: 2e-4, spectralNorm: false };
    expect(() => resumedGanRecipe('c', baseline, 'minimax', { ema: 0.99 })).toThrow(/records --ema none,/);
    expect(() => resumedGanRecipe('c', baseline, 'minimax', { spectralNorm: true })).toThrow(
      /records --spectral-norm false/,
    );
    expect(() => resumedGanRecipe('c', baseline, 'minimax', { loss: 'hinge' })).toThrow(
      /records --loss minimax/,
    );
  });
});
