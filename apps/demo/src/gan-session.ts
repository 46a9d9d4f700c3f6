// One Fashion-MNIST GAN training run, trained a slice of steps at a time by @lab/gan's trainGan or
// @lab/wgan's trainWgan (continuing from the steps done, so a slice boundary changes nothing), with a
// fixed-noise sample grid (of the EMA generator when the recipe keeps one, as `lab gan sample --ema`
// draws), a checkpoint in the CLI's format, and restore from an uploaded one (continuing its recipe).
// Owns its tensors: dispose() frees everything it made.
import { checkpointToBytes, Rng, readCheckpoint, restoreCheckpoint } from '@lab/core';
import { trainGan } from '@lab/gan';
import { trainWgan, WGAN_GP_DEFAULTS } from '@lab/wgan';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildNets,
  checkpointConfig,
  disposeNets,
  EMA_MODULE,
  type GanNets,
  type GanSettings,
  recipeTrainOptions,
  settingsFromCheckpoint,
} from './gan-config.js';

export interface SessionOptions {
  settings: GanSettings;
  /** Real images in [-1, 1], [count, 28, 28, 1]; the session does not own them. */
  images: tf.Tensor4D;
  batchSize: number;
  seed: number;
  /** Samples in the grid. */
  gridSize?: number;
}

/** One step's numbers: GAN: dLoss, gLoss; WGAN-GP: wEstimate, criticLoss, penalty, gLoss. */
export type StepMetrics = Readonly<Record<string, number>>;

/** Which generator a sample grid comes from: the raw one, or the EMA of its weights. */
export type SampledGenerator = 'G' | typeof EMA_MODULE;

/** The checkpoint's modules, named as `lab gan train` names them. */
const modulesOf = (nets: GanNets) => ({
  G: nets.G,
  D: nets.D,
  ...(nets.Gema ? { [EMA_MODULE]: nets.Gema } : {}),
});

export class GanSession {
  readonly settings: GanSettings;
  private readonly nets: GanNets;
  private readonly rng: Rng;
  private readonly fixedNoise: tf.Tensor;
  private done = 0;

  private constructor(
    private readonly o: SessionOptions,
    startStep: number,
    nets: GanNets,
    rng: Rng,
  ) {
    this.settings = o.settings;
    this.nets = nets;
    this.rng = rng;
    this.done = startStep;
    this.fixedNoise = tf.randomNormal([o.gridSize ?? 64, o.settings.latent], 0, 1, 'float32', 12345);
  }

  /** A fresh run. */
  static create(o: SessionOptions): GanSession {
    const rng = new Rng(o.seed);
    return new GanSession(o, 0, buildNets(o.settings, rng), rng);
  }

  /**
   * A run continued from checkpoint bytes: core's reader validates the file, the config is checked
   * before any net is built, and every tensor and optimizer state is compared with the nets before
   * anything is loaded. Throws SafetensorsError or CheckpointError naming the field.
   */
  static fromCheckpoint(bytes: Uint8Array, o: Omit<SessionOptions, 'settings'>): GanSession {
    const info = readCheckpoint(bytes);
    const settings = settingsFromCheckpoint(info);
    const rng = new Rng(o.seed);
    const nets = buildNets(settings, rng);
    try {
      const r = restoreCheckpoint(bytes, {
        modules: modulesOf(nets),
        optimizers: { G: nets.optG, D: nets.optD },
      });
      if (r.rng) rng.setState(r.rng);
      return new GanSession({ ...o, settings }, r.step, nets, rng);
    } catch (e) {
      disposeNets(nets);
      throw e;
    }
  }

  get step(): number {
    return this.done;
  }

  /** Trains `steps` more generator steps; returns each step's metrics. */
  train(steps: number): StepMetrics[] {
    const { G, D, optG, optD } = this.nets;
    const images = this.o.images;
    const data = {
      count: images.shape[0],
      batch: (idx: Int32Array) => tf.tidy(() => tf.gather(images, tf.tensor1d(idx, 'int32'))),
    };
    const metrics: StepMetrics[] = [];
    const common = {
      G,
      D,
      optG,
      optD,
      rng: this.rng,
      data,
      latent: this.settings.latent,
      batchSize: this.o.batchSize,
      startStep: this.done,
      steps: this.done + steps,
      onStep: (e: { metrics: StepMetrics }) => metrics.push({ ...e.metrics }),
    };
    const result =
      this.settings.kind === 'gan'
        ? trainGan({ ...common, ...recipeTrainOptions(this.settings, this.nets) })
        : trainWgan({
            ...common,
            penalty: 'gp',
            lambda: WGAN_GP_DEFAULTS.lambda,
            nCritic: WGAN_GP_DEFAULTS.nCritic,
          });
    this.done = result.stepsDone;
    return metrics;
  }

  /** The generator the sample grid shows: the EMA one when the recipe keeps one. */
  get sampled(): SampledGenerator {
    return this.nets.Gema ? EMA_MODULE : 'G';
  }

  /** The sampled generator's images for the fixed noise, in [-1, 1], in inference mode. */
  samples(): Float32Array {
    const G = this.nets.Gema ?? this.nets.G;
    G.eval();
    const x = tf.tidy(() => G.forward(this.fixedNoise));
    G.train();
    const data = x.dataSync() as Float32Array;
    x.dispose();
    return data;
  }

  /** The checkpoint `lab gan sample` reads (`--ema`: its EMA generator) and `lab gan|wgan train --resume` continues. */
  checkpoint(): Uint8Array {
    const { optG, optD } = this.nets;
    return checkpointToBytes({
      modules: modulesOf(this.nets),
      optimizers: { G: optG, D: optD },
      step: this.done,
      rng: this.rng.getState(),
      config: checkpointConfig(this.settings),
    });
  }

  dispose(): void {
    disposeNets(this.nets);
    this.fixedNoise.dispose();
  }
}
