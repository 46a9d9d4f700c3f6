// A WGAN / WGAN-GP trainer: n_critic critic updates per generator update (or the reference
// schedule), a gradient or DRAGAN penalty (or none, with weight clipping in the critic's optimizer:
// chain(rmsprop(5e-5), clipWeights(0.01))), the critic's Wasserstein estimate logged every step,
// Lipschitz diagnostics every N steps, and checkpoints with exact resume through @lab/core's loop.
import {
  type Averager,
  type Module,
  type Optimizer,
  type Rng,
  runTrainingLoop,
  type StepEvent,
  type TrainingHook,
  type TrainingResult,
  valueAndGrads,
} from '@lab/core';
import { batchSampler, type RealData } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { draganPenalty } from './dragan-penalty.js';
import { gradientNormStats, type NormStats } from './gradient-norm-stats.js';
import { criticLoss, gradientPenalty, wganGeneratorLoss } from './losses.js';
import { criticIterations } from './paper-defaults.js';

export interface WganTrainerOptions {
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
  nCritic?: number;
  schedule?: 'paper' | 'reference';
  /** 'gp' (WGAN-GP, default), 'gp-one-sided', 'dragan', or 'none' (weight clipping in optD). */
  penalty?: 'gp' | 'gp-one-sided' | 'dragan' | 'none';
  lambda?: number;
  rng: Rng;
  /** Gradient-norm statistics on real, fake and interpolated batches every N generator steps (reported with the number of steps done). */
  diagnosticsEvery?: number;
  onDiagnostics?: (
    step: number,
    stats: { real: NormStats; fake: NormStats; interpolated: NormStats },
  ) => void;
  checkpointEvery?: number;
  saveCheckpoint?: (stepsDone: number) => void;
  restoreCheckpoint?: () => number | undefined;
  nanGuard?: 'stop' | 'rollback';
  /** Metrics per generator step: wEstimate (the critic's E[f(real)] - E[f(fake)]), criticLoss, penalty, gLoss. */
  onStep?: (e: StepEvent) => void;
  /** Weight averaging (e.g. an EMA of the generator's weights: averager(G.trainableParameters(), ema(0.999))), updated after every step. */
  average?: Averager;
  /** Hooks of @lab/core's training loop (afterStep, afterEpoch...). */
  hooks?: readonly TrainingHook[];
  signal?: AbortSignal;
}

export function trainWgan(o: WganTrainerOptions): TrainingResult {
  const { penalty = 'gp', lambda = 10, nCritic = 5, schedule = 'paper' } = o;
  if (o.batchSize > o.data.count)
    throw new RangeError(`batchSize ${o.batchSize} exceeds the ${o.data.count} real examples`);
  const critic = (x: tf.Tensor) => tf.reshape(o.D.forward(x), [-1]);
  const { realBatch, noise } = batchSampler(o.data, o.batchSize, o.latent, o.rng);
  return runTrainingLoop({
    steps: o.steps,
    startStep: o.startStep,
    checkpointEvery: o.checkpointEvery,
    saveCheckpoint: o.saveCheckpoint,
    restoreCheckpoint: o.restoreCheckpoint,
    nanGuard: o.nanGuard,
    onStep: o.onStep,
    average: o.average,
    hooks: o.hooks,
    signal: o.signal,
    trainStep: (step) => {
      let wEstimate = 0;
      let cLoss = 0;
      let pen = 0;
      const iterations = criticIterations(step, { schedule, nCritic });
      for (let i = 0; i < iterations; i++) {
        const real = realBatch();
        const z = noise();
        const fake = tf.tidy(() => o.G.forward(z));
        const seed = o.rng.seed();
        let parts: number[] = [];
        const { value, grads } = valueAndGrads(() => {
          const c = criticLoss(critic(real), critic(fake));
          const p =
            penalty === 'none'
              ? tf.scalar(0)
              : penalty === 'dragan'
                ? draganPenalty(critic, real, { lambda, seed })
                : gradientPenalty(critic, real, fake, {
                    lambda,
                    seed,
                    mode: penalty === 'gp-one-sided' ? 'one-sided' : 'two-sided',
                  });
          parts = [c.dataSync()[0]!, p.dataSync()[0]!];
          return tf.add(c, p) as tf.Scalar;
        }, o.D.trainableParameters());
        o.optD.step(grads);
        tf.dispose([real, z, fake, value, ...Object.values(grads)]);
        cLoss = parts[0]!;
        pen = parts[1]!;
        wEstimate = -cLoss;
      }
      const z = noise();
      const { value, grads } = valueAndGrads(
        () => wganGeneratorLoss(critic(o.G.forward(z))) as tf.Scalar,
        o.G.trainableParameters(),
      );
      o.optG.step(grads);
      const gLoss = value.dataSync()[0]!;
      tf.dispose([z, value, ...Object.values(grads)]);
      if (o.onDiagnostics && o.diagnosticsEvery && (step + 1) % o.diagnosticsEvery === 0) {
        const real = realBatch();
        const fake = tf.tidy(() => o.G.forward(noise()));
        const eps = tf.randomUniform(
          [o.batchSize, ...real.shape.slice(1).map(() => 1)],
          0,
          1,
          'float32',
          o.rng.seed(),
        );
        const inter = tf.tidy(() => tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake)));
        const stats = {
          real: gradientNormStats(critic, real),
          fake: gradientNormStats(critic, fake),
          interpolated: gradientNormStats(critic, inter),
        };
        tf.dispose([real, fake, eps, inter]);
        o.onDiagnostics(step + 1, stats);
      }
      return { wEstimate, criticLoss: cLoss, penalty: pen, gLoss };
    },
  });
}
