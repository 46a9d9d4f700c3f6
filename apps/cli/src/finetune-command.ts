// `lab finetune`'s options (registered on the lab program by one call) and its console output.
import { FINE_TUNE_STRATEGIES } from '@lab/finetune';
import { type Command, Option } from 'commander';
import { finetuneCommand } from './finetune.js';
import { CUT_LAYERS } from './finetune-model.js';
import { integer, LIMITS, number } from './options.js';

export function registerFinetune(program: Command): void {
  program
    .command('finetune')
    .description(
      'learn Fashion-MNIST classes 5-9 from a few labels with a convnet pretrained on classes 0-4 (here, or --weights)',
    )
    .option(
      '--data <dir>',
      'MNIST-layout directory with train and t10k IDX files (default: the embedded test split)',
    )
    .option(
      '--weights <file>',
      'pretrained convnet weights (safetensors: a lab checkpoint or a PyTorch state_dict)',
    )
    .addOption(
      new Option('--layout <name>', "the weights' layout when the file does not say").choices([
        'lab',
        'torch',
      ]),
    )
    .option('--cut-at <layer>', `layer to cut at, a new head above it (${CUT_LAYERS.join(', ')})`, 'fc')
    .addOption(
      new Option('--strategy <name>', 'how to train').choices([...FINE_TUNE_STRATEGIES]).default('gradual'),
    )
    .option(
      '--labels-per-class <k>',
      'labelled training images per class of 5-9',
      integer('--labels-per-class', { min: 1, max: 100_000 }),
      10,
    )
    .option('--epochs <n>', 'training epochs', integer('--epochs', LIMITS.epochs))
    .option(
      '--steps <n>',
      'training steps (rounded to whole epochs; default 300)',
      integer('--steps', LIMITS.steps),
    )
    .option(
      '--pretrain-steps <n>',
      'steps of pretraining on classes 0-4 (without --weights)',
      integer('--pretrain-steps', LIMITS.steps),
      500,
    )
    .option(
      '--lr <x>',
      "peak learning rate (default: the strategy's)",
      number('--lr', { min: 0, minExclusive: true, max: 1 }),
    )
    .option(
      '--shift <px>',
      'random shifts of training images, in pixels (0: none)',
      integer('--shift', { min: 0, max: 8 }),
    )
    .option('--seed <n>', 'random seed (picks, weights, batches)', integer('--seed', LIMITS.seed), 0)
    .option('--out <dir>', 'output directory', 'lab-out/finetune')
    .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
    .option('--quiet', 'no progress output')
    .action(async (o) => {
      const s = await finetuneCommand({ ...o, quiet: Boolean(o.quiet) });
      console.log(
        `${s.strategy} from ${s.labelsPerClass} labels per class, cut at ${s.cutAt}: ` +
          `${(100 * s.testAccuracy).toFixed(2)}% on ${s.testExamples} test images of classes 5-9 ` +
          `(${s.steps} steps, ${s.seconds.toFixed(1)} s)`,
      );
      console.log(`wrote ${Object.values(s.files).join(', ')}`);
    });
}
