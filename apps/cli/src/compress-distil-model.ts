// The model file of `lab compress distil`: an @lab/compress mlp (sizes and dropout rates in the config) as a
// core module file, so a teacher written by one run can be read by the next.

import { mlp } from '@lab/compress';
import {
  configObject,
  integerField,
  loadModule,
  ModelFileError,
  numberField,
  type Sequential,
  saveModule,
} from '@lab/core';

export const MLP_KIND = { kind: 'compress.mlp', version: 1 } as const;

export interface MlpConfig {
  sizes: number[];
  inputDropout: number;
  hiddenDropout: number;
}

/** Checks an untrusted config; every problem names its field. */
export function validateMlpConfig(raw: unknown): MlpConfig {
  const c = configObject(raw);
  const sizes = c.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.length > 64)
    throw new ModelFileError('config.sizes', 'must be an array of 2 to 64 layer sizes');
  const checked = sizes.map((_, i) =>
    integerField(
      sizes as unknown as Record<string, unknown>,
      String(i),
      { min: 1, max: 1 << 16 },
      'config.sizes',
    ),
  );
  return {
    sizes: checked,
    inputDropout: numberField(c, 'inputDropout', { min: 0, max: 0.99, default: 0 }),
    hiddenDropout: numberField(c, 'hiddenDropout', { min: 0, max: 0.99, default: 0 }),
  };
}

export function mlpBytes(model: Sequential, config: MlpConfig, metadata: Record<string, string>): Uint8Array {
  return saveModule(model, config, MLP_KIND, { metadata });
}

export function mlpFromBytes(bytes: Uint8Array): { model: Sequential; config: MlpConfig } {
  const { module, config } = loadModule(bytes, {
    ...MLP_KIND,
    validateConfig: validateMlpConfig,
    build: (c) => mlp(c.sizes, { inputDropout: c.inputDropout, hiddenDropout: c.hiddenDropout }),
  });
  return { model: module, config };
}
