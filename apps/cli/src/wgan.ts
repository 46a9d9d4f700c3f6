// `lab wgan train`: WGAN-GP (or WGAN with clipping) on Fashion-MNIST with the DCGAN nets, logging the
// critic's Wasserstein estimate every step.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adam, chain, clipWeights, curvesSvg, initBackend, Optimizer, Rng, rmsprop } from '@lab/core';
import { fileCheckpointer, loadMnistSplit } from '@lab/core/node';
import { type DcganPadding, dcganDiscriminator, dcganGenerator } from '@lab/gan';
import { type NormStats, trainWgan, WGAN_DEFAULTS, WGAN_GP_DEFAULTS } from '@lab/wgan';
import * as tf from '@tensorflow/tfjs-core';
import { checkResumeMatches, resumedConfig } from './checkpoint-config.js';
import { embeddedDataDir, imagesInTanhRange, realDataFrom, writeSampleGrid } from './data.js';
import { progress } from './progress.js';

export const WGAN_PENALTIES = ['gp', 'gp-one-sided', 'dragan', 'clip', 'spectral'] as const;

export interface WganTrainOptions {
  data?: string;
  steps: number;
  batchSize: number;
  width: number;
  latent: number;
  /** gp, gp-one-sided, dragan, clip (weight clipping) or spectral (spectral-norm critic, no penalty). */
  penalty: (typeof WGAN_PENALTIES)[number];
  nCritic: number;
  /** 'paper' (n_critic every step) or 'reference' (100 critic steps for the first 25 and every 500th). */
  schedule?: 'paper' | 'reference';
  /** Penalty weight (default 10). */
  lambda?: number;
  /** Learning rate of both nets (default 5e-5 for clipping, else 1e-4). */
  lr?: number;
  /** Normalisation in the critic (never batch norm): 'none' (default) or 'layer'. */
  criticNorm?: 'none' | 'layer';
  /** Gradient-norm statistics of the critic on real, fake and interpolated batches every n steps (0: off). */
  diagnosticsEvery?: number;
  seed: number;
  out: string;
  sampleEvery: number;
  checkpointEvery: number;
  resume: boolean;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
}

