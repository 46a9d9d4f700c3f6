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

/** An option's argument ('' for a switch), help, and parser maker (given the flag, for its errors). */
type OptionSpec = [
  argument: string,
  description: string,
  parser?: (flag: string) => (text: string) => unknown,
];

const int = (min: number, max: number) => (flag: string) => integerOption(flag, { min, max });
const increasing = (min: number, max: number) => (flag: string) => increasingListOption(flag, { min, max });

/** The workload's own options, keyed by the field each sets (the flag is its kebab-case: --teacher-width). */
const DISTILL_OPTIONS: { readonly [K in keyof DistillBenchOptions]?: OptionSpec } = {
  epochs: [
    '<n>',
    'training epochs of the teacher, the student and each distillation (default 10)',
    int(1, 10_000),
  ],
  teacherWidth: ['<n>', 'hidden units of the teacher (Hinton et al.: 1200)', int(1, 8192)],
  studentWidth: ['<n>', 'hidden units of the student (Hinton et al.: 800)', int(1, 8192)],
  temperature: [
    '<t>',
    'distillation temperature (default 20)',
    (f) => positiveNumberOption(f, { max: 1000 }),
  ],
  temperatures: [
    '<list>',
    'more temperatures to distil at, same teacher and student (e.g. 2,4,8,20)',
    increasing(1, 1000),
  ],
  jitter: [
    '<px>',
    "shift the teacher's training images by up to px pixels (Hinton et al.: 2; default 0)",
    int(0, 27),
  ],
  heldOut: [
    '<n>',
    'keep the last n of the training images out of training and report errors on them (default 0)',
    int(0, 59_900),
  ],
  mainOnly: [
    '',
    'only the teacher / student / distilled table (no omitted class, dropout ensemble, factorisation)',
  ],
  omit: ['<digit>', 'the digit left out of the transfer set (default 3)', int(0, 9)],
  biasShift: ['<b>', "raise of the omitted digit's output bias (default 3.5)", numberOption],
  trainExamples: ['<n>', 'first n MNIST training images used (default 60000)', int(100, 60_000)],
  ensembleExamples: ['<n>', 'test images in the dropout-ensemble table (default 10000)', int(1, 10_000)],
  ks: ['<list>', 'dropout-ensemble sizes (default 1,10,100)', increasing(1, 10_000)],
  ranks: ['<list>', 'SVD ranks of the factorisation line (default 8,16,32,64,128)', increasing(1, 8192)],
  kroneckerTerms: [
    '<list>',
    'Kronecker terms of the factorisation line (default 1,4,16)',
    increasing(1, 8192),
  ],
  factorEpochs: [
    '<n>',
    "epochs of fine-tuning each factorised student, with the student's training loop (default 2; 0 = none)",
    int(0, 10_000),
  ],
  factorisationOnly: [
    '',
    'only the student from scratch and its factorisation (no teacher, distillation, omitted class or ensemble)',
  ],
};

const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Adds the distill workload's options that `command` does not have yet. */
export function addDistillOptions(command: Command): Command {
  for (const [key, [argument, description, parser]] of Object.entries(DISTILL_OPTIONS) as [
    string,
    OptionSpec,
  ][]) {
    const long = flagOf(key);
    if (command.options.some((o) => o.long === long)) continue;
    const flags = argument ? `${long} ${argument}` : long;
    if (parser) command.option(flags, `distill: ${description}`, parser(long));
    else command.option(flags, `distill: ${description}`);
  }
  return command;
}

const SWITCHES = new Set(['quiet', 'mainOnly', 'factorisationOnly']);

/** The distill workload's options from the parsed command line (absent ones keep their defaults). */
export function distillOptionsFrom(o: Record<string, unknown>): Partial<DistillBenchOptions> {
  // its own options, and the bench's --seed and --quiet
  const keys = [...Object.keys(DISTILL_OPTIONS), 'seed', 'quiet'];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = SWITCHES.has(k) ? Boolean(o[k]) : o[k];
  // the bench's --threads list (the speed workloads' counts): distill trains on the largest
  if (Array.isArray(o.threads) && o.threads.length > 0) out.threads = Math.max(...(o.threads as number[]));
  return out as Partial<DistillBenchOptions>;
}
