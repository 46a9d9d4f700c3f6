// The page's recipes as `lab gan train --recipe NAME [--diff-augment]` resolves them, the record a
// checkpoint keeps (the CLI's `config.recipe` fields), and the check of an uploaded record: every
// field typed and in range, unknown names and settings refused with the field named.
import { CheckpointError } from '@lab/core';
import { BASELINE_RECIPE, DIFF_AUGMENT_DEFAULTS, MODERN_RECIPE } from '@lab/gan';
import { describe, expect, it } from 'vitest';
import { baselineRecipe, pageRecipe, recipeFromConfig, recipeLabel, recipeRecord } from './gan-recipe.js';

describe('pageRecipe', () => {
  it('is the baseline by name, with DiffAugment at its defaults when ticked', () => {
    expect(pageRecipe('baseline')).toEqual({
      loss: 'non-saturating',
      recipe: { name: 'baseline', lrG: BASELINE_RECIPE.lrG, lrD: BASELINE_RECIPE.lrD, spectralNorm: false },
    });
    expect(pageRecipe('baseline', { diffAugment: true }).recipe.diffAugment).toEqual(DIFF_AUGMENT_DEFAULTS);
  });

  it("is @lab/gan's MODERN_RECIPE: EMA, two time scales, hinge, lazy R1, spectral norm", () => {
    const { loss, recipe } = pageRecipe('modern');
    expect(loss).toBe('hinge');
    expect(recipe).toEqual({
      name: 'modern',
      lrG: MODERN_RECIPE.lrG,
      lrD: MODERN_RECIPE.lrD,
      ema: MODERN_RECIPE.ema,
      r1: MODERN_RECIPE.r1,
      spectralNorm: true,
    });
    expect(recipe.lrG).not.toBe(recipe.lrD);
    expect('diffAugment' in recipe).toBe(false);
  });

  it('refuses a name that is not a recipe', () => {
    expect(() => pageRecipe('postmodern' as 'modern')).toThrow(/recipe must be one of baseline, modern/);
  });
});

describe('recipeRecord', () => {
  it("writes lab gan train's ResolvedGanRecipe fields: recipe, loss, rates, additions", () => {
    const { loss, recipe } = pageRecipe('modern', { diffAugment: true });
    expect(recipeRecord(loss, recipe)).toEqual({
      recipe: 'modern',
      loss: 'hinge',
      lrG: MODERN_RECIPE.lrG,
      lrD: MODERN_RECIPE.lrD,
      ema: MODERN_RECIPE.ema,
      r1: MODERN_RECIPE.r1,
      spectralNorm: true,
      diffAugment: DIFF_AUGMENT_DEFAULTS,
    });
    expect(recipeRecord('non-saturating', baselineRecipe())).toEqual({
      recipe: 'baseline',
      loss: 'non-saturating',
      lrG: BASELINE_RECIPE.lrG,
      lrD: BASELINE_RECIPE.lrD,
      spectralNorm: false,
    });
  });
});

describe('recipeFromConfig', () => {
  const modern = pageRecipe('modern', { diffAugment: true });
  const record = recipeRecord('hinge', modern.recipe);

  it('reads back what recipeRecord writes, and the baseline from a config without a recipe', () => {
    expect(recipeFromConfig({ recipe: record }, 'hinge')).toEqual(modern.recipe);
    expect(recipeFromConfig({ loss: 'minimax' }, 'minimax')).toEqual(baselineRecipe());
  });

  it("continues a CLI run's own settings (e.g. --recipe baseline --ema 0.99 --lr-d 1e-3), labelled custom", () => {
    const custom = {
      recipe: 'baseline',
      loss: 'least-squares',
      lrG: 2e-4,
      lrD: 1e-3,
      ema: { decay: 0.99, warmup: false },
      spectralNorm: false,
    };
    const r = recipeFromConfig({ recipe: custom }, 'least-squares');
    expect(r).toEqual({
      name: 'baseline',
      lrG: 2e-4,
      lrD: 1e-3,
      ema: { decay: 0.99, warmup: false },
      spectralNorm: false,
    });
    expect(recipeLabel(r)).toBe('baseline (custom)');
    expect(recipeLabel(modern.recipe)).toBe('modern + DiffAugment');
    expect(recipeLabel(pageRecipe('modern').recipe)).toBe('modern');
  });

  it('refuses unknown names, unknown settings and values out of range, naming the field', () => {
    const refuse = (recipe: unknown, field: string, loss = 'hinge') => {
      let error: unknown;
      try {
        recipeFromConfig({ recipe }, loss);
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).field).toBe(field);
      expect(String(error)).toContain(field);
    };
    refuse('modern', 'config.recipe');
    refuse(null, 'config.recipe');
    refuse([record], 'config.recipe');
    refuse({ ...record, recipe: 'postmodern' }, 'config.recipe.recipe');
    refuse({ ...record, recipe: undefined }, 'config.recipe.recipe');
    refuse({ ...record, recipe: ['modern'] }, 'config.recipe.recipe');
    refuse({ ...record, loss: 'non-saturating' }, 'config.recipe.loss');
    refuse({ ...record, lrG: 0 }, 'config.recipe.lrG');
    refuse({ ...record, lrD: '4e-4' }, 'config.recipe.lrD');
    refuse({ ...record, lrD: 1e30 }, 'config.recipe.lrD');
    refuse({ ...record, ema: { decay: 1 } }, 'config.recipe.ema.decay');
    refuse({ ...record, ema: { decay: 0.9, warmup: 'yes' } }, 'config.recipe.ema.warmup');
    refuse({ ...record, ema: 0.999 }, 'config.recipe.ema');
    refuse({ ...record, r1: { gamma: -1, every: 16 } }, 'config.recipe.r1.gamma');
    refuse({ ...record, r1: { gamma: 0.1, every: 0 } }, 'config.recipe.r1.every');
    refuse({ ...record, r1: { gamma: 0.1, every: 2.5 } }, 'config.recipe.r1.every');
    refuse({ ...record, spectralNorm: 1 }, 'config.recipe.spectralNorm');
    refuse({ ...record, diffAugment: { color: 2 } }, 'config.recipe.diffAugment.color');
    refuse(
      { ...record, diffAugment: { ...DIFF_AUGMENT_DEFAULTS, flip: 1 } },
      'config.recipe.diffAugment.flip',
    );
    // a setting the page does not know would be dropped silently: refused instead
    refuse({ ...record, dropout: 0.5 }, 'config.recipe.dropout');
    expect(() => recipeFromConfig({ recipe: { ...record, recipe: 'postmodern' } }, 'hinge')).toThrow(
      /config\.recipe\.recipe: "postmodern" is not one of baseline, modern/,
    );
  });
});
