// The `lab` command.

import { WGAN_GP_DEFAULTS } from '@lab/wgan';
import { Command, InvalidArgumentError, Option } from 'commander';
import { adversarialReport } from './adversarial.js';
import { registerCompress } from './compress.js';
import { MAX_INPUT_BYTES, MAX_INPUT_BYTES_LIMIT } from './conllu-input.js';
import { ganEval, trainEvaluatorCommand } from './evaluate.js';
import { registerFinetune } from './finetune-command.js';
import { GAN_LOSSES, ganSample, ganTrain } from './gan.js';
import { GAN_RECIPES } from './gan-recipe.js';
import { integer, LIMITS, number, numberList } from './options.js';
import {
  DEFAULT_BATCH_SIZE,
  formatScores,
  MAX_BATCH_SIZE,
  parseBeamOption,
  parseContextOption,
  parseEval,
  parseHiddenOption,
  parseMaxWordsOption,
  parseRun,
  parseRunBatchSizeOption,
  parseTaggerEpochsOption,
  parseTrain,
} from './parse.js';
import { checkStructuredOptions, parseStructuredTrain, STRUCTURED_KINDS } from './parse-structured.js';
import { trainClassifier } from './train.js';
import { WGAN_PENALTIES, wganTrain } from './wgan.js';

// the `lab parse` options below still use these two; everything else names its range directly
function positiveInt(name: string) {
  return integer(name, { min: 1 });
}
function positiveNumber(name: string) {
  return number(name, { min: 0, minExclusive: true });
}
const seedOption = (what: string) =>
  new Option('--seed <n>', what).argParser(integer('--seed', LIMITS.seed)).default(0);
const backendOption = () =>
  new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm');
const maxInputBytesOption = () =>
  new Option('--max-input-bytes <n>', 'largest input file (or standard input) read, in bytes')
    .argParser(integer('--max-input-bytes', { min: 1, max: MAX_INPUT_BYTES_LIMIT }))
    .default(MAX_INPUT_BYTES);
const lenientOption = () =>
  new Option(
    '--lenient',
    'read broken CoNLL-U anyway: each problem is a warning on stderr, unusable sentences are skipped',
  );
const program = new Command('lab').description(
  '@lab: train GANs, classifiers and parsers on TensorFlow.js WASM',
);

