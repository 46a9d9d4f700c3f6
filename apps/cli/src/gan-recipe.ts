// `lab gan train`'s recipe flags: --recipe picks a named recipe of @lab/gan (baseline: the 2016 W1
// recipe; modern: EMA, two time scales, hinge, lazy R1, spectral norm), and each explicit flag
// (--loss, --lr-g, --lr-d, --ema, --r1, --spectral-norm, --diff-augment) overrides or adds to it.
import {
  BASELINE_RECIPE,
  DIFF_AUGMENT_DEFAULTS,
  type DiffAugmentOptions,
  type GanRecipe,
  type GeneratorEmaRule,
  MODERN_RECIPE,
  type R1Options,
} from '@lab/gan';
import type { GanLossName } from './gan.js';

export const GAN_RECIPES = ['baseline', 'modern'] as const;
export type GanRecipeName = (typeof GAN_RECIPES)[number];

const RECIPES: Record<GanRecipeName, GanRecipe> = { baseline: BASELINE_RECIPE, modern: MODERN_RECIPE };

/** The flags as given (undefined: not given, the recipe decides). */
export interface GanRecipeFlags {
  recipe?: GanRecipeName;
  loss?: GanLossName;
  lrG?: number;
  lrD?: number;
  /** EMA decay of the generator's weights. */
  ema?: number;
  emaWarmup?: boolean;
  /** R1 gamma. */
  r1?: number;
  r1Every?: number;
  spectralNorm?: boolean;
  diffAugment?: boolean;
}

/** What a run trains with, recorded in its checkpoint's config and metrics.json. */
export interface ResolvedGanRecipe {
  recipe: GanRecipeName;
  loss: GanLossName;
  lrG: number;
  lrD: number;
  ema?: GeneratorEmaRule;
  r1?: R1Options;
  spectralNorm: boolean;
  diffAugment?: DiffAugmentOptions;
}

/** The recipe's settings with the explicit flags on top. */
export function resolveGanRecipe(flags: GanRecipeFlags): ResolvedGanRecipe {
  const recipe = flags.recipe ?? 'baseline';
  if (!Object.hasOwn(RECIPES, recipe))
    throw new RangeError(`--recipe must be one of ${GAN_RECIPES.join(', ')}, got ${JSON.stringify(recipe)}`);
  const base = RECIPES[recipe];
  const ema =
    flags.ema !== undefined
      ? { decay: flags.ema, warmup: flags.emaWarmup ?? base.ema?.warmup ?? false }
      : base.ema && { ...base.ema, warmup: flags.emaWarmup ?? base.ema.warmup };
  if (flags.emaWarmup && !ema) throw new RangeError('--ema-warmup needs --ema <decay> (or --recipe modern)');
  const r1 =
    flags.r1 !== undefined
      ? { gamma: flags.r1, every: flags.r1Every ?? base.r1?.every ?? 1 }
      : base.r1 && { ...base.r1, every: flags.r1Every ?? base.r1.every };
  if (flags.r1Every !== undefined && !r1)
    throw new RangeError('--r1-every needs --r1 <gamma> (or --recipe modern)');
  const diffAugment = flags.diffAugment ? { ...DIFF_AUGMENT_DEFAULTS } : base.diffAugment;
  return {
    recipe,
    loss: flags.loss ?? base.loss,
    lrG: flags.lrG ?? base.lrG,
    lrD: flags.lrD ?? base.lrD,
    ...(ema ? { ema } : {}),
    ...(r1 ? { r1 } : {}),
    spectralNorm: flags.spectralNorm ?? base.spectralNorm ?? false,
    ...(diffAugment ? { diffAugment } : {}),
  };
}
