// `pnpm bench gan-recipes` (issue 27, parts 3 and 4): the W1 DCGAN trained with the 2016 baseline
// recipe, with each addition of the modern recipe alone (EMA, two time scales, hinge, lazy R1,
// spectral norm, DiffAugment) and with them together, over several seeds; FD and KID of 10,000
// samples in the shipped evaluator's feature space (as gan-quality) and seconds per iteration, one
// JSON line per recipe; then the baseline once more at a longer budget, the mark a recipe should reach
// in a third of the steps. --data-fraction trains on a fixed subset of the 60,000 training images.
import { adam, Optimizer, Rng } from '@lab/core';
import {
  copyModuleState,
  dcganDiscriminator,
  dcganGenerator,
  type GanRecipe,
  RECIPE_ADDITIONS,
  type RecipeAddition,
  recipeWith,
  trainGan,
} from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from 'commander';
import { disposeQualityData, generate, loadQualityData, type QualityData, score } from './quality.js';
import { seedList, summarize } from './seeds.js';

const Z = 100;
const SAMPLES = 10000;

/** The recipes compared: the baseline, each addition alone, modern (all but DiffAugment) and all. */
export const RECIPES: Readonly<Record<string, readonly RecipeAddition[]>> = {
  baseline: [],
  ...Object.fromEntries(Object.keys(RECIPE_ADDITIONS).map((a) => [a, [a as RecipeAddition]])),
  modern: ['ema', 'ttur', 'hinge', 'r1', 'spectral-norm'],
  all: ['ema', 'ttur', 'hinge', 'r1', 'spectral-norm', 'diff-augment'],
};

/** A parser of --recipes: a comma-separated list of RECIPES' names. */
export function recipeListOption(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  for (const n of names)
    if (!Object.hasOwn(RECIPES, n))
      throw new InvalidArgumentError(`--recipes: unknown recipe '${n}' (${Object.keys(RECIPES).join(', ')})`);
  return [...new Set(names)];
}

/** A parser of --data-fraction: a number in (0, 1]. */
export function fractionOption(text: string): number {
  const n = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0 && n <= 1))
    throw new InvalidArgumentError(`--data-fraction takes a number in (0, 1], got '${text}'`);
  return n;
}

/**
 * The training images a fraction keeps: round(fraction * count) indices, the same for every recipe and
 * seed (drawn from a fixed stream), sorted.
 */
export function subsetIndices(count: number, fraction: number): Int32Array {
  const keep = Math.max(1, Math.round(fraction * count));
  if (keep >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return new Rng(0x5eb5e7).permutation(count).slice(0, keep).sort();
}

export interface GanRecipesOptions {
  iters: number;
  /** The baseline's longer budget, run once more after the table (0: skip). */
  longIters: number;
  seed: number;
  seeds: number;
  width: number;
  dataFraction: number;
  recipes: readonly string[];
  quiet?: boolean;
}

function log(o: { quiet?: boolean }, text: string) {
  if (!o.quiet) process.stderr.write(`${text}\n`);
}

const r = (x: number | null | undefined, d = 3) => (x == null ? null : Number(x.toFixed(d)));

/** One seed of one recipe: trains W1 (at o.width) for `iters` steps; scores the EMA generator when there is one. */
function recipeRun(
  o: GanRecipesOptions,
  q: QualityData,
  train: tf.Tensor4D,
  recipe: GanRecipe,
  iters: number,
  seed: number,
  name: string,
) {
  const rng = new Rng(seed);
  const G = dcganGenerator({ rng, width: o.width });
  const D = dcganDiscriminator({
    rng,
    width: o.width,
    dropout: 0.3,
    spectralNorm: recipe.spectralNorm ?? false,
  });
  // built from its own stream, so that the EMA does not move the runs' random draws
  const Gema = recipe.ema ? dcganGenerator({ width: o.width, rng: new Rng(0) }) : undefined;
  if (Gema) copyModuleState(G, Gema);
  const optG = new Optimizer(adam(recipe.lrG, { b1: 0.5, b2: 0.999 }), G.trainableParameters());
  const optD = new Optimizer(adam(recipe.lrD, { b1: 0.5, b2: 0.999 }), D.trainableParameters());
  const started = performance.now();
  trainGan({
    G,
    D,
    optG,
    optD,
    rng,
    latent: Z,
    batchSize: 64,
    steps: iters,
    loss: recipe.loss,
    ...(Gema && recipe.ema ? { ema: { ...recipe.ema, generator: Gema } } : {}),
    ...(recipe.r1 ? { r1: recipe.r1 } : {}),
    ...(recipe.diffAugment ? { diffAugment: recipe.diffAugment } : {}),
    data: {
      count: train.shape[0],
      batch: (idx) => tf.tidy(() => tf.gather(train, tf.tensor1d(idx, 'int32'))),
    },
    onStep: (e) => {
      if ((e.step + 1) % 100 === 0) log(o, `gan-recipes ${name} seed ${seed}: step ${e.step + 1}/${iters}`);
    },
  });
  const secondsPerIter = (performance.now() - started) / 1000 / iters;
  const scoreOf = (gen: typeof G) => {
    const fake = generate(gen, SAMPLES, seed + 2);
    const s = score(q.ev, q.realFeatures, fake);
    fake.dispose();
    return s;
  };
  const main = scoreOf(Gema ?? G);
  const raw = Gema ? scoreOf(G) : null;
  for (const m of [G, D, optG, optD, ...(Gema ? [Gema] : [])]) m.dispose();
  return {
    seed,
    fd: r(main.fd),
    kid: r(main.kid, 5),
    // with an EMA, the figures above are the average's; these are the raw generator's
    fd_raw_generator: r(raw?.fd),
    kid_raw_generator: r(raw?.kid, 5),
    s_per_iter: r(secondsPerIter, 4),
  };
}

const METRICS = { fd: 3, kid: 5, fd_raw_generator: 3, kid_raw_generator: 5, s_per_iter: 4 };

/** Trains every recipe over the seeds; calls `emit` with each recipe's JSON line as soon as it is done. */
export function ganRecipes(o: GanRecipesOptions, emit: (line: Record<string, unknown>) => void): void {
  const seeds = seedList(o.seed, o.seeds);
  const q = loadQualityData();
  const indices = subsetIndices(q.train.shape[0], o.dataFraction);
  const train =
    indices.length === q.train.shape[0]
      ? q.train
      : tf.tidy(() => tf.gather(q.train, tf.tensor1d(indices, 'int32')) as tf.Tensor4D);
  const line = (name: string, additions: readonly RecipeAddition[], iters: number) => {
    const recipe = recipeWith(additions);
    const runs = seeds.map((seed) => recipeRun(o, q, train, recipe, iters, seed, name));
    const { means, spread } = summarize(runs, METRICS);
    emit({
      workload: 'gan-recipes',
      recipe: name,
      additions,
      settings: recipe,
      iterations: iters,
      ...means,
      width: o.width,
      images: train.shape[0],
      data_fraction: o.dataFraction,
      samples: SAMPLES,
      evaluator: 'shipped @lab/gan Fashion-MNIST evaluator (64-d features), real = 10k test images',
      seeds,
      spread,
      runs,
    });
  };
  try {
    for (const name of o.recipes) line(name, RECIPES[name]!, o.iters);
    if (o.longIters > 0) line('baseline', [], o.longIters);
  } finally {
    if (train !== q.train) train.dispose();
    disposeQualityData(q);
  }
}
