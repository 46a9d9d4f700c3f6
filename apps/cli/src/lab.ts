// The `lab` command.
import { Command, InvalidArgumentError, Option } from 'commander';
import { trainClassifier } from './train.js';

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

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
