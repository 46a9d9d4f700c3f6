// `lab gan train` and `lab gan sample`: a DCGAN on Fashion-MNIST (embedded test split by default).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  adam,
  type BackendReport,
  CheckpointError,
  curvesSvg,
  imageGridPng,
  initBackend,
  type Module,
  Optimizer,
  Rng,
  readCheckpoint,
} from '@lab/core';
import { fileCheckpointer, loadMnistSplit } from '@lab/core/node';
import { jensenShannon, kl, pearson } from '@lab/divergences';
import {
  copyModuleState,
  type DcganPadding,
  dcganDiscriminator,
  dcganGenerator,
  type GanLoss,
  recordedGanRecipe,
  trainGan,
} from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkResumeMatches,
  type DcganCheckpointConfig,
  inFile,
  readDcganCheckpoint,
  restoreForInference,
  resumedCheckpoint,
} from './checkpoint-config.js';
import { embeddedDataDir, imagesInTanhRange, realDataFrom, writeSampleGrid } from './data.js';
import {
  type GanRecipeFlags,
  type ResolvedGanRecipe,
  resolveGanRecipe,
  resumedGanRecipe,
} from './gan-recipe.js';
import { progress } from './progress.js';

export const GAN_LOSSES = [
  'non-saturating',
  'minimax',
  'least-squares',
  'hinge',
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

export interface GanTrainOptions extends GanRecipeFlags {
  data?: string;
  steps: number;
  batchSize: number;
  width: number;
  latent: number;
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
  /** The recipe trained with (absent before recipes: the baseline); a resumed run continues it. */
  recipe?: ResolvedGanRecipe;
}

function build(
  config: Pick<GanConfig, 'width' | 'latent' | 'padding'>,
  rng: Rng,
  { spectralNorm = false }: { spectralNorm?: boolean } = {},
) {
  const padding = config.padding ?? 'same';
  const G = dcganGenerator({ width: config.width, latent: config.latent, padding, rng });
  const D = dcganDiscriminator({ width: config.width, padding, rng, spectralNorm });
  return { G, D };
}

/** The recipe a resumed run continues: the checkpoint's record, which the flags given must agree with. */
function recipeOfCheckpoint(
  path: string,
  raw: Record<string, unknown>,
  saved: DcganCheckpointConfig,
  flags: GanRecipeFlags,
): ResolvedGanRecipe {
  const loss = saved.loss;
  if (loss === undefined)
    throw new CheckpointError('InvalidField', 'config.loss', 'missing: not a lab gan checkpoint').inFile(
      path,
    );
  const record = inFile(path, () => recordedGanRecipe(raw, loss));
  return resumedGanRecipe(path, record, loss as GanLossName, flags);
}

/** The checkpoint's module holding the EMA of the generator's weights (tensors module.Gema.*). */
const EMA_MODULE = 'Gema';

export async function ganTrain(o: GanTrainOptions) {
  const started = performance.now();
  const ckptPath = join(o.out, 'checkpoint.safetensors');
  const resumed = resumedCheckpoint(ckptPath, o.resume, o.steps, { losses: GAN_LOSSES });
  const saved = resumed?.config;
  if (saved?.penalty !== undefined)
    throw new Error(`${ckptPath} was written by lab wgan train; resume it with lab wgan train`);
  if (saved) checkResumeMatches(ckptPath, saved, { width: o.width, latent: o.latent });
  const recipe = resumed ? recipeOfCheckpoint(ckptPath, resumed.raw, resumed.config, o) : resolveGanRecipe(o);
  const backend: BackendReport = await initBackend({ backend: o.backend });
  const ds = o.data ? loadMnistSplit(o.data, 'train') : loadMnistSplit(embeddedDataDir(), 'test');
  const images = imagesInTanhRange(ds);
  // a resumed run keeps the padding its checkpoint was trained with
  const padding: DcganPadding = saved ? saved.padding : 'pytorch';
  const config: GanConfig = {
    arch: 'dcgan',
    width: o.width,
    latent: o.latent,
    loss: recipe.loss,
    padding,
    recipe,
  };
  const rng = new Rng(o.seed);
  const { G, D } = build(config, rng, { spectralNorm: recipe.spectralNorm });
  // the average starts as a copy of G (a resumed run restores it from the checkpoint below)
  const Gema = recipe.ema ? dcganGenerator({ width: o.width, latent: o.latent, padding }) : undefined;
  if (Gema) copyModuleState(G, Gema);
  const optG = new Optimizer(adam(recipe.lrG, { b1: 0.5 }), G.trainableParameters());
  const optD = new Optimizer(adam(recipe.lrD, { b1: 0.5 }), D.trainableParameters());
  mkdirSync(o.out, { recursive: true });
  const modules: Record<string, Module> = { G, D };
  if (Gema) modules[EMA_MODULE] = Gema;
  const cp = fileCheckpointer(ckptPath, { modules, optimizers: { G: optG, D: optD }, rng, config });
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
    loss: lossOf(recipe.loss),
    ...(Gema && recipe.ema ? { ema: { ...recipe.ema, generator: Gema } } : {}),
    ...(recipe.r1 ? { r1: recipe.r1 } : {}),
    ...(recipe.diffAugment ? { diffAugment: recipe.diffAugment } : {}),
    sampleEvery: o.sampleEvery,
    onSamples: (step, x) => {
      grids.push(writeSampleGrid(o.out, step, x));
    },
    onEmaSamples: (step, x) => {
      grids.push(writeSampleGrid(o.out, step, x, 'samples-ema'));
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
      { title: `DCGAN (${recipe.recipe} recipe, ${recipe.loss})` },
    ),
  );
  const summary = {
    task: 'gan',
    data: o.data ? resolve(o.data) : 'embedded Fashion-MNIST test split',
    backend,
    config,
    recipe,
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
  for (const x of [G, D, optG, optD, images, ...(Gema ? [Gema] : [])]) x.dispose();
  return summary;
}

/** Throws unless the checkpoint holds an EMA generator (written by lab gan train --ema or --recipe modern). */
function checkHasEma(path: string, bytes: Uint8Array): void {
  const info = inFile(path, () => readCheckpoint(bytes));
  if (![...info.tensors.keys()].some((k) => k.startsWith(`module.${EMA_MODULE}.`)))
    throw new Error(
      `${path} has no EMA generator (no module.${EMA_MODULE}.* tensors): train with --ema <decay> or --recipe modern`,
    );
}

/** Writes a grid of `count` samples from a checkpoint's generator (its EMA generator with `ema`). */
export async function ganSample(o: {
  checkpoint: string;
  count: number;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu';
  ema?: boolean;
}) {
  await initBackend({ backend: o.backend });
  const { bytes, config } = readDcganCheckpoint(o.checkpoint, { losses: GAN_LOSSES });
  if (o.ema) checkHasEma(o.checkpoint, bytes);
  const { G, D } = build(config, new Rng(0));
  // the EMA generator has G's architecture: its tensors load into G under their own prefix
  restoreForInference(o.checkpoint, bytes, o.ema ? { [EMA_MODULE]: G } : { G });
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
