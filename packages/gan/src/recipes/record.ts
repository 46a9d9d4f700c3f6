// The record a DCGAN checkpoint keeps of its training recipe (`config.recipe`, written by
// `lab gan train` and the demo's GAN page) and its one reader: every field typed and in range, unknown
// settings refused, before anything is built, so a resumed run continues what was recorded.
import { CheckpointError } from '@lab/core';
import { DIFF_AUGMENT_DEFAULTS, type DiffAugmentOptions } from './diff-augment.js';
import type { GeneratorEmaRule } from './ema.js';
import { BASELINE_RECIPE, type GanRecipe, MODERN_RECIPE } from './modern.js';
import type { R1Options } from './r1.js';

/** The named recipes (`lab gan train --recipe NAME`, the page's choice). */
export const GAN_RECIPE_NAMES = ['baseline', 'modern'] as const;
export type GanRecipeName = (typeof GAN_RECIPE_NAMES)[number];

export const NAMED_GAN_RECIPES: Readonly<Record<GanRecipeName, GanRecipe>> = {
  baseline: BASELINE_RECIPE,
  modern: MODERN_RECIPE,
};

/** What a recorded DCGAN run trains with besides its loss (the checkpoint's `config.loss`). */
export interface RecordedGanRecipe {
  /** The named recipe the settings come from (recorded as `recipe`). */
  name: GanRecipeName;
  /** Adam learning rates of G and D. */
  lrG: number;
  lrD: number;
  ema?: GeneratorEmaRule;
  r1?: R1Options;
  spectralNorm: boolean;
  diffAugment?: Required<DiffAugmentOptions>;
}

/** What a checkpoint without a record (written before recipes existed) trained with. */
export const baselineRecordedRecipe = (): RecordedGanRecipe => ({
  name: 'baseline',
  lrG: BASELINE_RECIPE.lrG,
  lrD: BASELINE_RECIPE.lrD,
  spectralNorm: false,
});

// Ranges as wide as `lab gan train`'s flags accept (a record it writes reads back), narrow enough that
// a hostile file cannot make a step diverge by design or run a penalty every step of a huge interval.
const LR_MAX = 1;
const R1_GAMMA_MAX = 1e6;
const R1_EVERY_MAX = 1e6;

const invalid = (field: string, detail: string) => new CheckpointError('InvalidField', field, detail);
const shown = (v: unknown) => JSON.stringify(v) ?? 'missing';
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function plainObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(field, `${shown(v)} is not an object`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, field: string, known: readonly string[]): void {
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown !== undefined)
    throw invalid(
      `${field}.${unknown}`,
      'not a recipe setting this reader knows, so it cannot train with it',
    );
}

function numberIn(
  v: unknown,
  field: string,
  min: number,
  max: number,
  open: 'min' | 'both' | 'none',
): number {
  const above = open === 'none' ? (v as number) >= min : (v as number) > min;
  const below = open === 'both' ? (v as number) < max : (v as number) <= max;
  if (typeof v !== 'number' || !Number.isFinite(v) || !above || !below) {
    const range = `${open === 'none' ? '[' : '('}${min}, ${max}${open === 'both' ? ')' : ']'}`;
    throw invalid(field, `${shown(v)} is not a number in ${range}`);
  }
  return v;
}

function booleanOr(v: unknown, field: string, absent: boolean): boolean {
  if (v === undefined) return absent;
  if (typeof v !== 'boolean') throw invalid(field, `${shown(v)} is not true or false`);
  return v;
}

function emaFrom(v: unknown): GeneratorEmaRule {
  const o = plainObject(v, 'config.recipe.ema');
  onlyKeys(o, 'config.recipe.ema', ['decay', 'warmup']);
  return {
    decay: numberIn(own(o, 'decay'), 'config.recipe.ema.decay', 0, 1, 'both'),
    warmup: booleanOr(own(o, 'warmup'), 'config.recipe.ema.warmup', false),
  };
}

