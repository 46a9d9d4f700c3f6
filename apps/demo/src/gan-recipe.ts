// The DCGAN's training recipe on the GAN page: the page's choice (baseline or modern, DiffAugment on
// or off) made into @lab/gan's recipe settings the way `lab gan train --recipe NAME [--diff-augment]`
// makes them, the record a checkpoint keeps of it (the CLI's `config.recipe`, field for field), and
// the check of an uploaded checkpoint's record, every field typed and in range before anything is built.
import { CheckpointError } from '@lab/core';
import {
  BASELINE_RECIPE,
  DIFF_AUGMENT_DEFAULTS,
  type DiffAugmentOptions,
  type GanRecipe,
  type GeneratorEmaRule,
  MODERN_RECIPE,
  type R1Options,
} from '@lab/gan';

/** The named recipes of `lab gan train --recipe`. */
export const GAN_RECIPE_NAMES = ['baseline', 'modern'] as const;
export type GanRecipeName = (typeof GAN_RECIPE_NAMES)[number];

const NAMED: Record<GanRecipeName, GanRecipe> = { baseline: BASELINE_RECIPE, modern: MODERN_RECIPE };

/** What a DCGAN run trains with besides its loss (which GanSettings.loss holds). */
export interface RecipeSettings {
  /** The named recipe the settings come from (recorded as `recipe`, as the CLI records it). */
  name: GanRecipeName;
  /** Adam learning rates of G and D (b1 0.5, as `lab gan train`). */
  lrG: number;
  lrD: number;
  /** An EMA of G's weights, kept in a second generator that the page samples. */
  ema?: GeneratorEmaRule;
  r1?: R1Options;
  spectralNorm: boolean;
  diffAugment?: Required<DiffAugmentOptions>;
}

export interface PageRecipe {
  loss: 'non-saturating' | 'hinge';
  recipe: RecipeSettings;
}

/** The page's choice as `lab gan train --recipe NAME [--diff-augment]` resolves it. */
export function pageRecipe(name: GanRecipeName, { diffAugment = false } = {}): PageRecipe {
  if (!Object.hasOwn(NAMED, name))
    throw new RangeError(`recipe must be one of ${GAN_RECIPE_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  const r = NAMED[name];
  const augment = diffAugment ? DIFF_AUGMENT_DEFAULTS : r.diffAugment;
  return {
    loss: r.loss,
    recipe: {
      name,
      lrG: r.lrG,
      lrD: r.lrD,
      ...(r.ema ? { ema: { ...r.ema, warmup: r.ema.warmup ?? false } } : {}),
      ...(r.r1 ? { r1: { ...r.r1, every: r.r1.every ?? 1 } } : {}),
      spectralNorm: r.spectralNorm ?? false,
      ...(augment ? { diffAugment: { ...DIFF_AUGMENT_DEFAULTS, ...augment } } : {}),
    },
  };
}

/** The baseline: what a checkpoint without a recipe (written before recipes existed) trained with. */
export const baselineRecipe = (): RecipeSettings => pageRecipe('baseline').recipe;

/** JSON with sorted keys: two settings objects compare equal whatever order their fields came in. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x) =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );

/**
 * A short name for the status line: 'modern', 'baseline + DiffAugment', or 'modern (custom)' for a
 * checkpoint of `lab gan train` whose flags changed the named recipe's settings.
 */
export function recipeLabel(r: RecipeSettings): string {
  const augmented = r.diffAugment !== undefined && NAMED[r.name].diffAugment === undefined;
  const label = `${r.name}${augmented ? ' + DiffAugment' : ''}`;
  const named = pageRecipe(r.name, { diffAugment: augmented }).recipe;
  return canonical(r) === canonical(named) ? label : `${label} (custom)`;
}

/** The checkpoint's `config.recipe`, the fields and order of `lab gan train`'s ResolvedGanRecipe. */
export function recipeRecord(loss: string, r: RecipeSettings): Record<string, unknown> {
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

// What the page will train with: ranges wide enough for any recipe of the CLI, narrow enough that a
// hostile file cannot make a step diverge by design or run a penalty every step of a huge interval.
const LR = { min: 0, max: 1 };
const R1_GAMMA_MAX = 1e4;
const R1_EVERY_MAX = 1e6;

const invalid = (field: string, detail: string) => new CheckpointError('InvalidField', field, detail);
const shown = (v: unknown) => JSON.stringify(v) ?? 'missing';

function plainObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(field, `${shown(v)} is not an object`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, field: string, known: readonly string[]): void {
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown !== undefined)
    throw invalid(`${field}.${unknown}`, 'not a recipe setting the page knows, so it cannot train with it');
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

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
 * The recipe a checkpoint's config records (`config.recipe`, as `lab gan train` writes it), checked
 * field by field; the baseline when there is none (checkpoints written before recipes). `loss` is the
 * config's validated loss, which the record's own must match. Throws CheckpointError naming the field.
 */
export function recipeFromConfig(config: Record<string, unknown>, loss: string): RecipeSettings {
  const raw = own(config, 'recipe');
  if (raw === undefined) return baselineRecipe();
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
    lrG: numberIn(own(o, 'lrG'), 'config.recipe.lrG', LR.min, LR.max, 'min'),
    lrD: numberIn(own(o, 'lrD'), 'config.recipe.lrD', LR.min, LR.max, 'min'),
    ...(ema !== undefined ? { ema: emaFrom(ema) } : {}),
    ...(r1 !== undefined ? { r1: r1From(r1) } : {}),
    spectralNorm: booleanOr(own(o, 'spectralNorm'), 'config.recipe.spectralNorm', false),
    ...(diffAugment !== undefined ? { diffAugment: diffAugmentFrom(diffAugment) } : {}),
  };
}
