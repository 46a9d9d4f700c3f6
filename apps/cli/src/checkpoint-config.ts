// What a `lab gan` / `lab wgan` checkpoint records about its nets, read back by train --resume,
// sample and eval. One schema check of the configuration (types, ranges, and the sizes against the
// shapes of the generator's tensors) runs before any net is built, so a hostile config cannot make
// `lab` build a huge net or fail deep inside the kernels.
import { existsSync } from 'node:fs';
import {
  CheckpointError,
  type CheckpointInfo,
  readCheckpoint,
  restoreCheckpoint,
  SafetensorsError,
} from '@lab/core';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';
import type { DcganPadding } from '@lab/gan';
import { LIMITS } from './options.js';

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

export interface CheckpointSchema {
  /** Allowed `loss` values (absent from the checkpoint: not checked). */
  losses?: readonly string[];
  penalties?: readonly string[];
  criticNorms?: readonly string[];
}

/** Runs `read` and names `path` in the errors of a broken file. */
export function inFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof CheckpointError || e instanceof SafetensorsError ? e.inFile(path) : e;
  }
}

const invalid = (field: string, detail: string) => new CheckpointError('InvalidField', field, detail);

function ownField(config: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(config, key) ? config[key] : undefined;
}

function checkInteger(value: unknown, field: string, range: { min: number; max: number }): number {
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
export function dcganConfig(info: CheckpointInfo, schema: CheckpointSchema = {}): DcganCheckpointConfig {
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
  const width = checkInteger(ownField(c, 'width'), 'config.width', LIMITS.width);
  const latent = checkInteger(ownField(c, 'latent'), 'config.latent', LIMITS.latent);
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

/** Reads a DCGAN checkpoint's bytes and validated config; errors name the file. */
export function readDcganCheckpoint(
  path: string,
  schema: CheckpointSchema = {},
): { bytes: Uint8Array; config: DcganCheckpointConfig; step: number } {
  const bytes = readFileLimited(path, FILE_LIMITS.tensors);
  return inFile(path, () => {
    const info = readCheckpoint(bytes);
    return { bytes, config: dcganConfig(info, schema), step: info.step };
  });
}

/**
 * The validated config of the checkpoint a resumed run continues, or undefined for a fresh run;
 * refuses a checkpoint that is already at or past the run's last step.
 */
export function resumedConfig(
  path: string,
  resume: boolean,
  steps: number,
  schema: CheckpointSchema = {},
): DcganCheckpointConfig | undefined {
  if (!resume || !existsSync(path)) return undefined;
  const { config, step } = readDcganCheckpoint(path, schema);
  if (step >= steps)
    throw new Error(`${path} is at step ${step}: --steps ${steps} leaves nothing to train (pass more steps)`);
  return config;
}

/** Restores modules for sampling or evaluation (finite weights only); errors name the file. */
export function restoreForInference(
  path: string,
  bytes: Uint8Array,
  modules: Parameters<typeof restoreCheckpoint>[1]['modules'],
): void {
  inFile(path, () => restoreCheckpoint(bytes, { modules }));
}

/** Refuses a resumed run whose settings differ from its checkpoint's. */
export function checkResumeMatches(
  path: string,
  saved: DcganCheckpointConfig,
  wanted: Partial<Record<'width' | 'latent' | 'loss' | 'penalty' | 'criticNorm', string | number>>,
): void {
  const differ = Object.entries(wanted).filter(
    ([k, v]) =>
      saved[k as keyof DcganCheckpointConfig] !== undefined && saved[k as keyof DcganCheckpointConfig] !== v,
  );
  if (differ.length > 0)
    throw new Error(
      `${path} was trained with ${differ.map(([k]) => `${k} ${saved[k as keyof DcganCheckpointConfig]}`).join(', ')}; pass the same settings (got ${differ.map(([k, v]) => `${k} ${v}`).join(', ')})`,
    );
}
