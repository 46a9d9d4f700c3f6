import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  defaultThreads,
  fileListOption,
  integerOption,
  MAX_THREADS,
  rateOption,
  threadListOption,
} from './options.js';

describe('bench options', () => {
  it('reads rates in [0, 1) and names the option when a value is not one', () => {
    const rate = rateOption('--dropout');
    expect(rate('0.3')).toBe(0.3);
    expect(rate('0')).toBe(0);
    expect(rate('.5')).toBe(0.5);
    expect(rate('3e-1')).toBeCloseTo(0.3, 15);
    for (const bad of ['1', '-0.1', '1.5', 'abc', '', 'NaN', '0x1', '0.3,0.4']) {
      expect(() => rate(bad)).toThrow(InvalidArgumentError);
      expect(() => rate(bad)).toThrow(/--dropout takes a number in \[0, 1\)/);
    }
  });

  it('reads integers in range and names the option when a value is not one', () => {
    const seeds = integerOption('--seeds', { min: 1, max: 100 });
    expect(seeds('3')).toBe(3);
    expect(seeds(' 100 ')).toBe(100);
    for (const bad of ['0', '101', '-1', 'abc', '', '1.5', '1e2', '0x10', 'NaN', 'Infinity', '2,3']) {
      expect(() => seeds(bad)).toThrow(InvalidArgumentError);
      expect(() => seeds(bad)).toThrow(/--seeds takes an integer in \[1, 100\]/);
    }
    expect(integerOption('--seed')('0')).toBe(0);
    expect(() => integerOption('--seed')('99999999999999999999')).toThrow(/--seed/);
  });

  it('reads a thread list, keeping its order and dropping repeats', () => {
    const threads = threadListOption('--threads');
    expect(threads('1,2')).toEqual([1, 2]);
    expect(threads('4,1,4')).toEqual([4, 1]);
    expect(threads('2')).toEqual([2]);
    for (const bad of ['', '1,', '0', '1,abc', `${MAX_THREADS + 1}`, '-2'])
      expect(() => threads(bad)).toThrow(/--threads takes an integer/);
  });

  it('sweeps one thread and every core by default', () => {
    expect(defaultThreads(2)).toEqual([1, 2]);
    expect(defaultThreads(16)).toEqual([1, 16]);
    expect(defaultThreads(1)).toEqual([1]);
    expect(defaultThreads(0)).toEqual([1]);
  });

  it('reads comma-separated file lists, adding each use to the list before', () => {
    const files = fileListOption('--combine');
    expect(files('a.out', undefined)).toEqual(['a.out']);
    expect(files('b.out,c.out', ['a.out'])).toEqual(['a.out', 'b.out', 'c.out']);
    expect(files(' d.out , e.out', undefined)).toEqual(['d.out', 'e.out']);
    for (const bad of ['', ',', 'a.out,', ',a.out', 'a.out,,b.out', ' ']) {
      expect(() => files(bad, undefined)).toThrow(InvalidArgumentError);
      expect(() => files(bad, undefined)).toThrow(/--combine takes file names separated by commas/);
    }
  });
});
