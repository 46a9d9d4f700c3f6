// The one reader of a checkpoint's recipe record (`lab gan train --resume` and the demo's GAN page):
// what `lab gan train` writes reads back, the baseline when absent, and a broken record is refused
// with a CheckpointError naming the field.
import { CheckpointError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { DIFF_AUGMENT_DEFAULTS } from './diff-augment.js';
import { MODERN_RECIPE } from './modern.js';
import { baselineRecordedRecipe, recordedGanRecipe } from './record.js';

const modernRecord = {
  recipe: 'modern',
  loss: 'hinge',
  lrG: MODERN_RECIPE.lrG,
  lrD: MODERN_RECIPE.lrD,
  ema: MODERN_RECIPE.ema,
  r1: MODERN_RECIPE.r1,
  spectralNorm: true,
  diffAugment: { color: 1, translation: 0.125, cutout: 0.5 },
};

describe('recordedGanRecipe', () => {
  it("reads back lab gan train's record, and the baseline from a config without one", () => {
    expect(recordedGanRecipe({ recipe: modernRecord }, 'hinge')).toEqual({
      name: 'modern',
      lrG: 1e-4,
      lrD: 4e-4,
      ema: { decay: 0.999, warmup: true },
      r1: { gamma: 0.1, every: 16 },
      spectralNorm: true,
      diffAugment: DIFF_AUGMENT_DEFAULTS,
    });
    expect(recordedGanRecipe({ loss: 'minimax' }, 'minimax')).toEqual(baselineRecordedRecipe());
    // the CLI's --r1 accepts gamma up to 1e6, so its record must read back
    const strong = { ...modernRecord, r1: { gamma: 5e4, every: 1 } };
    expect(recordedGanRecipe({ recipe: strong }, 'hinge').r1).toEqual({ gamma: 5e4, every: 1 });
  });

  it('refuses a broken record, naming the field', () => {
    const fieldOf = (recipe: unknown, loss = 'hinge') => {
      try {
        recordedGanRecipe({ recipe }, loss);
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
        return (e as CheckpointError).field;
      }
      return 'accepted';
    };
    expect(fieldOf('modern')).toBe('config.recipe');
    expect(fieldOf({ ...modernRecord, recipe: 'postmodern' })).toBe('config.recipe.recipe');
    expect(fieldOf({ ...modernRecord, loss: 'minimax' })).toBe('config.recipe.loss');
    expect(fieldOf({ ...modernRecord, lrD: 'fast' })).toBe('config.recipe.lrD');
    expect(fieldOf({ ...modernRecord, lrG: 2 })).toBe('config.recipe.lrG');
    expect(fieldOf({ ...modernRecord, ema: { decay: 1 } })).toBe('config.recipe.ema.decay');
    expect(fieldOf({ ...modernRecord, r1: { gamma: 1e7 } })).toBe('config.recipe.r1.gamma');
    expect(fieldOf({ ...modernRecord, r1: { gamma: 1, every: 0.5 } })).toBe('config.recipe.r1.every');
    expect(fieldOf({ ...modernRecord, spectralNorm: 'yes' })).toBe('config.recipe.spectralNorm');
    expect(fieldOf({ ...modernRecord, diffAugment: { cutout: -1 } })).toBe(
      'config.recipe.diffAugment.cutout',
    );
    expect(fieldOf({ ...modernRecord, warp: 1 })).toBe('config.recipe.warp');
    expect(() => recordedGanRecipe({ recipe: { ...modernRecord, lrD: 'fast' } }, 'hinge')).toThrow(
      /config\.recipe\.lrD: "fast" is not a number in \(0, 1\]/,
    );
  });
});
