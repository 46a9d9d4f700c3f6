// A GAN trainer: alternating updates (k discriminator steps per generator step) with any optimizer,
// a fixed-noise sample grid every N steps, checkpoints and exact resume, progress events and a NaN
// guard, all through @lab/core's training-loop driver. Leak-free: the tensor count stays flat.
import {
  type Averager,
  type Module,
  type Optimizer,
  Rng,
  runTrainingLoop,
  type StepEvent,
  type TrainingHook,
  type TrainingResult,
  valueAndGrads,
} from '@lab/core';
import type { FDivergence } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';
import { fganCriticLoss, fganGeneratorLoss } from './fgan.js';
import {
  discriminatorLoss,
  generatorLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
} from './losses.js';
import { ganStep } from './step.js';

export type GanLoss = 'non-saturating' | 'minimax' | 'least-squares' | FDivergence;

export interface RealData {
  count: number;
  /** Real samples for the given example indices, scaled like the generator's output (e.g. [-1, 1]). */
  batch(indices: Int32Array): tf.Tensor;
}

export interface GanTrainerOptions {
  G: Module;
  D: Module;
  optG: Optimizer<any>;
  optD: Optimizer<any>;
  data: RealData;
  latent: number;
  batchSize: number;
  /** Generator steps to reach. */
  steps: number;
  startStep?: number;
  /** Discriminator updates per generator update (k in Goodfellow et al.). Default 1. */
  dSteps?: number;
  loss?: GanLoss;
  /** One-sided label smoothing for the BCE losses. */
  labelSmoothing?: number;
  rng: Rng;
  /** Fixed noise for sample grids: this many samples (default 64), drawn once from `rng`'s seed. */
  sampleCount?: number;
  sampleEvery?: number;
  onSamples?: (step: number, samples: tf.Tensor) => void;
  checkpointEvery?: number;
  saveCheckpoint?: (stepsDone: number) => void;
  restoreCheckpoint?: () => number | undefined;
  nanGuard?: 'stop' | 'rollback';
  onStep?: (e: StepEvent) => void;
  /** Weight averaging (e.g. an EMA of the generator's weights: averager(G.trainableParameters(), ema(0.999))), updated after every step. */
  average?: Averager;
  /** Hooks of @lab/core's training loop (afterStep, afterEpoch...). */
  hooks?: readonly TrainingHook[];
  signal?: AbortSignal;
}

function lossFunctions(loss: GanLoss, labelSmoothing: number) {
  if (typeof loss === 'object') {
    return {
      d: (r: tf.Tensor, f: tf.Tensor) => fganCriticLoss(loss, r, f),
      g: (f: tf.Tensor) => fganGeneratorLoss(loss, f),
    };
  }
  if (loss === 'least-squares')
    return { d: leastSquaresDiscriminatorLoss, g: (f: tf.Tensor) => leastSquaresGeneratorLoss(f) };
  return {
    d: (r: tf.Tensor, f: tf.Tensor) => discriminatorLoss(r, f, { labelSmoothing }),
    g: (f: tf.Tensor) => generatorLoss(f, loss),
  };
}

/** Random real batches (indices drawn with replacement) and latent noise, both from `rng`. */
export function batchSampler(data: RealData, batchSize: number, latent: number, rng: Rng) {
  return {
    realBatch: (): tf.Tensor => {
      const idx = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) idx[i] = rng.int(data.count);
      return data.batch(idx);
    },
    noise: (): tf.Tensor => tf.randomNormal([batchSize, latent], 0, 1, 'float32', rng.seed()),
  };
}

export function trainGan(o: GanTrainerOptions): TrainingResult {
  const { dSteps = 1, loss = 'non-saturating', labelSmoothing = 0, sampleCount = 64 } = o;
  if (!Number.isInteger(dSteps) || dSteps < 1)
    throw new RangeError(`dSteps must be a positive integer, got ${dSteps}`);
  if (o.batchSize > o.data.count)
    throw new RangeError(`batchSize ${o.batchSize} exceeds the ${o.data.count} real examples`);
  const losses = lossFunctions(loss, labelSmoothing);
  // fixed noise from its own stream, so that grids are comparable across the run and across resumes
  const fixed = new Rng(0x5eed);
  const fixedNoise = tf.randomNormal([sampleCount, o.latent], 0, 1, 'float32', fixed.seed());
  const { realBatch, noise } = batchSampler(o.data, o.batchSize, o.latent, o.rng);
  const emitSamples = (step: number) => {
    if (!o.onSamples) return;
    o.G.eval();
    const samples = tf.tidy(() => o.G.forward(fixedNoise));
    o.G.train();
    o.onSamples(step, samples);
    samples.dispose();
  };
  try {
    return runTrainingLoop({
      steps: o.steps,
      startStep: o.startStep,
      checkpointEvery: o.checkpointEvery,
      saveCheckpoint: o.saveCheckpoint,
      restoreCheckpoint: o.restoreCheckpoint,
      nanGuard: o.nanGuard,
      onStep: (e) => {
        o.onStep?.(e);
        if (o.sampleEvery && (e.step + 1) % o.sampleEvery === 0) emitSamples(e.step + 1);
      },
      average: o.average,
      hooks: o.hooks,
      signal: o.signal,
      trainStep: () => {
        let extra = 0;
        for (let k = 1; k < dSteps; k++) {
          const real = realBatch();
          const z = noise();
          const fake = tf.tidy(() => o.G.forward(z));
          const { value, grads } = valueAndGrads(
            () => losses.d(o.D.forward(real), o.D.forward(fake)) as tf.Scalar,
            o.D.trainableParameters(),
          );
          o.optD.step(grads);
          extra += value.dataSync()[0]!;
          tf.dispose([real, z, fake, value, ...Object.values(grads)]);
        }
        const real = realBatch();
        const z = noise();
        const r = ganStep({
          G: o.G,
          D: o.D,
          optG: o.optG,
          optD: o.optD,
          real,
          z,
          discriminatorLoss: losses.d,
          generatorLoss: losses.g,
        });
        tf.dispose([real, z]);
        return { dLoss: (extra + r.dLoss) / dSteps, gLoss: r.gLoss };
      },
    });
  } finally {
    fixedNoise.dispose();
  }
}
