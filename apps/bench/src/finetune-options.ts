// `pnpm bench finetune`'s own options, added to the bench command by one call, and the run they make.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { finetuneBench } from './finetune.js';
import type { LabelsPerClass } from './finetune-report.js';
import { integerOption } from './options.js';

/** The largest k a class of Fashion-MNIST's training split can give (6,000 images each). */
export const MAX_LABELS_PER_CLASS = 6000;

/** Parses a labels-per-class value: a whole number in [1, 6000] or 'all'. */
export function labelsOption(name: string) {
  const one = integerOption(name, { min: 1, max: MAX_LABELS_PER_CLASS });
  return (text: string): LabelsPerClass => (text.trim() === 'all' ? 'all' : one(text));
}

/** Parses a comma-separated list of labels per class (duplicates dropped, order kept). */
export function labelsListOption(name: string) {
  const one = labelsOption(name);
  return (text: string): LabelsPerClass[] => {
    const parts = text.split(',');
    if (parts.some((p) => p.trim() === ''))
      throw new InvalidArgumentError(
        `${name} takes a comma-separated list such as 1,5,10,100,all, got '${text}'`,
      );
    return [...new Set(parts.map(one))];
  };
}

/** Adds the finetune options to `program`. */
export function addFinetuneOptions(program: Command): Command {
  return program
    .option(
      '--labels <list>',
      'finetune: labels per class to learn task B from (1..6000 or all)',
      labelsListOption('--labels'),
      [1, 5, 10, 100, 'all'],
    )
    .option(
      '--steps <n>',
      'finetune: steps per strategy per run (whole epochs of batches of min(64, n), at least one)',
      integerOption('--steps', { min: 1, max: 1_000_000 }),
      300,
    )
    .option(
      '--pretrain-steps <n>',
      'finetune: steps of pretraining on task A (and of the base B network)',
      integerOption('--pretrain-steps', { min: 1, max: 1_000_000 }),
      3000,
    )
    .option('--no-transfer', "finetune: skip Yosinski et al.'s layer-transfer experiment")
    .option(
      '--transfer-labels <k>',
      'finetune: labels per class of task B in the layer-transfer experiment',
      labelsOption('--transfer-labels'),
      'all',
    )
    .option(
      '--transfer-seeds <n>',
      'finetune: seeds of the layer-transfer experiment',
      integerOption('--transfer-seeds', { min: 1, max: 100 }),
      1,
    )
    .option(
      '--transfer-steps <n>',
      'finetune: steps per layer-transfer network',
      integerOption('--transfer-steps', { min: 1, max: 1_000_000 }),
      300,
    )
    .option(
      '--tune',
      "finetune: choose each strategy's rate, decay and augmentation on held-out task-B images first",
    )
    .option('--out <dir>', 'finetune: where the tables and plots go', 'bench/out/finetune');
}

/** Runs `pnpm bench finetune` with the parsed options; --seeds defaults to 3 here. */
export async function runFinetune(o: Record<string, any>, seedsGiven: boolean): Promise<void> {
  await finetuneBench({
    labels: o.labels,
    seeds: seedsGiven ? o.seeds : 3,
    firstSeed: o.seed,
    steps: o.steps,
    pretrainSteps: o.pretrainSteps,
    peer: o.peer,
    transfer: o.transfer,
    transferLabels: o.transferLabels,
    transferSeeds: o.transferSeeds,
    transferSteps: o.transferSteps,
    tune: Boolean(o.tune),
    out: o.out,
    quiet: Boolean(o.quiet),
    emit: (line) => console.log(JSON.stringify(line)),
  });
}
