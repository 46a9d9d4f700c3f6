import { RECIPE_ADDITIONS } from '@lab/gan';
import { describe, expect, it } from 'vitest';
import { fractionOption, RECIPES, recipeListOption, subsetIndices } from './gan-recipes.js';

describe('gan-recipes', () => {
  it('compares the baseline, each addition alone, and them together', () => {
    expect(RECIPES.baseline).toEqual([]);
    for (const a of Object.keys(RECIPE_ADDITIONS)) expect(RECIPES[a]).toEqual([a]);
    expect(RECIPES.all).toEqual(expect.arrayContaining(Object.keys(RECIPE_ADDITIONS)));
    expect(RECIPES.modern).not.toContain('diff-augment');
  });
  it('keeps the same fixed subset of the images for a fraction, for every seed and recipe', () => {
    const a = subsetIndices(60000, 0.1);
    expect(a.length).toBe(6000);
    expect(new Set(a).size).toBe(6000);
    expect(Array.from(a)).toEqual(Array.from(subsetIndices(60000, 0.1)));
    expect(Array.from(a).every((v, i) => v >= 0 && v < 60000 && (i === 0 || v > a[i - 1]!))).toBe(true);
    expect(subsetIndices(10, 1)).toEqual(Int32Array.from({ length: 10 }, (_, i) => i));
  });
  it('refuses unknown recipes and fractions outside (0, 1]', () => {
    expect(recipeListOption('baseline,modern,baseline')).toEqual(['baseline', 'modern']);
    expect(() => recipeListOption('baseline,best')).toThrow(/unknown recipe 'best'/);
    for (const bad of ['0', '1.5', '-0.1', 'abc', ''])
      expect(() => fractionOption(bad)).toThrow(/--data-fraction takes a number in \(0, 1\]/);
    expect(fractionOption('0.1')).toBe(0.1);
  });
});