export async function wganTrain(o: WganTrainOptions) {
  const started = performance.now();
  const backend = await initBackend({ backend: o.backend });
  const ds = o.data ? loadMnistSplit(o.data, 'train') : loadMnistSplit(embeddedDataDir(), 'test');
  const images = imagesInTanhRange(ds);
  const rng = new Rng(o.seed);
  // no batch norm in a WGAN-GP critic: the DCGAN discriminator has none, and no dropout here
  const ckptPath = join(o.out, 'checkpoint.safetensors');
  // a resumed run keeps the padding its checkpoint was trained with ('same' before it was recorded)
  const saved = resumedConfig(ckptPath, o.resume, o.steps, {
    penalties: WGAN_PENALTIES,
    criticNorms: ['none', 'layer'],
  });
  if (saved && saved.penalty === undefined)
    throw new Error(
      `${ckptPath} was written by lab gan train (it records no penalty); resume it with lab gan train`,
    );
  if (saved)
    checkResumeMatches(ckptPath, saved, {
      width: o.width,
      latent: o.latent,
      penalty: o.penalty,
      criticNorm: o.criticNorm ?? 'none',
    });
  const padding: DcganPadding = saved ? saved.padding : 'pytorch';
  const G = dcganGenerator({ width: o.width, latent: o.latent, padding, rng });
  const D = dcganDiscriminator({
    width: o.width,
    padding,
    dropout: 0,
    discriminatorNorm: o.criticNorm ?? 'none',
    spectralNorm: o.penalty === 'spectral',
    rng,
  });
  const clip = o.penalty === 'clip';
  const lr = o.lr ?? (clip ? WGAN_DEFAULTS.learningRate : WGAN_GP_DEFAULTS.learningRate);
  const base = () => (clip ? rmsprop(lr) : adam(lr, { b1: WGAN_GP_DEFAULTS.b1, b2: WGAN_GP_DEFAULTS.b2 }));
  const optG = new Optimizer(base(), G.trainableParameters());
  const optD = new Optimizer(
    clip ? chain(base(), clipWeights(WGAN_DEFAULTS.clip)) : base(),
    D.trainableParameters(),
  );
  mkdirSync(o.out, { recursive: true });
  const config = {
    arch: 'dcgan',
    width: o.width,
    latent: o.latent,
    padding,
    penalty: o.penalty,
    criticNorm: o.criticNorm ?? 'none',
  };
  const cp = fileCheckpointer(ckptPath, { modules: { G, D }, optimizers: { G: optG, D: optD }, rng, config });
  const startStep = o.resume ? (cp.restore() ?? 0) : 0;
  const fixedNoise = tf.randomNormal([64, o.latent], 0, 1, 'float32', 12345);
  const bar = progress('wgan', o.steps - startStep, o.quiet);
  const estimate: number[] = [];
  const grids: string[] = [];
  const lipschitz: { step: number; real: NormStats; fake: NormStats; interpolated: NormStats }[] = [];
  const result = trainWgan({
    G,
    D,
    optG,
    optD,
    rng,
    data: realDataFrom(images),
    latent: o.latent,
    batchSize: o.batchSize,
    steps: o.steps,
    startStep,
    nCritic: o.nCritic,
    schedule: o.schedule ?? 'paper',
    lambda: o.lambda ?? WGAN_GP_DEFAULTS.lambda,
    penalty: o.penalty === 'clip' || o.penalty === 'spectral' ? 'none' : o.penalty,
    diagnosticsEvery: o.diagnosticsEvery ?? 50,
    onDiagnostics: (step, stats) => {
      const strip = ({ norms: _norms, ...rest }: NormStats & { norms?: Float32Array }) => rest;
      lipschitz.push({
        step,
        real: strip(stats.real),
        fake: strip(stats.fake),
        interpolated: strip(stats.interpolated),
      });
    },
    checkpointEvery: o.checkpointEvery,
    saveCheckpoint: cp.save,
    onStep: (e) => {
      estimate.push(e.metrics.wEstimate!);
      bar.tick({ loss: `W ${e.metrics.wEstimate!.toFixed(3)}` });
      if ((e.step + 1) % o.sampleEvery === 0) {
        const x = tf.tidy(() => G.forward(fixedNoise));
        grids.push(writeSampleGrid(o.out, e.step + 1, x));
        x.dispose();
      }
    },
  });
  bar.done(`${result.stepsDone} steps`);
  const steps = estimate.map((_, i) => startStep + i + 1);
  writeFileSync(
    join(o.out, 'wasserstein.svg'),
    curvesSvg([{ name: 'critic estimate of W1', values: estimate, steps }], { title: `WGAN (${o.penalty})` }),
  );
  if (lipschitz.length > 0) {
    const at = lipschitz.map((d) => d.step);
    const median = (k: 'real' | 'fake' | 'interpolated') => lipschitz.map((d) => d[k].median);
    writeFileSync(
      join(o.out, 'lipschitz.svg'),
      curvesSvg(
        [
          { name: 'median ||grad D|| on real', values: median('real'), steps: at },
          { name: 'on fake', values: median('fake'), steps: at },
          { name: 'on interpolates', values: median('interpolated'), steps: at },
        ],
        { title: `critic gradient norms (${o.penalty})` },
      ),
    );
  }
  const summary = {
    task: 'wgan',
    data: o.data ? resolve(o.data) : 'embedded Fashion-MNIST test split',
    backend,
    config,
    seed: o.seed,
    startStep,
    stepsDone: result.stepsDone,
    seconds: (performance.now() - started) / 1000,
    wassersteinEstimate: estimate,
    lipschitz,
    grids,
    checkpoint: ckptPath,
  };
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
  for (const x of [G, D, optG, optD, images, fixedNoise]) x.dispose();
  return summary;
}
