import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  addDistillOptions,
  distillOptionsFrom,
  increasingListOption,
  numberOption,
  positiveNumberOption,
} from './distill-options.js';

describe('distill options', () => {
  it('adds its options once, sharing one another workload defines', () => {
    const program = new Command('bench').option('--epochs <n>', 'someone else', Number);
    addDistillOptions(program);
    addDistillOptions(program);
    const longs = program.options.map((o) => o.long);
    expect(longs.filter((l) => l === '--epochs')).toHaveLength(1);
    expect(longs).toContain('--omit');
    expect(program.options.find((o) => o.long === '--epochs')!.description).toBe('someone else');
  });

  it('reads back every option it adds, under the field its flag names', () => {
    const program = addDistillOptions(new Command('bench').exitOverride());
    const line = [
      '--epochs 2',
      '--teacher-width 3',
      '--student-width 4',
      '--temperature 5',
      '--temperatures 1,2',
    ]
      .concat([
        '--jitter 1',
        '--held-out 7',
        '--main-only',
        '--omit 8',
        '--bias-shift 9',
        '--train-examples 100',
      ])
      .concat(['--ensemble-examples 11', '--ks 1,12', '--ranks 2,13', '--kronecker-terms 1,14'])
      .concat(['--factor-epochs 0', '--factorisation-only'])
      .flatMap((a) => a.split(' '));
    program.parse(['node', 'bench', ...line], { from: 'node' });
    expect(program.options.map((o) => o.long)).toHaveLength(17);
    expect(distillOptionsFrom(program.opts())).toEqual({
      epochs: 2,
      teacherWidth: 3,
      studentWidth: 4,
      temperature: 5,
      temperatures: [1, 2],
      jitter: 1,
      heldOut: 7,
      mainOnly: true,
      omit: 8,
      biasShift: 9,
      trainExamples: 100,
      ensembleExamples: 11,
      ks: [1, 12],
      ranks: [2, 13],
      kroneckerTerms: [1, 14],
      factorEpochs: 0,
      factorisationOnly: true,
    });
    expect(program.options.find((o) => o.long === '--teacher-width')!.description).toBe(
      'distill: hidden units of the teacher (Hinton et al.: 1200)',
    );
  });

  it('parses a command line into the workload options, and rejects bad values by name', () => {
    const program = addDistillOptions(
      new Command('bench').exitOverride().configureOutput({ writeErr: () => {} }),
    );
    program.option('--quiet').option('--seed <n>', 'seed', Number, 0);
    program.parse(
      ['node', 'bench', '--omit', '7', '--ks', '1,5', '--bias-shift', '-2', '--temperature', '8'],
      { from: 'node' },
    );
    expect(distillOptionsFrom(program.opts())).toEqual({
      omit: 7,
      ks: [1, 5],
      biasShift: -2,
      temperature: 8,
      seed: 0,
    });
    const sweep = addDistillOptions(
      new Command('bench').exitOverride().configureOutput({ writeErr: () => {} }),
    );
    sweep.parse(
      ['node', 'bench', '--temperatures', '2,4,8', '--jitter', '2', '--held-out', '10000', '--main-only'],
      { from: 'node' },
    );
    expect(distillOptionsFrom(sweep.opts())).toEqual({
      temperatures: [2, 4, 8],
      jitter: 2,
      heldOut: 10_000,
      mainOnly: true,
    });
    // the bench's --threads list (the speed workloads'): distill trains on its largest count
    expect(distillOptionsFrom({ threads: [1, 2] })).toEqual({ threads: 2 });
    expect(distillOptionsFrom({ threads: [] })).toEqual({});
    expect(() => sweep.parse(['node', 'bench', '--jitter', '-1'], { from: 'node' })).toThrow(/--jitter/);
    expect(() => sweep.parse(['node', 'bench', '--temperatures', '4,2'], { from: 'node' })).toThrow(
      /--temperatures takes increasing/,
    );
    expect(() => positiveNumberOption('--temperature')('0')).toThrow(/--temperature/);
    expect(() => numberOption('--bias-shift')('x')).toThrow(/--bias-shift/);
    expect(() => increasingListOption('--ks')('10,1')).toThrow(/increasing/);
    expect(() => program.parse(['node', 'bench', '--omit', '10'], { from: 'node' })).toThrow(/--omit/);
    for (const bad of ['-1', '1.5', 'x', '', '2e3', '10001'])
      expect(() => program.parse(['node', 'bench', '--factor-epochs', bad], { from: 'node' })).toThrow(
        /--factor-epochs takes an integer in \[0, 10000\]/,
      );
  });
});
