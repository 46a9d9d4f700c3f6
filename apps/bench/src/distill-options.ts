// `pnpm bench distill`'s options, added to the bench command by one call so that bench.ts changes by
// a line. An option another workload already defines (e.g. --epochs) is shared, not added twice.
import { type Command, InvalidArgumentError } from 'commander';
import type { DistillBenchOptions } from './distill.js';
import { integerOption } from './options.js';

/** A parser of a positive finite number option. */
export function positiveNumberOption(name: string, { max = Number.MAX_VALUE } = {}) {
  return (text: string): number => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!(n > 0 && n <= max))
      throw new InvalidArgumentError(`${name} takes a number in (0, ${max}], got '${text}'`);
    return n;
  };
}

/** A parser of a finite number option (negative allowed). */
export function numberOption(name: string) {
  return (text: string): number => {
    const n = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} takes a number, got '${text}'`);
    return n;
  };
}

/** A parser of a comma-separated list of increasing integers in [min, max]. */
export function increasingListOption(name: string, { min = 1, max = 100_000 } = {}) {
  const one = integerOption(name, { min, max });
  return (text: string): number[] => {
    const list = text.split(',').map((part) => one(part));
    if (list.some((v, i) => i > 0 && v <= list[i - 1]!))
      throw new InvalidArgumentError(`${name} takes increasing integers, got '${text}'`);
    return list;
  };
}

const DISTILL_OPTIONS: [flags: string, description: string, parse?: (text: string) => unknown][] = [
  [
    '--epochs <n>',
    'distill: training epochs of the teacher, the student and each distillation (default 10)',
    integerOption('--epochs', { min: 1, max: 10_000 }),
  ],
  [
    '--teacher-width <n>',
    'distill: hidden units of the teacher (Hinton et al.: 1200)',
    integerOption('--teacher-width', { min: 1, max: 8192 }),
  ],
  [
    '--student-width <n>',
    'distill: hidden units of the student (Hinton et al.: 800)',
    integerOption('--student-width', { min: 1, max: 8192 }),
  ],
  [
    '--temperature <t>',
    'distill: distillation temperature (default 20)',
    positiveNumberOption('--temperature', { max: 1000 }),
  ],
  [
    '--temperatures <list>',
    'distill: more temperatures to distil at, same teacher and student (e.g. 2,4,8,20)',
    increasingListOption('--temperatures', { min: 1, max: 1000 }),
  ],
  [
    '--jitter <px>',
    "distill: shift the teacher's training images by up to px pixels (Hinton et al.: 2; default 0)",
    integerOption('--jitter', { min: 0, max: 27 }),
  ],
  [
    '--held-out <n>',
    'distill: keep the last n of the training images out of training and report errors on them (default 0)',
    integerOption('--held-out', { min: 0, max: 59_900 }),
  ],
  [
    '--main-only',
    'distill: only the teacher / student / distilled table (no omitted class, dropout ensemble, factorisation)',
  ],
  [
    '--omit <digit>',
    'distill: the digit left out of the transfer set (default 3)',
    integerOption('--omit', { min: 0, max: 9 }),
  ],
  [
    '--bias-shift <b>',
    "distill: raise of the omitted digit's output bias (default 3.5)",
    numberOption('--bias-shift'),
  ],
  [
    '--train-examples <n>',
    'distill: first n MNIST training images used (default 60000)',
    integerOption('--train-examples', { min: 100, max: 60_000 }),
  ],
  [
    '--ensemble-examples <n>',
    'distill: test images in the dropout-ensemble table (default 10000)',
    integerOption('--ensemble-examples', { min: 1, max: 10_000 }),
  ],
  [
    '--ks <list>',
    'distill: dropout-ensemble sizes (default 1,10,100)',
    increasingListOption('--ks', { min: 1, max: 10_000 }),
  ],
  [
    '--ranks <list>',
    'distill: SVD ranks of the factorisation line (default 8,16,32,64,128)',
    increasingListOption('--ranks', { min: 1, max: 8192 }),
  ],
  [
    '--kronecker-terms <list>',
    'distill: Kronecker terms of the factorisation line (default 1,4,16)',
    increasingListOption('--kronecker-terms', { min: 1, max: 8192 }),
  ],
];

/** Adds the distill workload's options that `command` does not have yet. */
export function addDistillOptions(command: Command): Command {
  for (const [flags, description, parse] of DISTILL_OPTIONS) {
    const long = flags.split(' ')[0]!;
    if (command.options.some((o) => o.long === long)) continue;
    if (parse) command.option(flags, description, parse);
    else command.option(flags, description);
  }
  return command;
}

/** The distill workload's options from the parsed command line (absent ones keep their defaults). */
export function distillOptionsFrom(o: Record<string, unknown>): Partial<DistillBenchOptions> {
  const keys = [
    'epochs',
    'teacherWidth',
    'studentWidth',
    'temperature',
    'temperatures',
    'jitter',
    'heldOut',
    'mainOnly',
    'omit',
    'biasShift',
    'trainExamples',
    'ensembleExamples',
    'ks',
    'ranks',
    'kroneckerTerms',
    'seed',
    'quiet',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys)
    if (o[k] !== undefined) out[k] = k === 'quiet' || k === 'mainOnly' ? Boolean(o[k]) : o[k];
  // the bench's --threads list (the speed workloads' counts): distill trains on the largest
  if (Array.isArray(o.threads) && o.threads.length > 0) out.threads = Math.max(...(o.threads as number[]));
  return out as Partial<DistillBenchOptions>;
}
