// What a `lab gan` / `lab wgan` checkpoint records about its nets, read back by train --resume,
// sample and eval.
import { existsSync, readFileSync } from 'node:fs';
import { parseSafetensors } from '@lab/core';
import type { DcganPadding } from '@lab/gan';

/** The `config` a lab checkpoint was written with (undefined when it has none). */
export function savedConfig<T>(bytes: Uint8Array): T | undefined {
  return JSON.parse(parseSafetensors(bytes).metadata.lab ?? '{}').config as T | undefined;
}

/** The config of the checkpoint a resumed run continues, or undefined for a fresh run. */
export function resumedConfig<T>(path: string, resume: boolean): T | undefined {
  return resume && existsSync(path) ? savedConfig<T>(readFileSync(path)) : undefined;
}

/** The padding of a checkpoint's DCGAN nets: those written before it was recorded used 'same'. */
export function savedPadding(config: { padding?: DcganPadding }): DcganPadding {
  return config.padding ?? 'same';
}
