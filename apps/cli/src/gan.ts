// `lab gan train` and `lab gan sample`: a DCGAN on Fashion-MNIST (embedded test split by default).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adam, type BackendReport, curvesSvg, imageGridPng, initBackend, Optimizer, Rng } from '@lab/core';
import { fileCheckpointer, loadMnistSplit } from '@lab/core/node';
import { jensenShannon, kl, pearson } from '@lab/divergences';
import { type DcganPadding, dcganDiscriminator, dcganGenerator, type GanLoss, trainGan } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkResumeMatches,
  readDcganCheckpoint,
  restoreForInference,
  resumedConfig,
} from './checkpoint-config.js';
import { embeddedDataDir, imagesInTanhRange, realDataFrom, writeSampleGrid } from './data.js';
import { progress } from './progress.js';

export const GAN_LOSSES = [
  'non-saturating',
  'minimax',
  'least-squares',
  'fgan-js',
  'fgan-kl',
  'fgan-pearson',
] as const;
export type GanLossName = (typeof GAN_LOSSES)[number];

function lossOf(name: GanLossName): GanLoss {
  if (name === 'fgan-js') return jensenShannon();
  if (name === 'fgan-kl') return kl();
  if (name === 'fgan-pearson') return pearson();
  return name;
}

export interface GanTrainOptions {
  data?: string;
  steps: number;
  batchSize: number;
  width: number;
  latent: number;
  loss: GanLossName;
  dSteps: number;
  seed: number;
  out: string;
  sampleEvery: number;
  checkpointEvery: number;
  resume: boolean;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
}

interface GanConfig {
  arch: 'dcgan';
  width: number;
  latent: number;
  loss: GanLossName;
  /** Absent in checkpoints written before PyTorch padding became the default: those used 'same'. */
  padding?: DcganPadding;
}

function build(config: Pick<GanConfig, 'width' | 'latent' | 'padding'>, rng: Rng) {
  const padding = config.padding ?? 'same';
  const G = dcganGenerator({ width: config.width, latent: config.latent, padding, rng });
  const D = dcganDiscriminator({ width: config.width, padding, rng });
  return { G, D };
}

export async function ganTrain(o: GanTrainOptions) {
  const started = performance.now();
  const backend: BackendReport = await initBackend({ backend: o.backend });
  const ds = o.data ? loadMnistSplit(o.data, 'train') : loadMnistSplit(embeddedDataDir(), 'test');
  const images = imagesInTanhRange(ds);
  const ckptPath = join(o.out, 'checkpoint.safetensors');
  const saved = resumedConfig(ckptPath, o.resume, o.steps, { losses: GAN_LOSSES });
  if (saved?.penalty !== undefined)
    throw new Error(`${ckptPath} was written by lab wgan train; resume it with lab wgan train`);
  if (saved) checkResumeMatches(ckptPath, saved, { width: o.width, latent: o.latent });
  // a resumed run keeps the padding its checkpoint was trained with
  const padding: DcganPadding = saved ? saved.padding : 'pytorch';
  const config: GanConfig = { arch: 'dcgan', width: o.width, latent: o.latent, loss: o.loss, padding };
  const rng = new Rng(o.seed);
  const { G, D } = build(config, rng);
  const optG = new Optimizer(adam(2e-4, { b1: 0.5 }), G.trainableParameters());
  const optD = new Optimizer(adam(2e-4, { b1: 0.5 }), D.trainableParameters());
  mkdirSync(o.out, { recursive: true });
  const cp = fileCheckpointer(ckptPath, { modules: { G, D }, optimizers: { G: optG, D: optD }, rng, config });
  const startStep = o.resume && existsSync(ckptPath) ? (cp.restore() ?? 0) : 0;
  const bar = progress('gan', o.steps - startStep, o.quiet);
  const dLoss: number[] = [];
  const gLoss: number[] = [];
  const grids: string[] = [];
  const result = trainGan({
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
    dSteps: o.dSteps,
    loss: lossOf(o.loss),
    sampleEvery: o.sampleEvery,
    onSamples: (step, x) => {
      grids.push(writeSampleGrid(o.out, step, x));
    },
    checkpointEvery: o.checkpointEvery,
    saveCheckpoint: cp.save,
    onStep: (e) => {
      dLoss.push(e.metrics.dLoss!);
      gLoss.push(e.metrics.gLoss!);
      bar.tick({ loss: `D ${e.metrics.dLoss!.toFixed(3)} G ${e.metrics.gLoss!.toFixed(3)}` });
    },
  });
  bar.done(`${result.stepsDone} steps`);
  const steps = dLoss.map((_, i) => startStep + i + 1);
  writeFileSync(
    join(o.out, 'losses.svg'),
    curvesSvg(
      [
        { name: 'D loss', values: dLoss, steps },
        { name: 'G loss', values: gLoss, steps },
      ],
      { title: `DCGAN (${o.loss})` },
    ),
  );
  const summary = {
    task: 'gan',
    data: o.data ? resolve(o.data) : 'embedded Fashion-MNIST test split',
    backend,
    config,
    seed: o.seed,
    startStep,
    stepsDone: result.stepsDone,
    seconds: (performance.now() - started) / 1000,
    dLoss,
    gLoss,
    grids,
    checkpoint: ckptPath,
  };
  writeFileSync(join(o.out, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
  for (const x of [G, D, optG, optD, images]) x.dispose();
  return summary;
}

/** Writes a grid of `count` samples from a checkpoint's generator. */
export async function ganSample(o: {
  checkpoint: string;
  count: number;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu';
}) {
  await initBackend({ backend: o.backend });
  const { bytes, config } = readDcganCheckpoint(o.checkpoint, { losses: GAN_LOSSES });
  const { G, D } = build(config, new Rng(0));
  restoreForInference(o.checkpoint, bytes, { G });
  G.eval();
  const x = tf.tidy(() => G.forward(tf.randomNormal([o.count, config.latent], 0, 1, 'float32', o.seed)));
  writeFileSync(
    o.out,
    imageGridPng(x.dataSync(), x.shape as [number, number, number, number], {
      columns: Math.ceil(Math.sqrt(o.count)),
    }),
  );
  tf.dispose([x]);
  G.dispose();
  D.dispose();
  return { file: o.out, count: o.count };
}