function r1From(v: unknown): R1Options {
  const o = plainObject(v, 'config.recipe.r1');
  onlyKeys(o, 'config.recipe.r1', ['gamma', 'every']);
  const every = own(o, 'every') ?? 1;
  if (!Number.isSafeInteger(every) || (every as number) < 1 || (every as number) > R1_EVERY_MAX)
    throw invalid('config.recipe.r1.every', `${shown(every)} is not an integer in [1, ${R1_EVERY_MAX}]`);
  return {
    gamma: numberIn(own(o, 'gamma'), 'config.recipe.r1.gamma', 0, R1_GAMMA_MAX, 'min'),
    every: every as number,
  };
}

function diffAugmentFrom(v: unknown): Required<DiffAugmentOptions> {
  const o = plainObject(v, 'config.recipe.diffAugment');
  const names = Object.keys(DIFF_AUGMENT_DEFAULTS) as (keyof DiffAugmentOptions)[];
  onlyKeys(o, 'config.recipe.diffAugment', names);
  const full = { ...DIFF_AUGMENT_DEFAULTS };
  for (const k of names) {
    const x = own(o, k);
    if (x !== undefined) full[k] = numberIn(x, `config.recipe.diffAugment.${k}`, 0, 1, 'none');
  }
  return full;
}

/**
 * The recipe a checkpoint's config records (`config.recipe`), checked field by field; the baseline
 * when there is none (checkpoints written before recipes). `loss` is the config's validated loss, which
 * the record's own must match. Throws CheckpointError naming the field (e.g. `config.recipe.lrD`).
 */
export function recordedGanRecipe(config: Record<string, unknown>, loss: string): RecordedGanRecipe {
  const raw = own(config, 'recipe');
  if (raw === undefined) return baselineRecordedRecipe();
  const o = plainObject(raw, 'config.recipe');
  onlyKeys(o, 'config.recipe', ['recipe', 'loss', 'lrG', 'lrD', 'ema', 'r1', 'spectralNorm', 'diffAugment']);
  const name = own(o, 'recipe');
  if (typeof name !== 'string' || !(GAN_RECIPE_NAMES as readonly string[]).includes(name))
    throw invalid('config.recipe.recipe', `${shown(name)} is not one of ${GAN_RECIPE_NAMES.join(', ')}`);
  const recordedLoss = own(o, 'loss');
  if (recordedLoss !== undefined && recordedLoss !== loss)
    throw invalid('config.recipe.loss', `${shown(recordedLoss)} differs from config.loss ${shown(loss)}`);
  const ema = own(o, 'ema');
  const r1 = own(o, 'r1');
  const diffAugment = own(o, 'diffAugment');
  return {
    name: name as GanRecipeName,
    lrG: numberIn(own(o, 'lrG'), 'config.recipe.lrG', 0, LR_MAX, 'min'),
    lrD: numberIn(own(o, 'lrD'), 'config.recipe.lrD', 0, LR_MAX, 'min'),
    ...(ema !== undefined ? { ema: emaFrom(ema) } : {}),
    ...(r1 !== undefined ? { r1: r1From(r1) } : {}),
    spectralNorm: booleanOr(own(o, 'spectralNorm'), 'config.recipe.spectralNorm', false),
    ...(diffAugment !== undefined ? { diffAugment: diffAugmentFrom(diffAugment) } : {}),
  };
}

/**
 * The record a checkpoint keeps of `r` trained with `loss` (`config.recipe`): the fields and order that
 * `lab gan train` writes and `recordedGanRecipe` reads back.
 */
export function recipeRecordOf<Loss extends string>(loss: Loss, r: RecordedGanRecipe) {
  return {
    recipe: r.name,
    loss,
    lrG: r.lrG,
    lrD: r.lrD,
    ...(r.ema ? { ema: { ...r.ema } } : {}),
    ...(r.r1 ? { r1: { ...r.r1 } } : {}),
    spectralNorm: r.spectralNorm,
    ...(r.diffAugment ? { diffAugment: { ...r.diffAugment } } : {}),
  };
}