program
  .command('train')
  .description('train a convnet classifier on Fashion-MNIST (the embedded test split unless --data is given)')
  .option('--data <dir>', 'MNIST-layout directory with train and t10k IDX files')
  .option('--epochs <n>', 'epochs', integer('--epochs', LIMITS.epochs), 3)
  .option('--batch-size <n>', 'batch size', integer('--batch-size', LIMITS.batchSize), 64)
  .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, minExclusive: true, max: 1 }), 1e-3)
  .addOption(seedOption('random seed (weights, shuffling)'))
  .option('--limit <n>', 'use at most n training examples', integer('--limit', LIMITS.examples))
  .option('--out <dir>', 'output directory', 'lab-out/train')
  .addOption(backendOption())
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
  .option('--steps <n>', 'generator steps', integer('--steps', LIMITS.steps), 1000)
  .option('--batch-size <n>', 'batch size', integer('--batch-size', LIMITS.batchSize), 64)
  .option(
    '--width <n>',
    'DCGAN base width (64 is the W1 benchmark net)',
    integer('--width', LIMITS.width),
    16,
  )
  .option('--latent <n>', 'latent dimension', integer('--latent', LIMITS.latent), 100)
  .addOption(
    new Option(
      '--recipe <name>',
      'baseline (2016 W1, the default) or modern (EMA, TTUR, hinge, lazy R1, spectral norm); --resume continues the recorded one',
    ).choices([...GAN_RECIPES]),
  )
  .addOption(
    new Option('--loss <name>', "loss (default: the recipe's: non-saturating, modern: hinge)").choices([
      ...GAN_LOSSES,
    ]),
  )
  .option(
    '--lr-g <x>',
    "generator's Adam learning rate (default: the recipe's)",
    number('--lr-g', { min: 0, minExclusive: true, max: 1 }),
  )
  .option(
    '--lr-d <x>',
    "discriminator's Adam learning rate (default: the recipe's)",
    number('--lr-d', { min: 0, minExclusive: true, max: 1 }),
  )
  .option(
    '--ema <decay>',
    "EMA of the generator's weights with this decay, sampled and checkpointed beside it",
    number('--ema', { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
  )
  .option('--ema-warmup', 'ramp the EMA decay up as min(decay, (1 + t) / (10 + t))')
  .option(
    '--r1 <gamma>',
    'R1 gradient penalty on real data with this gamma',
    number('--r1', { min: 0, minExclusive: true, max: 1e6 }),
  )
  .option(
    '--r1-every <k>',
    'apply R1 every k discriminator updates, scaled by k (lazy)',
    integer('--r1-every', { min: 1, max: 1_000_000 }),
  )
  .option('--spectral-norm', "spectral normalisation of the discriminator's weights")
  .option('--diff-augment', 'DiffAugment (colour, translation, cutout) of real and fake images before D')
  .option(
    '--d-steps <n>',
    'discriminator steps per generator step',
    integer('--d-steps', LIMITS.innerSteps),
    1,
  )
  .addOption(seedOption('random seed'))
  .option(
    '--sample-every <n>',
    'write a sample grid every n steps',
    integer('--sample-every', LIMITS.every),
    200,
  )
  .option(
    '--checkpoint-every <n>',
    'checkpoint every n steps',
    integer('--checkpoint-every', LIMITS.every),
    200,
  )
  .option('--resume', 'continue from <out>/checkpoint.safetensors when it exists')
  .option('--out <dir>', 'output directory', 'lab-out/gan')
  .addOption(backendOption())
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
  .option('--ema', "sample the EMA of the generator's weights (trained with --ema or --recipe modern)")
  .option('--count <n>', 'samples', integer('--count', LIMITS.gridCount), 64)
  .addOption(seedOption('noise seed'))
  .option('--out <file>', 'PNG file', 'lab-out/gan/samples.png')
  .addOption(backendOption())
  .action(async (o) => {
    const r = await ganSample(o);
    console.log(`wrote ${r.count} samples to ${r.file}`);
  });

gan
  .command('evaluator')
  .description('train the feature classifier behind FD/KID (the weights in @lab/gan/assets come from this)')
  .requiredOption('--data <dir>', 'Fashion-MNIST directory with train and t10k IDX files')
  .option('--epochs <n>', 'epochs', integer('--epochs', LIMITS.epochs), 4)
  .addOption(seedOption('random seed'))
  .option('--out <file>', 'weights file', 'lab-out/fashion-mnist-evaluator.safetensors')
  .addOption(backendOption())
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const r = await trainEvaluatorCommand(o);
    console.log(
      `test accuracy ${(100 * r.accuracy).toFixed(2)}% in ${r.seconds.toFixed(0)} s; wrote ${r.out}`,
    );
  });
gan
  .command('eval')
  .description('Fréchet distance, KID and classifier score of generated images against real test images')
  .option('--checkpoint <file>', 'checkpoint written by lab gan train or lab wgan train')
  .option(
    '--samples <file>',
    '.npy file of images in [-1, 1], shape [n, 28, 28] (e.g. from the PyTorch peer)',
  )
  .option('--count <n>', 'samples drawn from the checkpoint', integer('--count', LIMITS.evalCount), 10000)
  .option('--data <dir>', 'real images (test split); default: the embedded Fashion-MNIST test split')
  .option('--evaluator <file>', 'evaluator weights; default: the ones shipped in @lab/gan')
  .addOption(seedOption('noise and KID subset seed'))
  .addOption(backendOption())
  .action(async (o) => {
    console.log(JSON.stringify(await ganEval(o)));
  });

