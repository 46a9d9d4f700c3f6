import { CheckpointError, type CheckpointInfo } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { dcganCheckpointConfig } from './checkpoint-config.js';

/** A checkpoint's parsed form with only what the schema check reads: config and G's first weight shape. */
function info(config: unknown, firstWeight: number[] | null = [3, 7 * 7 * 4 * 2]): CheckpointInfo {
  const tensors = new Map();
  if (firstWeight) tensors.set('module.G.0.weight', { dtype: 'float32', shape: firstWeight });
  return { config, step: 1, tensors, optimizers: new Map() } as unknown as CheckpointInfo;
}

const good = { arch: 'dcgan', width: 2, latent: 3, padding: 'pytorch', loss: 'hinge' };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return String(e);
  }
  throw new Error('expected a CheckpointError');
}

describe('dcganCheckpointConfig', () => {
  it('returns the validated config, defaulting the padding of old checkpoints to same', () => {
    expect(dcganCheckpointConfig(info(good))).toEqual({ ...good, penalty: undefined, criticNorm: undefined });
    const { padding: _, ...old } = good;
    expect(dcganCheckpointConfig(info(old)).padding).toBe('same');
  });

  it('checks ranges against the reader limits, not only the defaults', () => {
    const limits = { width: { min: 1, max: 2 }, latent: { min: 1, max: 3 } };
    expect(dcganCheckpointConfig(info(good), { limits }).width).toBe(2);
    expect(
      refusal(() => dcganCheckpointConfig(info({ ...good, width: 4 }, [3, 7 * 7 * 16]), { limits })),
    ).toContain('config.width: 4 is not an integer in [1, 2]');
    expect(refusal(() => dcganCheckpointConfig(info({ ...good, width: 100_000 })))).toContain('config.width');
    expect(refusal(() => dcganCheckpointConfig(info({ ...good, latent: -5 })))).toContain('config.latent');
  });

  it('checks choices only where the schema names them', () => {
    expect(refusal(() => dcganCheckpointConfig(info(good), { losses: ['non-saturating'] }))).toContain(
      'config.loss',
    );
    expect(
      refusal(() => dcganCheckpointConfig(info({ ...good, penalty: 'dragan' }), { penalties: ['gp'] })),
    ).toContain('config.penalty');
    expect(dcganCheckpointConfig(info({ ...good, penalty: 'dragan' })).penalty).toBe('dragan');
  });

  it('refuses non-objects, inherited fields and configs that disagree with the tensors', () => {
    expect(refusal(() => dcganCheckpointConfig(info(null)))).toContain('config');
    expect(refusal(() => dcganCheckpointConfig(info([good])))).toContain('config');
    expect(refusal(() => dcganCheckpointConfig(info(Object.create(good))))).toContain('config.arch');
    expect(refusal(() => dcganCheckpointConfig(info(good, [3, 99])))).toContain(
      'module.G.0.weight is [3, 99]',
    );
    expect(refusal(() => dcganCheckpointConfig(info(good, null)))).toContain('module.G.0.weight');
  });
});
