// The `lab` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { GAN_LOSSES, ganSample, ganTrain } from './gan.js';
import { trainClassifier } from './train.js';
import { wganTrain } from './wgan.js';

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}
function positiveNumber(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

const program = new Command('lab').description(
  '@lab: train GANs, classifiers and parsers on TensorFlow.js WASM',
);

program
  .command('train')
  .description('train a convnet classifier on Fashion-MNIST (the embedded test split unless --data is given)')
  .option('--data <dir>', 'MNIST-layout directory with train and t10k IDX files')
  .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 3)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 64)
  .option('--lr <x>', 'Adam learning rate', positiveNumber('--lr'), 1e-3)
  .option('--seed <n>', 'random seed (weights, shuffling)', (v) => Number.parseInt(v, 10), 0)
  .option('--limit <n>', 'use at most n training examples', positiveInt('--limit'))
  .option('--out <dir>', 'output directory', 'lab-out/train')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const summary = await trainClassifier({
      data: o.data,
      epochs: o.epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
      limit: o.limit,
      out: o.out,
      backend: o.backend,
      quiet: o.quiet,
    });
    const acc = summary.validationAccuracy[summary.validationAccuracy.length - 1]!;
    console.log(
      `validation accuracy ${(100 * acc).toFixed(2)}% after ${summary.epochs} epochs ` +
        `(${summary.seconds.toFixed(1)} s, ${summary.msPerStep.toFixed(1)} ms/step, ${summary.backend.backend}` +
        `${summary.backend.simd ? ' SIMD' : ''})`,
    );
    console.log(`wrote ${summary.files.predictions}, ${summary.files.curves}, ${summary.files.summary}`);
  });

const gan = program.command('gan').description('generative adversarial networks (DCGAN on Fashion-MNIST)');
gan
  .command('train')
  .description('train a DCGAN; writes sample grids, a checkpoint, losses.svg and metrics.json')
  .option(
    '--data <dir>',
    'MNIST-layout directory (train split); default: the embedded Fashion-MNIST test split',
  )
  .option('--steps <n>', 'generator steps', positiveInt('--steps'), 1000)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 64)
  .option('--width <n>', 'DCGAN base width (64 is the W1 benchmark net)', positiveInt('--width'), 16)
  .option('--latent <n>', 'latent dimension', positiveInt('--latent'), 100)
  .addOption(new Option('--loss <name>', 'loss').choices([...GAN_LOSSES]).default('non-saturating'))
  .option('--d-steps <n>', 'discriminator steps per generator step', positiveInt('--d-steps'), 1)
  .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 0)
  .option('--sample-every <n>', 'write a sample grid every n steps', positiveInt('--sample-every'), 200)
  .option('--checkpoint-every <n>', 'checkpoint every n steps', positiveInt('--checkpoint-every'), 200)
  .option('--resume', 'continue from <out>/checkpoint.safetensors when it exists')
  .option('--out <dir>', 'output directory', 'lab-out/gan')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const s = await ganTrain({
      ...o,
      dSteps: o.dSteps,
      batchSize: o.batchSize,
      sampleEvery: o.sampleEvery,
      checkpointEvery: o.checkpointEvery,
      resume: Boolean(o.resume),
    });
    console.log(
      `trained steps ${s.startStep + 1}-${s.stepsDone} in ${s.seconds.toFixed(1)} s; wrote ${s.grids.length} sample grids, ${s.checkpoint}, metrics.json`,
    );
  });
gan
  .command('sample')
  .description('write a grid of samples from a checkpoint')
  .requiredOption('--checkpoint <file>', 'checkpoint written by lab gan train')
  .option('--count <n>', 'samples', positiveInt('--count'), 64)
  .option('--seed <n>', 'noise seed', (v) => Number.parseInt(v, 10), 0)
  .option('--out <file>', 'PNG file', 'lab-out/gan/samples.png')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .action(async (o) => {
    const r = await ganSample(o);
    console.log(`wrote ${r.count} samples to ${r.file}`);
  });

program
  .command('wgan')
  .description('Wasserstein GANs (DCGAN nets on Fashion-MNIST)')
  .command('train')
  .description('train WGAN-GP (default) or WGAN with weight clipping; logs the Wasserstein estimate')
  .option(
    '--data <dir>',
    'MNIST-layout directory (train split); default: the embedded Fashion-MNIST test split',
  )
  .option('--steps <n>', 'generator steps', positiveInt('--steps'), 500)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 64)
  .option('--width <n>', 'DCGAN base width', positiveInt('--width'), 16)
  .option('--latent <n>', 'latent dimension', positiveInt('--latent'), 100)
  .addOption(
    new Option('--penalty <name>', 'Lipschitz constraint')
      .choices(['gp', 'gp-one-sided', 'dragan', 'clip'])
      .default('gp'),
  )
  .option('--n-critic <n>', 'critic steps per generator step', positiveInt('--n-critic'), 5)
  .option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10), 0)
  .option('--sample-every <n>', 'write a sample grid every n steps', positiveInt('--sample-every'), 100)
  .option('--checkpoint-every <n>', 'checkpoint every n steps', positiveInt('--checkpoint-every'), 100)
  .option('--resume', 'continue from <out>/checkpoint.safetensors when it exists')
  .option('--out <dir>', 'output directory', 'lab-out/wgan')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const s = await wganTrain({ ...o, resume: Boolean(o.resume) });
    const last = s.wassersteinEstimate[s.wassersteinEstimate.length - 1];
    console.log(
      `trained steps ${s.startStep + 1}-${s.stepsDone} in ${s.seconds.toFixed(1)} s; last W estimate ${last?.toFixed(4)}; wrote metrics.json, wasserstein.svg`,
    );
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
