// `distil` on the command line: registered by one call on whichever command should hold it (`lab
// compress` once it exists, `lab` until then).
import { type Command, InvalidArgumentError, Option } from 'commander';
import { distilRun } from './compress-distil-run.js';
import { integer, integerList, LIMITS, number } from './options.js';

/** --bias-shift: a finite number or 'auto'. */
function biasShiftOption(text: string): number | 'auto' {
  if (text.trim() === 'auto') return 'auto';
  return number('--bias-shift', { min: -100, max: 100 })(text);
}

export function registerDistil(parent: Command): Command {
  return parent
    .command('distil')
    .description(
      "distil a teacher MLP into a smaller student on MNIST-layout data (Hinton et al.'s soft targets at temperature T)",
    )
    .requiredOption('--data <dir>', 'MNIST-layout directory with train and t10k IDX files')
    .option('--teacher <file>', 'teacher module file (from --teacher-out); default: train one')
    .option(
      '--teacher-hidden <list>',
      'hidden sizes of a trained teacher',
      integerList('--teacher-hidden', { min: 1, max: 65_536 }, { maxLength: 16 }),
      [1200, 1200],
    )
    .option(
      '--student-hidden <list>',
      'hidden sizes of the student',
      integerList('--student-hidden', { min: 1, max: 65_536 }, { maxLength: 16 }),
      [800, 800],
    )
    .option(
      '--teacher-epochs <n>',
      'epochs of a trained teacher',
      integer('--teacher-epochs', LIMITS.epochs),
      10,
    )
    .option(
      '--jitter <px>',
      "shift each of a trained teacher's training images by up to px pixels (Hinton et al.: 2)",
      integer('--jitter', { min: 0, max: 64 }),
      0,
    )
    .option('--epochs <n>', 'distillation epochs', integer('--epochs', LIMITS.epochs), 10)
    .option(
      '--temperature <t>',
      'temperature T',
      number('--temperature', { min: 0, minExclusive: true, max: 1000 }),
      20,
    )
    .option(
      '--soft-weight <w>',
      'weight of the soft term (times T^2)',
      number('--soft-weight', { min: 0, max: 1000 }),
      0.9,
    )
    .option(
      '--hard-weight <w>',
      'weight of the hard-label term',
      number('--hard-weight', { min: 0, max: 1000 }),
      0.1,
    )
    .option(
      '--samples <k>',
      'dropout masks the teacher averages (0: the weight-scaled net)',
      integer('--samples', { min: 0, max: 1000 }),
      0,
    )
    .option(
      '--omit <class>',
      'leave this class out of the transfer set',
      integer('--omit', { min: 0, max: 9 }),
    )
    .addOption(
      new Option(
        '--bias-shift <b>',
        "raise of the omitted class's output bias, or 'auto' (chosen on --held-out images)",
      )
        .argParser(biasShiftOption)
        .default(3.5),
    )
    .option(
      '--held-out <n>',
      'training images kept out of training to choose --bias-shift auto',
      integer('--held-out', { min: 1, max: 1_000_000 }),
      5000,
    )
    .option('--limit <n>', 'use at most n training images', integer('--limit', LIMITS.examples))
    .option('--batch-size <n>', 'batch size', integer('--batch-size', LIMITS.batchSize), 100)
    .option('--lr <x>', 'Adam learning rate', number('--lr', { min: 0, minExclusive: true, max: 1 }), 1e-3)
    .addOption(new Option('--seed <n>', 'random seed').argParser(integer('--seed', LIMITS.seed)).default(0))
    .option('--out <file>', 'student module file', 'lab-out/distil/student.safetensors')
    .option('--teacher-out <file>', 'write the trained teacher here too')
    .addOption(new Option('--backend <name>', 'tensor backend').choices(['wasm', 'cpu']).default('wasm'))
    .option('--quiet', 'no progress output')
    .action(async (o) => {
      if (o.teacher && o.teacherOut)
        throw new InvalidArgumentError('--teacher-out writes a trained teacher; it cannot go with --teacher');
      if (o.teacher && o.jitter > 0)
        throw new InvalidArgumentError(
          '--jitter shifts the inputs of a trained teacher; it cannot go with --teacher',
        );
      const s = await distilRun(o);
      console.log(`teacher ${s.teacherErrors} test errors of ${s.testCount}; student ${s.studentErrors}`);
      if (s.omit !== undefined)
        console.log(
          `class ${s.omit} left out: ${s.omittedErrorsBefore} errors (${s.omittedClassErrorsBefore} on ${s.omit}s) before the bias raise, ` +
            `${s.studentErrors} (${s.omittedClassErrors} of ${s.omittedClassCount}) after +${s.biasShift}`,
        );
      console.log(`wrote ${s.files.join(', ')} (${s.seconds.toFixed(1)} s)`);
    });
}
