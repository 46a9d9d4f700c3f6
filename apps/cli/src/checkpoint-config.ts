// Reading `lab gan` / `lab wgan` checkpoints back for train --resume, sample and eval: the file (within
// a size limit), its errors named by path, and @lab/gan's schema check of the config within the command
// line's limits.
import { existsSync } from 'node:fs';
import {
  CheckpointError,
  type CheckpointInfo,
  readCheckpoint,
  restoreCheckpoint,
  SafetensorsError,
} from '@lab/core';
import { FILE_LIMITS, readFileLimited } from '@lab/core/node';
import { type DcganCheckpointConfig, type DcganCheckpointSchema, dcganCheckpointConfig } from '@lab/gan';
import { LIMITS } from './options.js';

export type { DcganCheckpointConfig } from '@lab/gan';

/** The choices a command accepts; the ranges are the command line's LIMITS. */
export type CheckpointSchema = Omit<DcganCheckpointSchema, 'limits'>;

/** Runs `read` and names `path` in the errors of a broken file. */
export function inFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof CheckpointError || e instanceof SafetensorsError ? e.inFile(path) : e;
  }
}

/**
 * Validates the `config` of a checkpoint against the schema of DCGAN checkpoints and against the
 * shapes of its generator's tensors, within the command line's limits. Throws CheckpointError naming the field.
 */
export function dcganConfig(info: CheckpointInfo, schema: CheckpointSchema = {}): DcganCheckpointConfig {
  return dcganCheckpointConfig(info, { ...schema, limits: { width: LIMITS.width, latent: LIMITS.latent } });
}

/** Reads a DCGAN checkpoint's bytes and validated config; errors name the file. */
export function readDcganCheckpoint(
  path: string,
  schema: CheckpointSchema = {},
): { bytes: Uint8Array; config: DcganCheckpointConfig; raw: Record<string, unknown>; step: number } {
  const bytes = readFileLimited(path, FILE_LIMITS.tensors);
  return inFile(path, () => {
    const info = readCheckpoint(bytes);
    // dcganConfig has checked that info.config is a plain object
    const config = dcganConfig(info, schema);
    return { bytes, config, raw: info.config as Record<string, unknown>, step: info.step };
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
  return resumedCheckpoint(path, resume, steps, schema)?.config;
}

/** resumedConfig, with the config as recorded (`raw`) for the readers of its other fields. */
export function resumedCheckpoint(
  path: string,
  resume: boolean,
  steps: number,
  schema: CheckpointSchema = {},
): { config: DcganCheckpointConfig; raw: Record<string, unknown> } | undefined {
  if (!resume || !existsSync(path)) return undefined;
  const { config, raw, step } = readDcganCheckpoint(path, schema);
  if (step >= steps)
    throw new Error(`${path} is at step ${step}: --steps ${steps} leaves nothing to train (pass more steps)`);
  return { config, raw };
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
