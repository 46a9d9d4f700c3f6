import { describe, expect, it } from 'vitest';
import { describeProblems, emptyReport, WeightsFormatError, WeightsMismatchError } from './errors.js';

describe('weights errors', () => {
  it('WeightsFormatError starts its message with the place and keeps code and place', () => {
    const e = new WeightsFormatError('BadShape', "tensor 'w'", 'shape [2] holds 2 values, file has 3');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.where]).toEqual(['WeightsFormatError', 'BadShape', "tensor 'w'"]);
    expect(e.message).toBe("tensor 'w': shape [2] holds 2 values, file has 3");
  });

  it('emptyReport gives fresh lists each call', () => {
    const a = emptyReport();
    a.missing.push('x');
    expect(emptyReport().missing).toEqual([]);
    expect(Object.keys(a).sort()).toEqual([
      'ignored',
      'matched',
      'missing',
      'shapeMismatches',
      'unexpected',
      'warnings',
    ]);
  });

  it('describeProblems: one line per missing, unexpected and misshapen tensor, in that order; not matched or ignored', () => {
    const r = {
      ...emptyReport(),
      matched: [{ source: 'a', target: 'a' }],
      missing: ['0.bias'],
      unexpected: ['fc.weight', 'extra'],
      shapeMismatches: [{ source: 'w', target: '1.weight', expected: [3, 2], got: [2, 3] }],
      ignored: ['num_batches_tracked'],
    };
    expect(describeProblems(r)).toEqual([
      'missing: 0.bias (no tensor in the file)',
      'unexpected: fc.weight (nothing in the model)',
      'unexpected: extra (nothing in the model)',
      'shape mismatch: w -> 1.weight: model [3, 2], file [2, 3]',
    ]);
    expect(describeProblems(emptyReport())).toEqual([]);
  });

  it('WeightsMismatchError counts the problems (singular and plural) and appends warnings as notes', () => {
    const one = new WeightsMismatchError('net', { ...emptyReport(), missing: ['w'] });
    expect(one.message).toBe(
      'net: the weights do not fit (1 problem; nothing loaded):\n  missing: w (no tensor in the file)',
    );
    expect(one.problems).toEqual(['missing: w (no tensor in the file)']);
    const two = new WeightsMismatchError('net', {
      ...emptyReport(),
      missing: ['w'],
      unexpected: ['v'],
      warnings: ['epsilon 0.001 in Keras, 0.00001 here'],
    });
    expect(two.name).toBe('WeightsMismatchError');
    expect(two.message).toContain('(2 problems; nothing loaded)');
    expect(two.message.split('\n').at(-1)).toBe('  note: epsilon 0.001 in Keras, 0.00001 here');
    expect(two.problems).toHaveLength(2);
    expect(two.report.unexpected).toEqual(['v']);
  });
});
