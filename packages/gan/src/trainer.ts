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
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
} from './losses.js';
import { checkDiffAugmentOptions, type DiffAugmentOptions, diffAugment } from './recipes/diff-augment.js';
import { type GeneratorEmaRule, generatorEma } from './recipes/ema.js';
import { checkR1Options, type R1Options, r1Due, r1Penalty } from './recipes/r1.js';
import { discriminatorObjective, ganStep } from './step.js';

export type GanLoss = 'non-saturating' | 'minimax' | 'least-squares' | 'hinge' | FDivergence;

export interface GeneratorEmaOptions extends GeneratorEmaRule {
  /** A second generator of G's architecture that holds the average (start it as a copy of G: copyModuleState). */
  generator: Module;
}

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
  /** An exponential moving average of G's weights, updated after every step (off by default). */
  ema?: GeneratorEmaOptions;
  /** Sample grids of the EMA generator, on the same fixed noise and steps as onSamples. */
  onEmaSamples?: (step: number, samples: tf.Tensor) => void;
  /** R1 gradient penalty on real data in every (or every k-th) discriminator update (off by default). */
  r1?: R1Options;
  /** DiffAugment of real and fake images before D, random parameters drawn from `rng` (off by default). */
  diffAugment?: DiffAugmentOptions;
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
  if (loss === 'hinge') return { d: hingeDiscriminatorLoss, g: hingeGeneratorLoss };
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
  if (o.ema && o.average) throw new Error('trainGan: give ema or average, not both');
  if (o.r1) checkR1Options(o.r1);
  const augmentOptions = o.diffAugment ? checkDiffAugmentOptions(o.diffAugment) : undefined;
  const losses = lossFunctions(loss, labelSmoothing);
  const emaOfG = o.ema ? generatorEma(o.G, o.ema.generator, o.ema) : undefined;
  const augment = augmentOptions ? (x: tf.Tensor) => diffAugment(x, o.rng, augmentOptions) : undefined;
  // the lazy R1 schedule counts discriminator updates from the step, so a resumed run keeps it
  let dUpdate = 0;
  const r1 = o.r1;
  const discriminatorPenalty = r1
    ? (real: tf.Tensor) => {
        const every = r1.every ?? 1;
        if (!r1Due(dUpdate, every)) return undefined;
        return r1Penalty((x) => o.D.forward(x), real, r1.gamma, every);
      }
    : undefined;
  const objective = { D: o.D, discriminatorLoss: losses.d, augment, discriminatorPenalty };
  // fixed noise from its own stream, so that grids are comparable across the run and across resumes
  const fixed = new Rng(0x5eed);
  const fixedNoise = tf.randomNormal([sampleCount, o.latent], 0, 1, 'float32', fixed.seed());
  const { realBatch, noise } = batchSampler(o.data, o.batchSize, o.latent, o.rng);
  const sampleFrom = (G: Module, step: number, emit: (step: number, samples: tf.Tensor) => void) => {
    G.eval();
    const samples = tf.tidy(() => G.forward(fixedNoise));
    G.train();
    emit(step, samples);
    samples.dispose();
  };
  const emitSamples = (step: number) => {
    if (o.onSamples) sampleFrom(o.G, step, o.onSamples);
    if (o.ema && o.onEmaSamples) sampleFrom(o.ema.generator, step, o.onEmaSamples);
  };
  const samplesHook: TrainingHook = {
    afterStep: (e) => {
      if (o.sampleEvery && (e.step + 1) % o.sampleEvery === 0) emitSamples(e.step + 1);
    },
  };
  try {
    return runTrainingLoop({
      steps: o.steps,
      startStep: o.startStep,
      checkpointEvery: o.checkpointEvery,
      saveCheckpoint: o.saveCheckpoint,
      restoreCheckpoint: o.restoreCheckpoint,
      nanGuard: o.nanGuard,
      onStep: o.onStep,
      average: o.average,
      // the average first, so that its grids and checkpoints include the step
      hooks: [...(emaOfG ? [emaOfG.hook] : []), samplesHook, ...(o.hooks ?? [])],
      signal: o.signal,
      trainStep: (step) => {
        let extra = 0;
        dUpdate = step * dSteps;
        for (let k = 1; k < dSteps; k++, dUpdate++) {
          const real = realBatch();
          const z = noise();
          const fake = tf.tidy(() => o.G.forward(z));
          const { value, grads } = valueAndGrads(
            () => discriminatorObjective(objective, real, fake),
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
          augment,
          discriminatorPenalty,
        });
        tf.dispose([real, z]);
        return { dLoss: (extra + r.dLoss) / dSteps, gLoss: r.gLoss };
      },
    });
  } finally {
    fixedNoise.dispose();
  }
}