gan
  .command('adversarial')
  .description('FGSM/PGD accuracy against epsilon on MNIST for a clean and an adversarially trained convnet')
  .requiredOption('--data <dir>', 'MNIST directory with train and t10k IDX files')
  .option('--epochs <n>', 'training epochs of each convnet', integer('--epochs', LIMITS.epochs), 3)
  .option(
    '--epsilon <x>',
    'epsilon of adversarial training',
    number('--epsilon', { min: 0, minExclusive: true, max: 1 }),
    0.3,
  )
  .addOption(
    new Option('--attack <name>', 'attack used in adversarial training')
      .choices(['fgsm', 'pgd'])
      .default('fgsm'),
  )
  .option(
    '--epsilons <list>',
    'epsilons of the report',
    numberList('--epsilons', { min: 0, max: 1 }),
    [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
  )
  .option('--limit <n>', 'use at most n training images', integer('--limit', LIMITS.examples))
  .option('--test-limit <n>', 'attack at most n test images', integer('--test-limit', LIMITS.examples))
  .option(
    '--pgd-steps <n>',
    'steps of the PGD evaluation attack',
    integer('--pgd-steps', LIMITS.pgdSteps),
    10,
  )
  .addOption(seedOption('random seed'))
  .option('--out <dir>', 'report directory (report.json, accuracy.svg)', 'lab-out/adversarial')
  .addOption(backendOption())
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const r = await adversarialReport(o);
    for (const [name, m] of Object.entries(r.models)) {
      const f = m.fgsm.map((x) => `${x.epsilon}: ${(100 * x.accuracy).toFixed(1)}%`).join('  ');
      const p = m.pgd.map((x) => `${x.epsilon}: ${(100 * x.accuracy).toFixed(1)}%`).join('  ');
      console.log(`${name.padEnd(11)} FGSM ${f}\n${' '.repeat(11)} PGD  ${p}`);
    }
    console.log(`wrote ${o.out}/report.json and accuracy.svg in ${r.seconds.toFixed(0)} s`);
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
  .option('--steps <n>', 'generator steps', integer('--steps', LIMITS.steps), 500)
  .option('--batch-size <n>', 'batch size', integer('--batch-size', LIMITS.batchSize), 64)
  .option('--width <n>', 'DCGAN base width', integer('--width', LIMITS.width), 16)
  .option('--latent <n>', 'latent dimension', integer('--latent', LIMITS.latent), 100)
  .addOption(
    new Option('--penalty <name>', 'Lipschitz constraint').choices([...WGAN_PENALTIES]).default('gp'),
  )
  .option('--n-critic <n>', 'critic steps per generator step', integer('--n-critic', LIMITS.innerSteps), 5)
  .addOption(
    new Option(
      '--schedule <name>',
      "critic schedule: n-critic every step, or the reference code's 100 early on",
    )
      .choices(['paper', 'reference'])
      .default('paper'),
  )
  .option(
    '--lambda <x>',
    `penalty weight (default ${WGAN_GP_DEFAULTS.lambda})`,
    number('--lambda', { min: 0, minExclusive: true, max: 1e6 }),
  )
  .option(
    '--lr <x>',
    'learning rate (default: 5e-5 with clip, else 1e-4)',
    number('--lr', { min: 0, minExclusive: true, max: 1 }),
  )
  .addOption(
    new Option('--critic-norm <name>', 'normalisation in the critic (never batch norm)')
      .choices(['none', 'layer'])
      .default('none'),
  )
  .option(
    '--diagnostics-every <n>',
    'critic gradient-norm statistics every n steps (0: off)',
    integer('--diagnostics-every', { min: 0, max: LIMITS.every.max }),
    50,
  )
  .addOption(seedOption('random seed'))
  .option(
    '--sample-every <n>',
    'write a sample grid every n steps',
    integer('--sample-every', LIMITS.every),
    100,
  )
  .option(
    '--checkpoint-every <n>',
    'checkpoint every n steps',
    integer('--checkpoint-every', LIMITS.every),
    100,
  )
  .option('--resume', 'continue from <out>/checkpoint.safetensors when it exists')
  .option('--out <dir>', 'output directory', 'lab-out/wgan')
  .addOption(backendOption())
  .option('--quiet', 'no progress output')
  .action(async (o) => {
    const s = await wganTrain({ ...o, resume: Boolean(o.resume) });
    const last = s.wassersteinEstimate[s.wassersteinEstimate.length - 1];
    console.log(
      `trained steps ${s.startStep + 1}-${s.stepsDone} in ${s.seconds.toFixed(1)} s; last W estimate ${last?.toFixed(4)}; wrote metrics.json, wasserstein.svg${s.lipschitz.length ? ', lipschitz.svg' : ''}`,
    );
  });

/** A parse.ts option reader whose errors commander reports as invalid arguments. */
function invalidArgument<T>(read: (v: string) => T) {
  return (v: string) => {
    try {
      return read(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  };
}

const parse = program
  .command('parse')
  .description('dependency parsing (Chen & Manning style transition parser)');
parse
  .command('run', { isDefault: true })
  .description('parse CoNLL-U or plain text (one sentence per line) into CoNLL-U')
  .argument('[input]', 'input file (default: standard input)')
  .option('--model <dir>', 'model directory (default: the EWT model shipped in @lab/depparse)')
  .addOption(
    new Option('--format <name>', 'input format').choices(['auto', 'conllu', 'text']).default('auto'),
  )
  .option('--output <file>', 'write CoNLL-U here instead of standard output')
  .option(
    '--retag',
    "predict UPOS and XPOS (and FEATS, if the model reads them) with the model's tagger even when the input has them",
  )
  .option(
    '--batch-size <n>',
    `sentences parsed side by side (at most ${MAX_BATCH_SIZE})`,
    invalidArgument(parseRunBatchSizeOption),
    DEFAULT_BATCH_SIZE,
  )
  .option(
    '--max-words <n>',
    'words (tokens) per sentence at most; a longer sentence is an error (a warning with --lenient)',
    invalidArgument(parseMaxWordsOption),
    1000,
  )
  .option(
    '--beam <n>',
    'beam width: keep the n best transition sequences per sentence (1: greedy, at most 64)',
    invalidArgument(parseBeamOption),
    1,
  )
  .option(
    '--lenient',
    'read broken CoNLL-U anyway: each problem is a warning on stderr, unusable sentences are skipped',
  )
  .option('--quiet', 'no progress line for long inputs')
  .addOption(maxInputBytesOption())
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .action(async (input: string | undefined, o) => {
    const r = await parseRun({ ...o, input, retag: Boolean(o.retag), lenient: Boolean(o.lenient) });
    if (!o.output) process.stdout.write(r.conllu);
    else console.error(`parsed ${r.sentences} sentences in ${r.seconds.toFixed(2)} s; wrote ${o.output}`);
  });
parse
  .command('train')
  .description('train a parser (and a small tagger) on CoNLL-U; writes a model directory')
  .requiredOption('--train <file>', 'training CoNLL-U')
  .option('--dev <file>', 'development CoNLL-U (the best epoch by LAS is kept)')
  .option('--out <dir>', 'model directory', 'lab-out/parser')
  .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 10)
  .addOption(
    new Option('--system <name>', 'transition system')
      .choices(['arc-hybrid', 'arc-standard', 'arc-eager'])
      .default('arc-hybrid'),
  )
  .option(
    '--hidden <sizes>',
    'hidden layer sizes, e.g. 256 or 256,256',
    invalidArgument(parseHiddenOption),
    [256],
  )
  .addOption(
    new Option('--activation <name>', 'hidden activation').choices(['cube', 'relu', 'tanh']).default('cube'),
  )
  .option(
    '--context <dim,layers,width[,channels[,positions[,dropout]]]>',
    'sentence-context encoder: vector size, convolution layers, their width in tokens, the channels of all but the last (default: the vector size), how many of s0, b0, s1, s2 read the vectors (default 4) and the dropout on them in training, e.g. 64,3,5,64,4,0.2',
    (v) => {
      try {
        return parseContextOption(v);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    },
  )
  .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'adagrad']).default('adam'))
  .option('--lr <x>', 'learning rate (default: 1e-3 for Adam, 0.01 for AdaGrad)', positiveNumber('--lr'))
  .addOption(
    new Option('--lr-schedule <name>', 'learning-rate schedule').choices(['none', 'cosine']).default('none'),
  )
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 512)
  .option('--word-dim <n>', 'word embedding size', positiveInt('--word-dim'), 64)
  .addOption(
    new Option(
      '--morphology <what>',
      'what the XPOS embedding (and the tagger) read: XPOS, or XPOS and FEATS',
    )
      .choices(['xpos', 'xpos+feats'])
      .default('xpos'),
  )
  .option(
    '--explore-from <n>',
    'arc-hybrid: dynamic oracle with exploration from this epoch',
    positiveInt('--explore-from'),
  )
  .option('--vectors <file>', 'pretrained word vectors (word2vec/GloVe text, --word-dim values per word)')
  .option(
    '--word-dropout <alpha>',
    'a word seen c times in training is read as unknown with probability alpha / (alpha + c) (default: 0.25)',
    number('--word-dropout', { min: 0, max: 1e6 }),
  )
  .option(
    '--vectors-vocab <n>',
    'also give ids to the first n words of --vectors that training saw too rarely (default: 0)',
    integer('--vectors-vocab', { min: 0, max: 10_000_000 }),
  )
  .option(
    '--average <decay>',
    'Polyak averaging: score and keep a moving average of the weights with this decay (e.g. 0.999)',
    number('--average', { min: 0, max: 1, minExclusive: true, maxExclusive: true }),
  )
  .option(
    '--teachers <dirs>',
    'knowledge distillation: comma-separated model directories whose averaged predictions join the targets',
    (v) => v.split(',').filter(Boolean),
  )
  .option(
    '--teacher-weight <w>',
    "weight of the teachers' distribution in each target (default: 0.5)",
    number('--teacher-weight', { min: 0, max: 1 }),
  )
  .option(
    '--tagger-epochs <n>',
    'epochs of the UPOS/XPOS tagger (0: no tagger)',
    invalidArgument(parseTaggerEpochsOption),
    4,
  )
  .option('--half', 'store the weights as float16 (half the size)')
  .addOption(seedOption('random seed'))
  .option('--limit <n>', 'use only the first n training sentences', positiveInt('--limit'))
  .addOption(lenientOption())
  .addOption(maxInputBytesOption())
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
  .option('--quiet', 'no progress output')
  .addOption(
    new Option(
      '--structured <kind>',
      'then train for beam search on top of the greedy net: a structured perceptron on its activations, or the whole net with the global (CRF) loss',
    ).choices([...STRUCTURED_KINDS]),
  )
  .option('--beam <n>', 'structured training: beam width (default 8)', invalidArgument(parseBeamOption))
  .option('--from <dir>', 'structured training: start from this greedily trained model (no greedy training)')
  .option(
    '--structured-epochs <n>',
    'structured training: epochs (default 1)',
    integer('--structured-epochs', { min: 1, max: 1000 }),
  )
  .addOption(
    new Option(
      '--update <rule>',
      'structured training: where an update compares the beam with the gold (default early)',
    ).choices(['early', 'max-violation']),
  )
  .option(
    '--sentences-per-step <n>',
    'structured training: sentences searched side by side per update step (default 16)',
    integer('--sentences-per-step', { min: 1, max: 4096 }),
  )
  .option(
    '--structured-lr <x>',
    'global training: Adam learning rate (default 5e-5)',
    number('--structured-lr', { min: 0, max: 1, minExclusive: true }),
  )
  .addOption(
    new Option(
      '--perceptron-init <w>',
      "perceptron: a correction added to the net's log-probabilities (from zero), or alone from the net's output layer or from zero (default residual)",
    ).choices(['residual', 'network', 'zero']),
  )
  .option(
    '--perceptron-rate <x>',
    'perceptron: update step size (default 1)',
    number('--perceptron-rate', { min: 0, max: 1e6, minExclusive: true }),
  )
  .action(async (o) => {
    // a structured option without --structured is an error naming it, not silently ignored
    checkStructuredOptions(o);
    if (o.structured !== undefined) {
      const s = await parseStructuredTrain({ ...o, half: Boolean(o.half), lenient: Boolean(o.lenient) });
      const after = s.devAfter;
      console.log(
        `${s.structured} training in ${s.seconds.toFixed(0)} s; best epoch ${s.bestEpoch}${after ? ` (dev beam ${s.beam} UAS ${(100 * after.beam.uas).toFixed(2)}, LAS ${(100 * after.beam.las).toFixed(2)}; greedy UAS ${(100 * after.greedy.uas).toFixed(2)}, LAS ${(100 * after.greedy.las).toFixed(2)})` : ''}; wrote ${o.out}`,
      );
      return;
    }
    const s = await parseTrain({ ...o, half: Boolean(o.half), lenient: Boolean(o.lenient) });
    const bestDev = s.history[s.bestEpoch - 1]?.dev;
    console.log(
      `trained in ${s.seconds.toFixed(0)} s; best epoch ${s.bestEpoch}${bestDev ? ` (dev UAS ${(100 * bestDev.uas).toFixed(2)}, LAS ${(100 * bestDev.las).toFixed(2)})` : ''}; wrote ${o.out}`,
    );
  });
parse
  .command('eval')
  .description('UAS, LAS, CLAS (CoNLL 2018 definitions) and per-label scores of SYSTEM against GOLD')
  .argument('<gold>', 'gold CoNLL-U')
  .argument('<system>', 'system CoNLL-U (same tokenisation)')
  .option('--json', 'print JSON')
  .addOption(lenientOption())
  .addOption(maxInputBytesOption())
  .action((gold: string, system: string, o) => {
    const s = parseEval(gold, system, { lenient: Boolean(o.lenient), maxInputBytes: o.maxInputBytes });
    console.log(o.json ? JSON.stringify(s) : formatScores(s));
  });

registerCompress(program);

registerFinetune(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  // one line, no stack: the errors of readers and options name the file, field or option
  const message = error instanceof Error ? error.message : String(error);
  console.error(`lab: ${message.replace(/\s*\n\s*/g, ' ')}`);
  process.exit(1);
});
