// gan-config.ts's own cases beyond gan-session.test.ts: the loss and recipe a config records by
// default and when chosen, the page's limits at their edges, the nets buildNets makes (a WGAN-GP
// critic without dropout, a GAN discriminator with it; the recipe's spectral norm, EMA generator and
// learning rates), and the options a recipe hands trainGan, all freed on dispose.
import { CheckpointError, initBackend, Rng, readCheckpoint } from '@lab/core';
import { MODERN_RECIPE } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildNets,
  checkpointConfig,
  DEMO_LIMITS,
  disposeNets,
  type GanSettings,
  recipeTrainOptions,
  settingsFromCheckpoint,
} from './gan-config.js';
import { pageRecipe } from './gan-recipe.js';
import { GanSession } from './gan-session.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const gan: GanSettings = { kind: 'gan', width: 2, latent: 3, padding: 'pytorch' };

describe('checkpointConfig', () => {
  it('records the chosen loss, non-saturating when none is chosen', () => {
    expect(checkpointConfig({ ...gan, loss: 'least-squares' }).loss).toBe('least-squares');
    expect(checkpointConfig(gan).loss).toBe('non-saturating');
    expect('loss' in checkpointConfig({ ...gan, kind: 'wgan-gp', loss: 'minimax' })).toBe(false);
  });

  it("records the DCGAN's recipe as lab gan train does (the baseline when none is set), WGAN-GP none", () => {
    expect(checkpointConfig(gan).recipe).toEqual({
      recipe: 'baseline',
      loss: 'non-saturating',
      lrG: 2e-4,
      lrD: 2e-4,
      spectralNorm: false,
    });
    const modern = checkpointConfig({ ...gan, ...pageRecipe('modern') });
    expect(modern.loss).toBe('hinge');
    expect(modern.recipe).toMatchObject({ recipe: 'modern', loss: 'hinge', spectralNorm: true });
    expect('recipe' in checkpointConfig({ ...gan, ...pageRecipe('modern'), kind: 'wgan-gp' })).toBe(false);
  });
});

describe('recipeTrainOptions', () => {
  it("hands trainGan the recipe's loss, EMA generator, lazy R1 and DiffAugment, and nothing for the baseline", () => {
    const Gema = buildNets({ ...gan, ...pageRecipe('modern') }, new Rng(1));
    const modern = { ...gan, ...pageRecipe('modern', { diffAugment: true }) };
    const options = recipeTrainOptions(modern, Gema);
    expect(options).toEqual({
      loss: 'hinge',
      ema: { ...MODERN_RECIPE.ema, generator: Gema.Gema },
      r1: MODERN_RECIPE.r1,
      diffAugment: { color: 1, translation: 0.125, cutout: 0.5 },
    });
    expect(options.ema?.generator).toBe(Gema.Gema);
    expect(recipeTrainOptions({ ...gan, ...pageRecipe('baseline') }, {})).toEqual({ loss: 'non-saturating' });
    expect(recipeTrainOptions({ ...gan, loss: 'least-squares' }, {})).toEqual({ loss: 'least-squares' });
    // an EMA recipe without its generator is a programming error, not a silent baseline run
    expect(() => recipeTrainOptions(modern, {})).toThrow(/EMA generator/);
    disposeNets(Gema);
  });
});

describe('settingsFromCheckpoint', () => {
  it("refuses widths and latents just past the page's limits, naming the field", () => {
    const images = tf.zeros([4, 28, 28, 1]) as tf.Tensor4D;
    const s = GanSession.create({ settings: gan, images, batchSize: 2, seed: 1 });
    const info = readCheckpoint(s.checkpoint());
    s.dispose();
    images.dispose();
    const config = info.config as Record<string, unknown>;
    for (const [field, value] of [
      ['width', DEMO_LIMITS.width.max + 1],
      ['width', 0],
      ['latent', DEMO_LIMITS.latent.max + 1],
    ] as const) {
      const bad = () => settingsFromCheckpoint({ ...info, config: { ...config, [field]: value } });
      expect(bad).toThrow(CheckpointError);
      expect(bad).toThrow(`config.${field}`);
    }
    const { recipe: _, ...noRecipe } = config;
    expect(settingsFromCheckpoint({ ...info, config: { ...noRecipe, loss: 'minimax' } }).loss).toBe(
      'minimax',
    );
  });
});

describe('buildNets', () => {
  it("makes G from the latent to 28x28 images and D to one logit; only the GAN's D drops out", () => {
    const before = tf.memory().numTensors;
    for (const kind of ['gan', 'wgan-gp'] as const) {
      const nets = buildNets({ ...gan, kind }, new Rng(2));
      tf.tidy(() => {
        const fake = nets.G.forward(tf.randomNormal([5, 3], 0, 1, 'float32', 1));
        expect(fake.shape).toEqual([5, 28, 28, 1]);
        const a = nets.D.forward(fake);
        const b = nets.D.forward(fake);
        expect(a.shape).toEqual([5, 1]);
        // training mode: dropout draws a new mask each call; a WGAN-GP critic has none
        const same = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] === 0;
        expect(same, kind).toBe(kind === 'wgan-gp');
      });
      for (const m of [nets.G, nets.D, nets.optG, nets.optD]) m.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("builds the modern recipe's nets: spectral norm in D, an EMA copy of G, Adam at lrG and lrD", () => {
    const before = tf.memory().numTensors;
    const baseline = buildNets(gan, new Rng(2));
    const modern = buildNets({ ...gan, ...pageRecipe('modern') }, new Rng(2));
    expect(baseline.Gema).toBeUndefined();
    // spectral norm keeps power-iteration state beside each normalised weight
    const dKeys = (n: typeof modern) => Object.keys(n.D.stateDict()).length;
    expect(dKeys(modern)).toBeGreaterThan(dKeys(baseline));
    // the same draws as the baseline for G, and the average starts as G
    const gState = modern.G.stateDict();
    for (const [k, v] of Object.entries(baseline.G.stateDict()))
      expect(Array.from(gState[k]!.dataSync()), k).toEqual(Array.from(v.dataSync()));
    for (const [k, v] of Object.entries(modern.Gema!.stateDict()))
      expect(Array.from(v.dataSync()), k).toEqual(Array.from(gState[k]!.dataSync()));
    // Adam's first step moves every weight with a non-zero gradient by its learning rate
    const firstStep = (nets: typeof modern, which: 'G' | 'D') => {
      const params = nets[which].trainableParameters();
      const [name, w] = Object.entries(params)[0]!;
      const old = w.dataSync().slice();
      const grads = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.onesLike(p)]));
      nets[which === 'G' ? 'optG' : 'optD'].step(grads);
      tf.dispose(Object.values(grads));
      const moved = w.dataSync().map((x, i) => Math.abs(x - old[i]!));
      return { name, moved: Math.max(...moved), least: Math.min(...moved) };
    };
    for (const [nets, which, lr] of [
      [baseline, 'G', 2e-4],
      [baseline, 'D', 2e-4],
      [modern, 'G', MODERN_RECIPE.lrG],
      [modern, 'D', MODERN_RECIPE.lrD],
    ] as const) {
      const { name, moved, least } = firstStep(nets, which);
      expect(moved, `${which}.${name}`).toBeCloseTo(lr, 6);
      expect(least, `${which}.${name}`).toBeCloseTo(lr, 6);
    }
    disposeNets(baseline);
    disposeNets(modern);
    expect(tf.memory().numTensors).toBe(before);
  });
});
