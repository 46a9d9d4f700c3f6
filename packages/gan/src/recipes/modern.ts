// Named training recipes for the W1 DCGAN: which of the additions of the modern recipe are on, with
// their settings. The baseline is the 2016 recipe (BCE, Adam 2e-4 both nets); each addition is off in
// it, so runs differ from the baseline only by what a recipe turns on.
import type { DiffAugmentOptions } from './diff-augment.js';
import type { GeneratorEmaRule } from './ema.js';
import type { R1Options } from './r1.js';

export interface GanRecipe {
  loss: 'non-saturating' | 'hinge';
  /** Adam learning rates of the generator and the discriminator (two time scales when they differ). */
  lrG: number;
  lrD: number;
  ema?: GeneratorEmaRule;
  r1?: R1Options;
  spectralNorm?: boolean;
  diffAugment?: DiffAugmentOptions;
}

export const BASELINE_RECIPE: GanRecipe = { loss: 'non-saturating', lrG: 2e-4, lrD: 2e-4 };

/** Each addition alone, on top of the baseline (the settings the gan-recipes bench compares). */
export const RECIPE_ADDITIONS = {
  ema: { ema: { decay: 0.999, warmup: true } },
  ttur: { lrG: 1e-4, lrD: 4e-4 },
  hinge: { loss: 'hinge' },
  r1: { r1: { gamma: 0.1, every: 16 } },
  'spectral-norm': { spectralNorm: true },
  'diff-augment': { diffAugment: { color: 1, translation: 0.125, cutout: 0.5 } },
} as const satisfies Record<string, Partial<GanRecipe>>;

export type RecipeAddition = keyof typeof RECIPE_ADDITIONS;

/** The baseline with the given additions on (later ones win where two set the same field). */
export function recipeWith(additions: readonly RecipeAddition[]): GanRecipe {
  const recipe: GanRecipe = { ...BASELINE_RECIPE };
  for (const a of additions) {
    if (!Object.hasOwn(RECIPE_ADDITIONS, a))
      throw new RangeError(`unknown recipe addition ${JSON.stringify(a)}`);
    Object.assign(recipe, RECIPE_ADDITIONS[a]);
  }
  return recipe;
}

/**
 * `--recipe modern`: every addition but DiffAugment, which is for small data (add it with
 * --diff-augment, or use recipeWith). Chosen from the literature (SN-GAN, BigGAN, StyleGAN2), not yet
 * from a full gan-recipes run: see the README for what was measured.
 */
export const MODERN_RECIPE: GanRecipe = recipeWith(['ema', 'ttur', 'hinge', 'r1', 'spectral-norm']);
