// pnpm bench <workload...> (the list: --help or ../README.md) [--iters N]
// [--threads 1,2] [--seed S] [--seeds N] [--no-peer] [--profile] (see ../README.md)
// Prints one JSON line per workload with our figures, the PyTorch peer's (same run), and their ratio.
import { availableParallelism } from 'node:os';
import { initBackend } from '@lab/core';
import { unregisterKernel } from '@tensorflow/tfjs-core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { checkRuntimes, RUNTIMES, runtimeListOption } from './chromium-options.js';
import { checkCombineCommand, combineFiles, TRAINING_OPTIONS } from './combine.js';
import { deepCompressionBench } from './deep-compression.js';
import { depparseBench } from './depparse.js';
import { distillBench } from './distill.js';
import { addDistillOptions, distillOptionsFrom } from './distill-options.js';
import { addFinetuneOptions, runFinetune } from './finetune-options.js';
import { fractionOption, ganRecipes, RECIPES, recipeListOption } from './gan-recipes.js';
import { defaultThreads, fileListOption, integerOption, rateOption, threadListOption } from './options.js';
import { ganParity } from './parity.js';
import { precisionBench } from './precision.js';
import { ganQuality, wganQuality } from './quality.js';
import { plotFileOption } from './quality-plot.js';
import { isSpeedWorkload, speedBench } from './speed.js';
import { WORKLOADS } from './workloads.js';

/** @lab's fused Adam kernel (packages/core/src/kernels/fused/adam-moments.ts). */
const ADAM_MOMENTS_KERNEL = 'LabAdamMoments';
const QUALITY = [
  'gan-quality',
  'gan-parity',
  'wgan-quality',
  'depparse',
  'precision',
  'gan-recipes',
  'distill',
  'deep-compression',
  'finetune',
];
const WORKLOAD_NAMES = [...Object.keys(WORKLOADS), ...QUALITY];

