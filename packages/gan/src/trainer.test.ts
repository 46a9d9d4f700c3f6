import {
  adam,
  averager,
  checkpointToBytes,
  ema,
  initBackend,
  Optimizer,
  Rng,
  restoreCheckpoint,
} from '@lab/core';
import { jensenShannon } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dcganDiscriminator, dcganGenerator } from './nets.js';
import { copyModuleState } from './recipes/ema.js';
import { trainGan } from './trainer.js';

const N = 32;
let realImages: tf.Tensor;
const data = {
  count: N,
  batch: (idx: Int32Array) => tf.tidy(() => tf.gather(realImages, tf.tensor1d(idx, 'int32'))),
};

function setup(seed: number) {
  const rng = new Rng(seed);
  const G = dcganGenerator({ width: 2, latent: 4, rng });
  const D = dcganDiscriminator({ width: 2, rng });
  return {
    rng,
    G,
    D,
    optG: new Optimizer(adam(2e-4, { b1: 0.5 }), G.trainableParameters()),
    optD: new Optimizer(adam(2e-4, { b1: 0.5 }), D.trainableParameters()),
  };
}
const weights = (s: ReturnType<typeof setup>) =>
  [...Object.values(s.G.stateDict()), ...Object.values(s.D.stateDict())].map((v) => Array.from(v.dataSync()));

