// finetune's option parsers and the defaults the options get (finetune.test.ts covers a list's basics).
import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  addFinetuneOptions,
  labelsListOption,
  labelsOption,
  MAX_LABELS_PER_CLASS,
} from './finetune-options.js';

describe('labelsOption', () => {
  const k = labelsOption('--transfer-labels');

  it("reads 'all' (spaces around it too) and whole numbers in [1, 6000]", () => {
    expect(k('all')).toBe('all');
    expect(k(' all ')).toBe('all');
    expect(k('1')).toBe(1);
    expect(k(String(MAX_LABELS_PER_CLASS))).toBe(6000);
  });

  it('refuses 0, 6001, fractions, words and ALL, naming the option', () => {
    for (const bad of ['0', '6001', '2.5', 'abc', 'ALL', '', '-1'])
      expect(() => k(bad), bad).toThrow(InvalidArgumentError);
    expect(() => k('6001')).toThrow(/--transfer-labels/);
  });
});

describe('labelsListOption', () => {
  const list = labelsListOption('--labels');

  it('keeps the order, drops repeats and accepts all among numbers', () => {
    expect(list('100,1,all,1,100')).toEqual([100, 1, 'all']);
  });

  it('refuses an empty item anywhere, naming the option and the text', () => {
    for (const bad of ['', ',', '1,', ',1', '1,,2', '1, ,2'])
      expect(() => list(bad), bad).toThrow(
        `--labels takes a comma-separated list such as 1,5,10,100,all, got '${bad}'`,
      );
  });
});

describe('addFinetuneOptions', () => {
  const parse = (args: string[]) => {
    const program = addFinetuneOptions(
      new Command('bench').exitOverride().configureOutput({ writeErr: () => {} }),
    );
    program.parse(['node', 'bench', ...args]);
    return program.opts();
  };

  it('has the documented defaults', () => {
    expect(parse([])).toEqual({
      labels: [1, 5, 10, 100, 'all'],
      steps: 300,
      pretrainSteps: 3000,
      transfer: true,
      transferLabels: 'all',
      transferSeeds: 1,
      transferSteps: 300,
      out: 'bench/out/finetune',
    });
  });

  it('parses each option and refuses out-of-range values', () => {
    const o = parse([
      '--labels',
      '5,all',
      '--steps',
      '7',
      '--no-transfer',
      '--transfer-labels',
      '3',
      '--tune',
    ]);
    expect(o).toMatchObject({ labels: [5, 'all'], steps: 7, transfer: false, transferLabels: 3, tune: true });
    expect(() => parse(['--steps', '0'])).toThrow(/--steps/);
    expect(() => parse(['--transfer-seeds', '101'])).toThrow(/--transfer-seeds/);
    expect(() => parse(['--pretrain-steps', 'x'])).toThrow(/--pretrain-steps/);
  });
});
