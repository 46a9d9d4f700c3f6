// The GAN page's training session and checkpoints, on the CPU backend with tiny nets: a checkpoint
// continues the run exactly, slices leak no tensor, the config is the CLI's, and a hostile upload is
// refused with an error naming the field before any net is built or changed.
import { CheckpointError, checkpointToBytes, initBackend, readCheckpoint, SafetensorsError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointConfig, type GanKind, type GanSettings, settingsFromCheckpoint } from './gan-config.js';
import { GanSession } from './gan-session.js';

let images: tf.Tensor4D;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' }); // with @lab's gradients
  images = tf.randomUniform([16, 28, 28, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
});
afterAll(() => images.dispose());

const settings = (kind: GanKind): GanSettings => ({ kind, width: 2, latent: 3, padding: 'pytorch' });
const session = (kind: GanKind) =>
  GanSession.create({ settings: settings(kind), images, batchSize: 4, seed: 5 });

describe.each(['gan', 'wgan-gp'] as const)('%s session', (kind) => {
  it('continues from its checkpoint exactly where it was', () => {
    const a = session(kind);
    a.train(2);
    const bytes = a.checkpoint();
    const next = a.train(2);
    const b = GanSession.fromCheckpoint(bytes, { images, batchSize: 4, seed: 99 });
    expect(b.step).toBe(2);
    expect(b.settings).toMatchObject(a.settings);
    expect(b.train(2)).toEqual(next);
    expect(b.samples()).toEqual(a.samples());
    a.dispose();
    b.dispose();
  });

  it('trains slice after slice without leaking tensors, and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const s = session(kind);
    const metrics = s.train(1);
    const afterOne = tf.memory().numTensors;
    metrics.push(...s.train(2));
    s.samples();
    s.checkpoint();
    expect(tf.memory().numTensors).toBe(afterOne);
    expect(metrics).toHaveLength(3);
    const keys = kind === 'gan' ? ['dLoss', 'gLoss'] : ['wEstimate', 'criticLoss', 'penalty', 'gLoss'];
    for (const m of metrics) for (const k of keys) expect(Number.isFinite(m[k])).toBe(true);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkpoint config', () => {
  it('records what lab gan train and lab wgan train record', () => {
    expect(checkpointConfig(settings('gan'))).toEqual({
      arch: 'dcgan',
      width: 2,
      latent: 3,
      padding: 'pytorch',
      loss: 'non-saturating',
    });
    expect(checkpointConfig(settings('wgan-gp'))).toEqual({
      arch: 'dcgan',
      width: 2,
      latent: 3,
      padding: 'pytorch',
      penalty: 'gp',
      criticNorm: 'none',
    });
  });

  it('refuses hostile configs, naming the field', () => {
    const s = session('gan');
    const info = readCheckpoint(s.checkpoint());
    s.dispose();
    const refuse = (config: unknown, field: string) => {
      let error: unknown;
      try {
        settingsFromCheckpoint({ ...info, config });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect(String(error)).toContain(field);
    };
    const good = info.config as Record<string, unknown>;
    refuse(undefined, 'config');
    refuse([1], 'config');
    refuse({ ...good, arch: 'mlp' }, 'config.arch');
    refuse({ ...good, width: 100_000 }, 'config.width'); // would build a huge net
    refuse({ ...good, width: 2.5 }, 'config.width');
    refuse({ ...good, latent: -1 }, 'config.latent');
    refuse({ ...good, padding: 'valid' }, 'config.padding');
    refuse({ ...good, loss: 'fgan-kl' }, 'config.loss');
    refuse({ ...good, penalty: 'dragan' }, 'config.penalty');
    refuse({ ...good, penalty: 'gp', criticNorm: 'layer' }, 'config.criticNorm');
    refuse({ ...good, width: 3 }, 'module.G.0.weight is [3, 392]'); // config and tensors disagree
    const noG = { ...info, tensors: new Map([...info.tensors].filter(([k]) => !k.startsWith('module.G.'))) };
    expect(() => settingsFromCheckpoint(noG)).toThrow(/module\.G\.0\.weight/);
    expect(settingsFromCheckpoint(info)).toEqual({ ...settings('gan'), loss: 'non-saturating' });
  });

  it('refuses broken files and nets that do not fit, and builds nothing that stays', () => {
    const s = session('wgan-gp');
    const bytes = s.checkpoint();
    s.dispose();
    const before = tf.memory().numTensors;
    const load = (b: Uint8Array) => () => GanSession.fromCheckpoint(b, { images, batchSize: 4, seed: 1 });
    expect(load(bytes.subarray(0, bytes.length - 10))).toThrow(SafetensorsError);
    expect(load(new TextEncoder().encode('not a checkpoint at all'))).toThrow(SafetensorsError);
    // a generator alone (no critic, no optimizers): the restore names what is missing
    const g = GanSession.create({ settings: settings('gan'), images, batchSize: 4, seed: 2 });
    const onlyConfig = checkpointToBytes({ config: checkpointConfig(settings('gan')) });
    g.dispose();
    expect(load(onlyConfig)).toThrow(/module\.G\.0\.weight/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
