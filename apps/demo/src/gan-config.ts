// The Fashion-MNIST GANs' settings and checkpoints: the config a checkpoint records (the same fields
// `lab gan train` and `lab wgan train` write, so `lab gan sample` reads the page's downloads), the
// nets and optimizers it implies (for a DCGAN, those of its recipe: gan-recipe.ts), and the check of an
// uploaded checkpoint's config before anything is built from it (@lab/gan's dcganCheckpointConfig, the
// CLI's check, within the page's limits, and the recipe's own check).
import { adam, CheckpointError, type CheckpointInfo, type Module, Optimizer, type Rng } from '@lab/core';
import {
  copyModuleState,
  type DcganPadding,
  dcganCheckpointConfig,
  dcganDiscriminator,
  dcganGenerator,
  type GanTrainerOptions,
} from '@lab/gan';
import { WGAN_GP_DEFAULTS } from '@lab/wgan';
import { baselineRecipe, type RecipeSettings, recipeFromConfig, recipeRecord } from './gan-recipe.js';

export type GanKind = 'gan' | 'wgan-gp';

export interface GanSettings {
  kind: GanKind;
  /** DCGAN base width: 64 is the W1 benchmark net; the page's default is smaller. */
  width: number;
  latent: number;
  padding: DcganPadding;
  /** 'gan' only: the loss the trainer optimises. */
  loss?: GanLossName;
  /** 'gan' only: what it trains with besides the loss (absent: the baseline, as before recipes). */
  recipe?: RecipeSettings;
}

export const GAN_LOSS_NAMES = ['non-saturating', 'minimax', 'least-squares', 'hinge'] as const;
export type GanLossName = (typeof GAN_LOSS_NAMES)[number];

/** What the page accepts: widths and latents it can build in a browser tab. */
export const DEMO_LIMITS = { width: { min: 1, max: 128 }, latent: { min: 1, max: 1000 } } as const;

/** A DCGAN's recipe: its own, or the baseline. */
export const recipeOf = (s: GanSettings): RecipeSettings => s.recipe ?? baselineRecipe();

/** The checkpoint's module holding the EMA generator, as `lab gan train` names it (`lab gan sample --ema` reads it). */
export const EMA_MODULE = 'Gema';

/** The config a checkpoint records, field for field as the CLI writes it. */
export function checkpointConfig(s: GanSettings): Record<string, unknown> {
  const base = { arch: 'dcgan', width: s.width, latent: s.latent, padding: s.padding };
  if (s.kind !== 'gan') return { ...base, penalty: 'gp', criticNorm: 'none' };
  const loss = s.loss ?? 'non-saturating';
  return { ...base, loss, recipe: recipeRecord(loss, recipeOf(s)) };
}

/**
 * The settings of a checkpoint read by core's readCheckpoint, validated by @lab/gan's schema check (the
 * one the CLI runs) within the page's limits; throws a CheckpointError naming the field. Only what the
 * page can continue is accepted: a DCGAN with the BCE-family losses, or WGAN-GP with a plain critic.
 */
export function settingsFromCheckpoint(info: CheckpointInfo): GanSettings {
  const c = dcganCheckpointConfig(info, {
    losses: GAN_LOSS_NAMES,
    penalties: ['gp'],
    criticNorms: ['none'],
    limits: DEMO_LIMITS,
  });
  const { width, latent, padding } = c;
  if (c.penalty !== undefined) return { kind: 'wgan-gp', width, latent, padding };
  const loss = (c.loss ?? 'non-saturating') as GanLossName;
  const recipe = recipeFromConfig(info.config as Record<string, unknown>, loss);
  checkEmaTensors(info, recipe);
  return { kind: 'gan', width, latent, padding, loss, recipe };
}

/** The file holds an EMA generator exactly when its recipe has one (else it would be dropped or missed). */
function checkEmaTensors(info: CheckpointInfo, recipe: RecipeSettings): void {
  const held = [...info.tensors.keys()].some((k) => k.startsWith(`module.${EMA_MODULE}.`));
  if (held && !recipe.ema)
    throw new CheckpointError(
      'InvalidField',
      'config.recipe.ema',
      `missing, but the checkpoint holds an EMA generator (module.${EMA_MODULE}.*)`,
    );
  if (!held && recipe.ema)
    throw new CheckpointError(
      'MissingTarget',
      `module.${EMA_MODULE}`,
      'config.recipe.ema asks for an EMA generator, but the checkpoint has none',
    );
}

export interface GanNets {
  G: Module;
  D: Module;
  optG: Optimizer<any>;
  optD: Optimizer<any>;
  /** The EMA of G's weights, when the recipe has one (starts as a copy of G). */
  Gema?: Module;
}

/** What a DCGAN's recipe adds to trainGan's options (as `lab gan train` passes them); the rates are the optimizers'. */
export function recipeTrainOptions(s: GanSettings, nets: Pick<GanNets, 'Gema'>) {
  const r = recipeOf(s);
  if (r.ema && !nets.Gema) throw new Error('the recipe keeps an EMA generator, but the nets have none');
  return {
    loss: s.loss ?? 'non-saturating',
    ...(r.ema && nets.Gema ? { ema: { ...r.ema, generator: nets.Gema } } : {}),
    ...(r.r1 ? { r1: { ...r.r1 } } : {}),
    ...(r.diffAugment ? { diffAugment: { ...r.diffAugment } } : {}),
  } satisfies Partial<GanTrainerOptions>;
}

/** Frees every net and optimizer. */
export function disposeNets(nets: GanNets): void {
  for (const x of [nets.G, nets.D, nets.optG, nets.optD, nets.Gema]) x?.dispose();
}

/**
 * The nets and optimizers of `lab gan train` (its recipe's: Adam at lrG / lrD with b1 0.5, spectral
 * norm in D, an EMA generator) or `lab wgan train` (WGAN-GP's Adam), built in the CLI's order.
 */
export function buildNets(s: GanSettings, rng: Rng): GanNets {
  const G = dcganGenerator({ width: s.width, latent: s.latent, padding: s.padding, rng });
  if (s.kind === 'gan') {
    const r = recipeOf(s);
    const D = dcganDiscriminator({ width: s.width, padding: s.padding, rng, spectralNorm: r.spectralNorm });
    const Gema = r.ema ? dcganGenerator({ width: s.width, latent: s.latent, padding: s.padding }) : undefined;
    if (Gema) copyModuleState(G, Gema);
    return {
      G,
      D,
      optG: new Optimizer(adam(r.lrG, { b1: 0.5 }), G.trainableParameters()),
      optD: new Optimizer(adam(r.lrD, { b1: 0.5 }), D.trainableParameters()),
      ...(Gema ? { Gema } : {}),
    };
  }
  // a WGAN-GP critic has no batch norm and no dropout
  const D = dcganDiscriminator({ width: s.width, padding: s.padding, dropout: 0, rng });
  const opt = () => adam(WGAN_GP_DEFAULTS.learningRate, { b1: WGAN_GP_DEFAULTS.b1, b2: WGAN_GP_DEFAULTS.b2 });
  return {
    G,
    D,
    optG: new Optimizer(opt(), G.trainableParameters()),
    optD: new Optimizer(opt(), D.trainableParameters()),
  };
}
