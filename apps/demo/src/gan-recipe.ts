// The DCGAN's training recipe on the GAN page: the page's choice (baseline or modern, DiffAugment on
// or off) made into @lab/gan's recipe settings the way `lab gan train --recipe NAME [--diff-augment]`
// makes them, the record a checkpoint keeps of it (the CLI's `config.recipe`, field for field), and
// the check of an uploaded checkpoint's record (@lab/gan's reader, shared with `lab gan train --resume`).
import {
  DIFF_AUGMENT_DEFAULTS,
  GAN_RECIPE_NAMES,
  type GanRecipeName,
  NAMED_GAN_RECIPES as NAMED,
  type RecordedGanRecipe,
  recipeRecordOf,
  recordedGanRecipe,
} from '@lab/gan';

export type { GanRecipeName } from '@lab/gan';

/**
 * What a DCGAN run trains with besides its loss (which GanSettings.loss holds): Adam at lrG / lrD
 * (b1 0.5, as `lab gan train`), and an EMA of G's weights kept in a second generator the page samples.
 */
export type RecipeSettings = RecordedGanRecipe;

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
  return recipeRecordOf(loss, r);
}

/**
 * The recipe a checkpoint's config records (`config.recipe`, as `lab gan train` writes it), checked
 * field by field by @lab/gan's reader (the one `lab gan train --resume` uses); the baseline when there
 * is none. Throws CheckpointError naming the field.
 */
export const recipeFromConfig = (config: Record<string, unknown>, loss: string): RecipeSettings =>
  recordedGanRecipe(config, loss);
