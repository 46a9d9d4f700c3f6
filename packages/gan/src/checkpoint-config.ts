// What a DCGAN checkpoint of `lab gan` / `lab wgan` (and the demo's GAN page) records about its nets.
// One schema check of the configuration (types, ranges, and the sizes against the shapes of the
// generator's tensors) runs before any net is built, so a hostile config cannot make a reader build
// a huge net or fail deep inside the kernels. Pure: reading the file is the caller's part.
import { CheckpointError, type CheckpointInfo } from '@lab/core';
import type { DcganPadding } from './nets.js';

/** The configuration of a checkpoint's DCGAN nets, validated. */
export interface DcganCheckpointConfig {
  arch: 'dcgan';
  width: number;
  latent: number;
  /** Checkpoints written before PyTorch padding became the default record none: those used 'same'. */
  padding: DcganPadding;
  /** `lab gan`: the loss. */
  loss?: string;
  /** `lab wgan`: the Lipschitz constraint and the critic's normalisation. */
  penalty?: string;
  criticNorm?: string;
}

export interface IntegerRange {
  min: number;
  max: number;
}

export interface DcganCheckpointSchema {
  /** Allowed `loss` values (absent from the checkpoint: not checked). */
  losses?: readonly string[];
  penalties?: readonly string[];
  criticNorms?: readonly string[];
  /** The widths and latent sizes the reader is willing to build. */
  limits?: { width: IntegerRange; latent: IntegerRange };
}

/** What the command line builds: width 1024 makes a 4096-channel first layer. */
export const DCGAN_CHECKPOINT_LIMITS = {
  width: { min: 1, max: 1024 },
  latent: { min: 1, max: 10_000 },
} as const;

const invalid = (field: string, detail: string) => new CheckpointError('InvalidField', field, detail);

function ownField(config: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(config, key) ? config[key] : undefined;
}

function checkInteger(value: unknown, field: string, range: IntegerRange): number {
  if (!Number.isSafeInteger(value) || (value as number) < range.min || (value as number) > range.max)
    throw invalid(
      field,
      `${JSON.stringify(value) ?? 'missing'} is not an integer in [${range.min}, ${range.max}]`,
    );
  return value as number;
}

function checkChoice(
  value: unknown,
  field: string,
  choices: readonly string[] | undefined,
): string | undefined {
  if (value === undefined || choices === undefined) return value as string | undefined;
  if (typeof value !== 'string' || !choices.includes(value))
    throw invalid(field, `${JSON.stringify(value)} is not one of ${choices.join(', ')}`);
  return value;
}

/** The shape of the generator's first weight: Dense(latent -> 7 * 7 * 4 * width) for 28x28 images. */
const firstWeightShape = (c: { width: number; latent: number }) => [c.latent, 7 * 7 * 4 * c.width];

/**
 * Validates the `config` of a checkpoint against the schema of DCGAN checkpoints and against the
 * shapes of its generator's tensors. Throws CheckpointError naming the field.
 */
export function dcganCheckpointConfig(
  info: CheckpointInfo,
  schema: DcganCheckpointSchema = {},
): DcganCheckpointConfig {
  const limits = schema.limits ?? DCGAN_CHECKPOINT_LIMITS;
  const raw = info.config;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('config', `${JSON.stringify(raw) ?? 'missing'}: not a lab gan or wgan checkpoint`);
  const c = raw as Record<string, unknown>;
  const arch = ownField(c, 'arch');
  if (arch !== 'dcgan')
    throw invalid(
      'config.arch',
      `${JSON.stringify(arch) ?? 'missing'} is not 'dcgan': not a lab gan or wgan checkpoint`,
    );
  const width = checkInteger(ownField(c, 'width'), 'config.width', limits.width);
  const latent = checkInteger(ownField(c, 'latent'), 'config.latent', limits.latent);
  const padding = checkChoice(ownField(c, 'padding') ?? 'same', 'config.padding', ['pytorch', 'same']);
  const config: DcganCheckpointConfig = {
    arch,
    width,
    latent,
    padding: padding as DcganPadding,
    loss: checkChoice(ownField(c, 'loss'), 'config.loss', schema.losses),
    penalty: checkChoice(ownField(c, 'penalty'), 'config.penalty', schema.penalties),
    criticNorm: checkChoice(ownField(c, 'criticNorm'), 'config.criticNorm', schema.criticNorms),
  };
  const first = info.tensors.get('module.G.0.weight');
  if (!first)
    throw new CheckpointError(
      'MissingTensor',
      'module.G.0.weight',
      'missing: the checkpoint has no generator',
    );
  const expected = firstWeightShape(config);
  if (first.shape.join() !== expected.join())
    throw new CheckpointError(
      'ShapeMismatch',
      'config',
      `width ${width} and latent ${latent} make a first weight of [${expected.join(', ')}] but module.G.0.weight is [${first.shape.join(', ')}]`,
    );
  return config;
}
