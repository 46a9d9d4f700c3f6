// `lab compress`: Deep Compression on the command line (train, prune, sensitivity, quantize, encode,
// decode, info, eval). The options are parsed and range-checked here; compress-commands.ts does the work.
import { MODEL_NAMES } from '@lab/compress';

const KMEANS_INITS = ['linear', 'density', 'forgy'] as const;

import { type Command, Option } from 'commander';
import {
  compressDecode,
  compressEncode,
  compressEval,
  compressInfo,
  compressPrune,
  compressQuantize,
  compressSensitivity,
  compressTrain,
} from './compress-commands.js';
import { registerDistil } from './compress-distil.js';
import { integer, LIMITS, number, numberList } from './options.js';

const pct = (e: number | null) => (e === null ? 'not measured (no --data)' : `${(100 * e).toFixed(2)}%`);

function common(cmd: Command): Command {
  return cmd
    .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
    .option('--seed <n>', 'random seed', integer('--seed', LIMITS.seed), 0)
    .option('--quiet', 'no progress output', false);
}

function training(cmd: Command, what: string, epochs: number, lr: number): Command {
  return cmd
    .option('--data <dir>', 'MNIST-layout directory (train and t10k IDX files)')
    .option('--limit <n>', 'use at most n training examples', integer('--limit', LIMITS.examples))
    .option(
      `--epochs <n>`,
      `${what} epochs (0: none)`,
      integer('--epochs', { min: 0, max: LIMITS.epochs.max }),
      epochs,
    )
    .option('--batch-size <n>', 'batch size', integer('--batch-size', LIMITS.batchSize), 64)
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, minExclusive: true, max: 1 }), lr);
}

export function registerCompress(program: Command): void {
  const compress = program
    .command('compress')
    .description(
      'Deep Compression: prune, find sensitive layers, share weights, Huffman-code, run compressed',
    );

  common(training(compress.command('train'), 'training', 10, 1e-3))
    .description(`train a model to compress on MNIST (${MODEL_NAMES.join(', ')})`)
    .addOption(
      new Option('--model <name>', 'architecture').choices([...MODEL_NAMES]).default('lenet-300-100'),
    )
    .requiredOption('--out <file>', 'model file to write (safetensors)')
    .action(async (o) => {
      const r = await compressTrain(o);
      console.log(`test error ${pct(r.testError)}; wrote ${o.out}`);
    });

  common(training(compress.command('prune'), 'retraining', 0, 3e-4))
    .description(
      "prune small weights (Han's quality x std per layer, or a target sparsity), then retrain with the masks kept",
    )
    .argument('<model>', 'model file')
    .option(
      '--quality <q>',
      'threshold = q x std of the layer: one value or one per layer',
      numberList('--quality', { min: 0 }),
    )
    .option(
      '--sparsity <s>',
      'fraction to prune: one value or one per layer',
      numberList('--sparsity', { min: 0, max: 1 }),
    )
    .requiredOption('--out <file>', 'pruned model file to write')
    .action(async (input: string, o) => {
      const r = await compressPrune({ ...o, input });
      for (const row of r.rows)
        console.log(
          `${row.name}: kept ${row.kept} of ${row.size} (${(100 * (1 - row.sparsity)).toFixed(1)}%), threshold ${row.threshold.toPrecision(4)}`,
        );
      console.log(`test error ${pct(r.testError)}; wrote ${o.out}`);
    });

  common(compress.command('sensitivity'))
    .description(
      'accuracy of each layer pruned alone to each sparsity: a table, sensitivity.csv and sensitivity.png',
    )
    .argument('<model>', 'model file')
    .requiredOption('--data <dir>', 'MNIST-layout directory (its test split is scored)')
    .option('--limit <n>', 'score at most n test examples', integer('--limit', LIMITS.examples))
    .option(
      '--sparsities <list>',
      'sparsities to probe (default 0, 0.05, ..., 0.95)',
      numberList('--sparsities', { min: 0, max: 1 }),
    )
    .option(
      '--tolerance <x>',
      "accuracy drop allowed when choosing each layer's sparsity",
      number('--tolerance', { min: 0, max: 1 }),
      0.005,
    )
    .option('--out <dir>', 'output directory', 'lab-out/sensitivity')
    .action(async (input: string, o) => {
      const r = await compressSensitivity({ ...o, input });
      console.log(r.table);
      console.log(`wrote ${r.csv}, ${r.png}`);
    });

  common(training(compress.command('quantize'), 'centroid fine-tuning', 0, 1e-4))
    .description(
      'share weights: per-layer k-means codebooks (pruned weights stay zero), then fine-tune the centroids',
    )
    .argument('<model>', 'model file')
    .option(
      '--bits <n>',
      'codebook bits (default 8 for convolutions, 5 for dense layers)',
      integer('--bits', { min: 1, max: 8 }),
    )
    .addOption(
      new Option('--init <kind>', 'centroid initialisation').choices([...KMEANS_INITS]).default('linear'),
    )
    .requiredOption('--out <file>', 'model file to write')
    .action(async (input: string, o) => {
      const r = await compressQuantize({ ...o, input });
      for (const [layer, k] of Object.entries(r.codebooks)) console.log(`${layer}: ${k} shared values`);
      console.log(`test error ${pct(r.testError)}; wrote ${o.out}`);
    });

  compress
    .command('encode')
    .description('write a model as a compressed LDCF file (relative indices, codebooks, Huffman coding)')
    .argument('<model>', 'model file')
    .requiredOption('--out <file>', 'LDCF file to write')
    .option(
      '--index-bits <n>',
      'relative-index bits (default 8 for convolutions, 5 for dense)',
      integer('--index-bits', { min: 1, max: 8 }),
    )
    .action(async (input: string, o) => {
      console.log(await compressEncode({ ...o, input }));
      console.log(`wrote ${o.out}`);
    });

  compress
    .command('decode')
    .description('an LDCF file back to a model file (the exact weights it encoded)')
    .argument('<file>', 'LDCF file')
    .requiredOption('--out <file>', 'model file to write')
    .action(async (input: string, o) => {
      await compressDecode({ ...o, input });
      console.log(`wrote ${o.out}`);
    });

  compress
    .command('info')
    .description('sizes of an LDCF file per layer and stage (dense, pruned, quantized, Huffman)')
    .argument('<file>', 'LDCF file')
    .action((input: string) => console.log(compressInfo({ input })));

  common(compress.command('eval'))
    .description('test error of an LDCF file run from its shared weights (sparse dense layers)')
    .argument('<file>', 'LDCF file')
    .requiredOption('--data <dir>', 'MNIST-layout directory')
    .option('--limit <n>', 'score at most n test examples', integer('--limit', LIMITS.examples))
    .addOption(
      new Option('--mode <m>', 'how dense layers run').choices(['auto', 'sparse', 'dense']).default('auto'),
    )
    .action(async (input: string, o) => {
      const r = await compressEval({ ...o, input });
      console.log(r.plan);
      console.log(`test error ${pct(r.testError)}`);
    });

  // teacher/student distillation (its own file: it trains MLPs rather than compressing a file)
  registerDistil(compress);
}
