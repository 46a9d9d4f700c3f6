import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { batches, batchIndices, trainValidationSplit } from './batches.js';

describe('batching and splits', () => {
  it('covers every example once per pass, in order without an Rng', () => {
    const all = [...batchIndices(10, { batchSize: 4 })].map((b) => Array.from(b));
    expect(all).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect([...batchIndices(10, { batchSize: 4, dropLast: true })]).toHaveLength(2);
    expect([...batchIndices(0, { batchSize: 4 })]).toHaveLength(0);
  });
  it('shuffles reproducibly and differently each pass', () => {
    const rng = new Rng(3);
    const p1 = [...batchIndices(50, { batchSize: 50, rng })][0]!;
    const p2 = [...batchIndices(50, { batchSize: 50, rng })][0]!;
    expect(Array.from(p1).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(p1)).not.toEqual(Array.from(p2));
    const again = [...batchIndices(50, { batchSize: 50, rng: new Rng(3) })][0]!;
    expect(Array.from(again)).toEqual(Array.from(p1));
  });
  it('maps batches through a gather function', () => {
    const data = [10, 20, 30];
    expect([...batches(3, (idx) => Array.from(idx, (i) => data[i]), { batchSize: 2 })]).toEqual([
      [10, 20],
      [30],
    ]);
  });
  it('splits into disjoint train and validation parts', () => {
    const { train, validation } = trainValidationSplit(100, 0.2, new Rng(1));
    expect(validation).toHaveLength(20);
    expect(train).toHaveLength(80);
    expect(new Set([...train, ...validation]).size).toBe(100);
    expect(trainValidationSplit(10, 3).validation).toEqual(Int32Array.from([0, 1, 2]));
    expect(() => trainValidationSplit(10, 11)).toThrow(/validation/);
    expect(() => [...batchIndices(5, { batchSize: 0 })]).toThrow(/batchSize/);
  });
});