const program = new Command('bench')
  .argument('<workloads...>', `any of ${WORKLOAD_NAMES.join(', ')}`)
  .option(
    '--iters <n>',
    'timed iterations (after 3 warm-up) or training steps',
    integerOption('--iters', { min: 1, max: 1_000_000 }),
  )
  .option(
    '--width <n>',
    'wgan-quality (default 32), gan-recipes (default 64): DCGAN base width (64 is W1/W2)',
    integerOption('--width', { min: 1, max: 1024 }),
  )
  .option(
    '--recipes <list>',
    `gan-recipes: recipes to train (default all: ${Object.keys(RECIPES).join(',')})`,
    recipeListOption,
  )
  .option(
    '--data-fraction <x>',
    'gan-recipes: train on this fraction of the 60,000 images (0.1: 6,000)',
    fractionOption,
    1,
  )
  .option(
    '--long-iters <n>',
    "gan-recipes: the baseline's longer budget, run after the table (0: skip)",
    integerOption('--long-iters', { min: 0, max: 1_000_000 }),
    10000,
  )
  .option(
    '--checkpoints <n>',
    'wgan-quality: checkpoints scored for the Spearman correlation (default 8); gan-quality: checkpoints scored, 10k samples each (default 3)',
    integerOption('--checkpoints', { min: 1, max: 1000 }),
  )
  .option(
    '--seed <n>',
    'quality workloads: the (first) seed',
    integerOption('--seed', { min: 0, max: 1_000_000 }),
    0,
  )
  .option(
    '--seeds <n>',
    'gan-quality, wgan-quality (default 1), gan-recipes (default 3): runs, one per seed from --seed on; reports the mean and spread',
    integerOption('--seeds', { min: 1, max: 100 }),
  )
  .option(
    '--dropout <rate>',
    "gan-parity: the discriminator's dropout rate, masks drawn by the peer (W1: 0.3; 0 for none)",
    rateOption('--dropout'),
    0.3,
  )
  .option(
    '--no-fused-adam',
    "diagnosis: Adam as tfjs ops instead of @lab's fused kernel (its 1 - b2 is rounded to float32)",
  )
  .option('--no-epoch', 'depparse: skip timing a training epoch')
  .option(
    '--epochs <n>',
    'deep-compression: baseline epochs (retraining as many, centroid fine-tuning half); default 10',
    integerOption('--epochs', { min: 1, max: 1000 }),
  )
  .option(
    '--train-limit <n>',
    'deep-compression: train on the first N MNIST training images',
    integerOption('--train-limit', { min: 1, max: 60_000 }),
  )
  .option(
    '--beam <n>',
    'depparse: beam width of the beam_* figures (default 8; 1 skips them)',
    integerOption('--beam', { min: 1, max: 64 }),
  )
  .option(
    '--plot <file>',
    "gan-quality, wgan-quality: write a PNG of both sides' FD curves per seed to this file",
    plotFileOption,
  )
  .option(
    '--combine <files>',
    'gan-quality, wgan-quality, gan-parity: no training; the line over the runs that earlier runs printed to these files (comma-separated or repeated)',
    fileListOption('--combine'),
  )
  .option('--quiet', 'quality workloads: no progress on stderr')
  .option('--profile', 'print a per-kernel breakdown of one iteration')
  .option('--no-peer', 'skip the PyTorch peer')
  .option(
    '--threads <list>',
    'speed workloads: thread counts that ours (@lab kernel threads) and the peer (torch threads) both run at; ' +
      'the first gives ours_ms, peer_ms and ratio, the best of each side ratio_best; distill trains on the largest',
    threadListOption('--threads'),
    defaultThreads(availableParallelism()),
  )
  .option(
    '--runtime <list>',
    `dcgan, lenet300: where ours runs, one JSON line each (${RUNTIMES.join(', ')}; chromium: headless, on a cross-origin isolated page)`,
    runtimeListOption('--runtime'),
    ['node'],
  )
  .option(
    '--chromium-cores <n>',
    "diagnosis, --runtime chromium: the page's navigator.hardwareConcurrency (tfjs runs at most half of it)",
    integerOption('--chromium-cores', { min: 1, max: 1024 }),
  )
  .addOption(
    new Option('--peer-threads <list>').hideHelp().argParser(() => {
      throw new InvalidArgumentError('is gone: --threads sets the thread counts of both sides');
    }),
  )
  .action(async (names: string[], o) => {
    for (const name of names)
      if (!WORKLOAD_NAMES.includes(name))
        throw new InvalidArgumentError(`unknown workload '${name}' (${WORKLOAD_NAMES.join(', ')})`);
    checkRuntimes(names, o.runtime, { chromiumCores: o.chromiumCores });
    if (o.plot && names.filter((n) => n === 'gan-quality' || n === 'wgan-quality').length > 1)
      throw new InvalidArgumentError('--plot names one file: run gan-quality and wgan-quality apart');
    if (o.combine) {
      const given = TRAINING_OPTIONS.filter((k) => program.getOptionValueSource(k) === 'cli');
      checkCombineCommand(names, given, o.plot);
      for (const name of names)
        for (const line of combineFiles(name, { files: o.combine, plot: o.plot, quiet: o.quiet })) {
          console.log(JSON.stringify(line));
          if (line.plot_error) process.exitCode = 1;
        }
      return;
    }
    const report = await initBackend({ backend: 'wasm' });
    // without the kernel, scaleByAdam composes tfjs ops (whose scalars are float32 roundings of doubles)
    if (!o.fusedAdam) unregisterKernel(ADAM_MOMENTS_KERNEL, 'wasm');
    for (const name of names) {
      if (name === 'gan-quality') {
        const q = { iters: o.iters ?? 3000, peer: o.peer, seed: o.seed, seeds: o.seeds ?? 1, quiet: o.quiet };
        const line = await ganQuality({ ...q, checkpoints: o.checkpoints ?? 3, plot: o.plot });
        console.log(JSON.stringify(line));
        if (line.plot_error) process.exitCode = 1;
      } else if (name === 'gan-parity') {
        const steps = o.iters ?? 30;
        const parity = { width: 64, steps, reportAt: [30], dropout: o.dropout, seed: o.seed, quiet: o.quiet };
        for (const line of await ganParity(parity)) console.log(JSON.stringify(line));
      } else if (name === 'precision') {
        if (!o.peer)
          throw new InvalidArgumentError('precision needs the peer: its float64 results are the reference');
        for (const line of precisionBench({ seed: o.seed, quiet: o.quiet }))
          console.log(JSON.stringify(line));
      } else if (name === 'deep-compression') {
        await deepCompressionBench({
          epochs: o.epochs,
          trainLimit: o.trainLimit,
          seed: o.seed,
          quiet: o.quiet,
        });
      } else if (name === 'finetune') {
        await runFinetune(o, program.getOptionValueSource('seeds') === 'cli');
      } else if (name === 'depparse') {
        console.log(JSON.stringify(await depparseBench({ epoch: o.epoch, quiet: o.quiet, beam: o.beam })));
      } else if (name === 'distill') {
        console.log(JSON.stringify(await distillBench(distillOptionsFrom(o))));
      } else if (name === 'wgan-quality') {
        const q = { iters: o.iters ?? 400, peer: o.peer, seed: o.seed, seeds: o.seeds ?? 1, quiet: o.quiet };
        const line = await wganQuality({
          ...q,
          width: o.width ?? 32,
          checkpoints: o.checkpoints ?? 8,
          plot: o.plot,
        });
        console.log(JSON.stringify(line));
        if (line.plot_error) process.exitCode = 1;
      } else if (name === 'gan-recipes') {
        const recipes: string[] = o.recipes ?? Object.keys(RECIPES);
        const g = {
          iters: o.iters ?? 3000,
          longIters: o.longIters,
          seed: o.seed,
          seeds: o.seeds ?? 3,
          quiet: o.quiet,
        };
        ganRecipes({ ...g, width: o.width ?? 64, dataFraction: o.dataFraction, recipes }, (line) =>
          console.log(JSON.stringify(line)),
        );
      } else if (isSpeedWorkload(name)) {
        const iters: number = o.iters ?? (name === 'wgangp' ? 5 : name === 'dcgan' ? 10 : 50);
        const threads: number[] = o.threads;
        const profile = Boolean(o.profile);
        const speed = {
          iters,
          threads,
          peer: o.peer,
          profile,
          report,
          runtimes: o.runtime,
          chromiumCores: o.chromiumCores,
        };
        for (const line of await speedBench(name, speed)) console.log(JSON.stringify(line));
      }
    }
  });

addDistillOptions(program);

addFinetuneOptions(program);
program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
