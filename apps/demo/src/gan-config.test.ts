// gan-config.ts's own cases beyond gan-session.test.ts: the loss a config records by default and when
// chosen, the page's limits at their edges, and the nets buildNets makes (a WGAN-GP critic without
// dropout, a GAN discriminator with it), freed on dispose.
import { CheckpointError, initBackend, Rng, readCheckpoint } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildNets,
  checkpointConfig,
  DEMO_LIMITS,
  type GanSettings,
  settingsFromCheckpoint,
} from './gan-config.js';
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
    expect(settingsFromCheckpoint({ ...info, config: { ...config, loss: 'minimax' } }).loss).toBe('minimax');
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
});
