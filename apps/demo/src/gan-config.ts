// The Fashion-MNIST GANs' settings and checkpoints: the config a checkpoint records (the same fields
// `lab gan train` and `lab wgan train` write, so `lab gan sample` reads the page's downloads), the
// nets and optimizers it implies, and the check of an uploaded checkpoint's config before anything is
// built from it (@lab/gan's dcganCheckpointConfig, the CLI's check, within the page's limits).
import { adam, type CheckpointInfo, type Module, Optimizer, type Rng } from '@lab/core';
import { type DcganPadding, dcganCheckpointConfig, dcganDiscriminator, dcganGenerator } from '@lab/gan';
import { WGAN_GP_DEFAULTS } from '@lab/wgan';

export type GanKind = 'gan' | 'wgan-gp';

export interface GanSettings {
  kind: GanKind;
  /** DCGAN base width: 64 is the W1 benchmark net; the page's default is smaller. */
  width: number;
  latent: number;
  padding: DcganPadding;
  /** 'gan' only: the loss the trainer optimises. */
  loss?: GanLossName;
}

export const GAN_LOSS_NAMES = ['non-saturating', 'minimax', 'least-squares'] as const;
export type GanLossName = (typeof GAN_LOSS_NAMES)[number];

/** What the page accepts: widths and latents it can build in a browser tab. */
export const DEMO_LIMITS = { width: { min: 1, max: 128 }, latent: { min: 1, max: 1000 } } as const;

/** The config a checkpoint records, field for field as the CLI writes it. */
export function checkpointConfig(s: GanSettings): Record<string, unknown> {
  const base = { arch: 'dcgan', width: s.width, latent: s.latent, padding: s.padding };
  return s.kind === 'gan'
    ? { ...base, loss: s.loss ?? 'non-saturating' }
    : { ...base, penalty: 'gp', criticNorm: 'none' };
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
  return c.penalty !== undefined
    ? { kind: 'wgan-gp', width, latent, padding }
    : { kind: 'gan', width, latent, padding, loss: (c.loss ?? 'non-saturating') as GanLossName };
}

export interface GanNets {
  G: Module;
  D: Module;
  optG: Optimizer<any>;
  optD: Optimizer<any>;
}

/** The nets and optimizers of `lab gan train` (Adam 2e-4, b1 0.5) or `lab wgan train` (WGAN-GP's Adam). */
export function buildNets(s: GanSettings, rng: Rng): GanNets {
  const G = dcganGenerator({ width: s.width, latent: s.latent, padding: s.padding, rng });
  if (s.kind === 'gan') {
    const D = dcganDiscriminator({ width: s.width, padding: s.padding, rng });
    return {
      G,
      D,
      optG: new Optimizer(adam(2e-4, { b1: 0.5 }), G.trainableParameters()),
      optD: new Optimizer(adam(2e-4, { b1: 0.5 }), D.trainableParameters()),
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
