import { describe, expect, it } from 'vitest';
import {
  BASELINE_RECIPE,
  MODERN_RECIPE,
  RECIPE_ADDITIONS,
  type RecipeAddition,
  recipeWith,
} from './modern.js';

describe('GAN recipes', () => {
  it('no additions is the baseline, as a copy', () => {
    const r = recipeWith([]);
    expect(r).toEqual({ loss: 'non-saturating', lrG: 2e-4, lrD: 2e-4 });
    expect(r).not.toBe(BASELINE_RECIPE);
    r.lrG = 1;
    expect(BASELINE_RECIPE.lrG).toBe(2e-4);
  });

  it('each addition changes only its own fields', () => {
    for (const name of Object.keys(RECIPE_ADDITIONS) as RecipeAddition[]) {
      const r = recipeWith([name]);
      const changed = Object.keys(r).filter(
        (k) =>
          JSON.stringify(r[k as keyof typeof r]) !== JSON.stringify(BASELINE_RECIPE[k as keyof typeof r]),
      );
      expect(changed.sort()).toEqual(Object.keys(RECIPE_ADDITIONS[name]).sort());
    }
    expect(recipeWith(['ttur'])).toMatchObject({ lrG: 1e-4, lrD: 4e-4, loss: 'non-saturating' });
  });

  it('later additions win, and the modern recipe is every addition but DiffAugment', () => {
    const later = recipeWith(['hinge', 'ttur']);
    expect(later).toMatchObject({ loss: 'hinge', lrG: 1e-4 });
    expect(MODERN_RECIPE).toEqual({
      loss: 'hinge',
      lrG: 1e-4,
      lrD: 4e-4,
      ema: { decay: 0.999, warmup: true },
      r1: { gamma: 0.1, every: 16 },
      spectralNorm: true,
    });
    expect(MODERN_RECIPE.diffAugment).toBeUndefined();
  });

  it('refuses unknown additions, prototype names included, naming them', () => {
    for (const name of ['ttr', 'constructor', '__proto__', 'toString'])
      expect(() => recipeWith([name as RecipeAddition])).toThrow(
        `unknown recipe addition ${JSON.stringify(name)}`,
      );
  });
});
