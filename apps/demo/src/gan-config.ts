// The Fashion-MNIST GANs' settings and checkpoints: the config a checkpoint records (the same fields
// `lab gan train` and `lab wgan train` write, so `lab gan sample` reads the page's downloads), the
// nets and optimizers it implies, and the check of an uploaded checkpoint's config before anything is
// built from it. This check mirrors apps/cli/src/checkpoint-config.ts's dcganConfig, which no package
// exports yet (@lab/gan should: then the CLI and this page would share it).
import { adam, CheckpointError, type CheckpointInfo, type Module, Optimizer, type Rng } from '@lab/core';
import { type DcganPadding, dcganDiscriminator, dcganGenerator } from '@lab/gan';
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

const invalid = (field: string, detail: string) => new CheckpointError('InvalidField', field, detail);
const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);

function integerIn(value: unknown, field: string, { min, max }: { min: number; max: number }): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    throw invalid(field, `${JSON.stringify(value) ?? 'missing'} is not an integer in [${min}, ${max}]`);
  return value as number;
}

/**
 * The settings of a checkpoint read by core's readCheckpoint, validated field by field and against the
 * shape of the generator's first weight; throws a CheckpointError naming the field. Only what the page
 * can continue is accepted: a DCGAN with the BCE-family losses, or WGAN-GP with a plain critic.
 */
export function settingsFromCheckpoint(info: CheckpointInfo): GanSettings {
  const raw = info.config;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('config', `${JSON.stringify(raw) ?? 'missing'}: not a lab gan or wgan checkpoint`);
  const c = raw as Record<string, unknown>;
  if (own(c, 'arch') !== 'dcgan')
    throw invalid('config.arch', `${JSON.stringify(own(c, 'arch')) ?? 'missing'} is not 'dcgan'`);
  const width = integerIn(own(c, 'width'), 'config.width', DEMO_LIMITS.width);
  const latent = integerIn(own(c, 'latent'), 'config.latent', DEMO_LIMITS.latent);
  const padding = own(c, 'padding') ?? 'same'; // checkpoints from before it was recorded used 'same'
  if (padding !== 'pytorch' && padding !== 'same')
    throw invalid('config.padding', `${JSON.stringify(padding)} is not 'pytorch' or 'same'`);
  const penalty = own(c, 'penalty');
  let settings: GanSettings;
  if (penalty !== undefined) {
    if (penalty !== 'gp')
      throw invalid('config.penalty', `${JSON.stringify(penalty)}: the page continues WGAN-GP ('gp') only`);
    const norm = own(c, 'criticNorm') ?? 'none';
    if (norm !== 'none')
      throw invalid('config.criticNorm', `${JSON.stringify(norm)}: the page's critic has no normalisation`);
    settings = { kind: 'wgan-gp', width, latent, padding };
  } else {
    const loss = own(c, 'loss') ?? 'non-saturating';
    if (!GAN_LOSS_NAMES.includes(loss as GanLossName))
      throw invalid('config.loss', `${JSON.stringify(loss)} is not one of ${GAN_LOSS_NAMES.join(', ')}`);
    settings = { kind: 'gan', width, latent, padding, loss: loss as GanLossName };
  }
  const first = info.tensors.get('module.G.0.weight');
  if (!first) throw new CheckpointError('MissingTensor', 'module.G.0.weight', 'missing: no generator');
  const expected = [latent, 7 * 7 * 4 * width];
  if (first.shape.join() !== expected.join())
    throw new CheckpointError(
      'ShapeMismatch',
      'config',
      `width ${width} and latent ${latent} make a first weight of [${expected.join(', ')}] but module.G.0.weight is [${first.shape.join(', ')}]`,
    );
  return settings;
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
