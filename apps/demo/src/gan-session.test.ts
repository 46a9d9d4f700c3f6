// The GAN page's training session and checkpoints, on the CPU backend with tiny nets: a checkpoint
// continues the run exactly (with its recipe), slices leak no tensor, the config is the CLI's, the
// EMA generator is checkpointed where `lab gan sample --ema` reads it, and a hostile upload is refused
// with an error naming the field before any net is built or changed.
import {
  CheckpointError,
  checkpointToBytes,
  initBackend,
  parseSafetensors,
  readCheckpoint,
  restoreCheckpoint,
  SafetensorsError,
  serializeSafetensors,
} from '@lab/core';
import { dcganGenerator } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointConfig, type GanKind, type GanSettings, settingsFromCheckpoint } from './gan-config.js';
import { baselineRecipe, pageRecipe, recipeRecord } from './gan-recipe.js';
import { GanSession } from './gan-session.js';

let images: tf.Tensor4D;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' }); // with @lab's gradients
  images = tf.randomUniform([16, 28, 28, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
});
afterAll(() => images.dispose());

/** The same checkpoint with another config (tensors and the rest of the metadata as they were). */
function withConfig(bytes: Uint8Array, config: unknown): Uint8Array {
  const { tensors, metadata } = parseSafetensors(bytes);
  const lab = { ...JSON.parse(metadata.lab!), config };
  const entries = Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.bytes.slice() }]),
  );
  return serializeSafetensors(entries, { ...metadata, lab: JSON.stringify(lab) });
}

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
      recipe: { recipe: 'baseline', loss: 'non-saturating', lrG: 2e-4, lrD: 2e-4, spectralNorm: false },
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
    refuse({ ...good, recipe: { ...(good.recipe as object), recipe: 'postmodern' } }, 'config.recipe.recipe');
    expect(settingsFromCheckpoint(info)).toEqual({
      ...settings('gan'),
      loss: 'non-saturating',
      recipe: baselineRecipe(),
    });
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

describe('modern recipe session', () => {
  const modern = (diffAugment: boolean): GanSettings => ({
    ...settings('gan'),
    ...pageRecipe('modern', { diffAugment }),
  });
  const create = (diffAugment = false, seed = 5) =>
    GanSession.create({ settings: modern(diffAugment), images, batchSize: 4, seed });

  it('trains a few steps with DiffAugment leak-free, samples the EMA generator, and frees everything', () => {
    const before = tf.memory().numTensors;
    const s = create(true);
    expect(s.sampled).toBe('Gema');
    const metrics = s.train(1);
    const afterOne = tf.memory().numTensors;
    // step 0 carries the lazy R1 penalty (every 16th D update from 0): the others do not
    metrics.push(...s.train(3));
    s.samples();
    s.checkpoint();
    expect(tf.memory().numTensors).toBe(afterOne);
    expect(metrics).toHaveLength(4);
    for (const m of metrics) for (const k of ['dLoss', 'gLoss']) expect(Number.isFinite(m[k])).toBe(true);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("round-trips: the checkpoint records the recipe as lab gan train does and holds the EMA generator as 'Gema'", () => {
    const a = create(true);
    a.train(2);
    const bytes = a.checkpoint();
    const info = readCheckpoint(bytes);
    expect(info.config).toEqual({
      arch: 'dcgan',
      width: 2,
      latent: 3,
      padding: 'pytorch',
      loss: 'hinge',
      recipe: recipeRecord('hinge', modern(true).recipe!),
    });
    expect([...info.tensors.keys()].some((k) => k.startsWith('module.Gema.'))).toBe(true);
    // what `lab gan sample --ema` does: Gema's tensors loaded into a plain generator draw the page's grid
    const G = dcganGenerator({ width: 2, latent: 3, padding: 'pytorch' });
    restoreCheckpoint(bytes, { modules: { Gema: G } });
    G.eval();
    const noise = tf.randomNormal([64, 3], 0, 1, 'float32', 12345);
    const drawn = tf.tidy(() => G.forward(noise));
    expect(Array.from(drawn.dataSync())).toEqual(Array.from(a.samples()));
    // the EMA generator is not the raw one: the average lags behind it
    const raw = dcganGenerator({ width: 2, latent: 3, padding: 'pytorch' });
    restoreCheckpoint(bytes, { modules: { G: raw } });
    raw.eval();
    const rawDrawn = tf.tidy(() => raw.forward(noise));
    expect(Array.from(rawDrawn.dataSync())).not.toEqual(Array.from(a.samples()));
    tf.dispose([noise, drawn, rawDrawn]);
    G.dispose();
    raw.dispose();

    // an upload continues with its recipe, exactly where the run was
    const next = a.train(2);
    const b = GanSession.fromCheckpoint(bytes, { images, batchSize: 4, seed: 99 });
    expect(b.settings).toEqual(a.settings);
    expect(b.step).toBe(2);
    expect(b.sampled).toBe('Gema');
    expect(b.train(2)).toEqual(next);
    expect(b.samples()).toEqual(a.samples());
    a.dispose();
    b.dispose();
  });

  it('refuses a bad recipe name and a recipe that does not match the tensors, building nothing that stays', () => {
    const s = create();
    s.train(1);
    const bytes = s.checkpoint();
    s.dispose();
    const baseline = GanSession.create({ settings: settings('gan'), images, batchSize: 4, seed: 5 });
    const baselineBytes = baseline.checkpoint();
    baseline.dispose();
    const config = readCheckpoint(bytes).config as Record<string, unknown>;
    const record = config.recipe as Record<string, unknown>;
    const before = tf.memory().numTensors;
    const refused = (file: Uint8Array, recipe: unknown, message: RegExp) => {
      const load = () =>
        GanSession.fromCheckpoint(withConfig(file, { ...config, recipe }), { images, batchSize: 4, seed: 1 });
      expect(load).toThrow(CheckpointError);
      expect(load).toThrow(message);
    };
    refused(
      bytes,
      { ...record, recipe: 'postmodern' },
      /config\.recipe\.recipe: "postmodern" is not one of baseline, modern/,
    );
    // the recipe says no EMA but the file holds one: refused, not dropped
    const { ema: _, ...noEma } = record;
    refused(bytes, noEma, /config\.recipe\.ema: missing, but the checkpoint holds an EMA generator/);
    // the recipe says no spectral norm but D has its state: the restore names the tensor
    refused(bytes, { ...record, spectralNorm: false }, /module\.D\.\S+: the module has no state/);
    // a file without an EMA generator cannot continue an EMA recipe
    refused(baselineBytes, record, /module\.Gema/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