describe('trainGan', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', fallback: false });
    realImages = tf.randomUniform([N, 28, 28, 1], -1, 1, 'float32', 9);
  });
  it('runs k discriminator steps per generator step, emits fixed-noise grids, and leaks nothing', () => {
    const s = setup(1);
    const grids: number[] = [];
    const before = tf.memory().numTensors;
    const r = trainGan({
      ...s,
      data,
      latent: 4,
      batchSize: 8,
      steps: 6,
      dSteps: 2,
      sampleEvery: 3,
      sampleCount: 16,
      onSamples: (step, x) => {
        expect(x.shape).toEqual([16, 28, 28, 1]);
        grids.push(step);
      },
    });
    expect(r.stepsDone).toBe(6);
    expect(grids).toEqual([3, 6]);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('resumes exactly from a checkpoint, with any loss (here least squares and f-GAN JS)', () => {
    for (const loss of ['least-squares', jensenShannon()] as const) {
      const a = setup(2);
      trainGan({ ...a, data, latent: 4, batchSize: 8, steps: 8, loss });
      const b = setup(2);
      let saved: Uint8Array | undefined;
      trainGan({
        ...b,
        data,
        latent: 4,
        batchSize: 8,
        steps: 4,
        loss,
        checkpointEvery: 4,
        saveCheckpoint: (step) => {
          saved = checkpointToBytes({
            modules: { G: b.G, D: b.D },
            optimizers: { G: b.optG, D: b.optD },
            step,
            rng: b.rng.getState(),
          });
        },
      });
      const c = setup(3); // fresh, different weights: everything must come from the checkpoint
      const restored = restoreCheckpoint(saved!, {
        modules: { G: c.G, D: c.D },
        optimizers: { G: c.optG, D: c.optD },
      });
      c.rng.setState(restored.rng!);
      trainGan({ ...c, data, latent: 4, batchSize: 8, steps: 8, startStep: restored.step, loss });
      expect(weights(c)).toEqual(weights(a));
    }
  });
  it("keeps an EMA of the generator's weights through the loop's averager, leak-free", () => {
    const s = setup(5);
    const vars = s.G.trainableParameters();
    const name = Object.keys(vars)[0]!;
    const hand = Array.from(vars[name]!.dataSync(), Number);
    const average = averager(vars, ema(0.5));
    const counted = tf.memory().numTensors;
    const seen: number[] = [];
    trainGan({
      ...s,
      data,
      latent: 4,
      batchSize: 8,
      steps: 4,
      average,
      hooks: [
        {
          afterStep: (e) => {
            seen.push(e.step);
            // the hook runs after the update: fold this step's weights into the hand computation
            vars[name]!.dataSync().forEach((v, i) => {
              hand[i] = 0.5 * hand[i]! + 0.5 * v;
            });
          },
        },
      ],
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    const got = average.average()[name]!.dataSync();
    hand.forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 6);
    });
    expect(Array.from(got)).not.toEqual(Array.from(vars[name]!.dataSync()));
    expect(tf.memory().numTensors).toBe(counted);
    average.dispose();
  });
  it('rejects bad settings', () => {
    const s = setup(4);
    expect(() => trainGan({ ...s, data, latent: 4, batchSize: 64, steps: 1 })).toThrow(
      /batchSize 64 exceeds/,
    );
    expect(() => trainGan({ ...s, data, latent: 4, batchSize: 8, steps: 1, dSteps: 0 })).toThrow(/dSteps/);
  });
  it('trains bit-identically at defaults when the augmentation path runs at zero strength', () => {
    const a = setup(6);
    trainGan({ ...a, data, latent: 4, batchSize: 8, steps: 3, dSteps: 2 });
    const b = setup(6);
    const none = { color: 0, translation: 0, cutout: 0 };
    trainGan({ ...b, data, latent: 4, batchSize: 8, steps: 3, dSteps: 2, diffAugment: none });
    expect(weights(b)).toEqual(weights(a));
    expect(b.rng.getState()).toEqual(a.rng.getState());
  });
  describe('the modern recipe (EMA, hinge, lazy R1, spectral norm, DiffAugment) all on', () => {
    function modern(seed: number) {
      const rng = new Rng(seed);
      const G = dcganGenerator({ width: 2, latent: 4, rng });
      const D = dcganDiscriminator({ width: 2, rng, spectralNorm: true });
      const Gema = dcganGenerator({ width: 2, latent: 4, rng: new Rng(99) });
      copyModuleState(G, Gema);
      return {
        rng,
        G,
        D,
        Gema,
        optG: new Optimizer(adam(1e-4, { b1: 0.5 }), G.trainableParameters()),
        optD: new Optimizer(adam(4e-4, { b1: 0.5 }), D.trainableParameters()),
      };
    }
    const options = (s: ReturnType<typeof modern>) => ({
      G: s.G,
      D: s.D,
      optG: s.optG,
      optD: s.optD,
      rng: s.rng,
      data,
      latent: 4,
      batchSize: 8,
      dSteps: 2,
      loss: 'hinge' as const,
      ema: { generator: s.Gema, decay: 0.9, warmup: true },
      r1: { gamma: 1, every: 3 },
      diffAugment: {},
    });
    const all = (s: ReturnType<typeof modern>) =>
      [s.G, s.D, s.Gema].flatMap((m) => Object.values(m.stateDict()).map((v) => Array.from(v.dataSync())));
    it('trains leak-free, samples the EMA generator beside the raw one, and keeps them apart', () => {
      const s = modern(1);
      const before = tf.memory().numTensors;
      const grids: string[] = [];
      trainGan({
        ...options(s),
        steps: 4,
        sampleEvery: 2,
        sampleCount: 4,
        onSamples: (step) => grids.push(`G ${step}`),
        onEmaSamples: (step, x) => {
          expect(x.shape).toEqual([4, 28, 28, 1]);
          grids.push(`ema ${step}`);
        },
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(grids).toEqual(['G 2', 'ema 2', 'G 4', 'ema 4']);
      const g = Array.from(s.G.parameters()['0.weight']!.dataSync());
      const e = Array.from(s.Gema.parameters()['0.weight']!.dataSync());
      expect(e).not.toEqual(g);
      expect(e.every(Number.isFinite)).toBe(true);
    });
    it('resumes exactly from a checkpoint that holds the EMA generator as its own module', () => {
      const a = modern(2);
      trainGan({ ...options(a), steps: 6 });
      const b = modern(2);
      let saved: Uint8Array | undefined;
      trainGan({
        ...options(b),
        steps: 3,
        checkpointEvery: 3,
        saveCheckpoint: (step) => {
          saved = checkpointToBytes({
            modules: { G: b.G, D: b.D, Gema: b.Gema },
            optimizers: { G: b.optG, D: b.optD },
            step,
            rng: b.rng.getState(),
          });
        },
      });
      const c = modern(3);
      const restored = restoreCheckpoint(saved!, {
        modules: { G: c.G, D: c.D, Gema: c.Gema },
        optimizers: { G: c.optG, D: c.optD },
      });
      c.rng.setState(restored.rng!);
      trainGan({ ...options(c), steps: 6, startStep: restored.step });
      expect(all(c)).toEqual(all(a));
    });
    it('rejects ema together with average, and bad R1 or augmentation settings', () => {
      const s = modern(4);
      const base = { ...options(s), steps: 1 };
      expect(() => trainGan({ ...base, average: averager(s.G.trainableParameters(), ema(0.5)) })).toThrow(
        /ema or average/,
      );
      expect(() => trainGan({ ...base, r1: { gamma: -1 } })).toThrow(/r1.gamma/);
      expect(() => trainGan({ ...base, diffAugment: { cutout: 3 } })).toThrow(/diffAugment.cutout/);
    });
  });
});
