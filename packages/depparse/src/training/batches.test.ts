import { Rng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { exampleBatches, sentenceBatches } from './batches.js';
import type { Examples } from './examples.js';

/** Examples whose sentence ids are `sentences` (only the field the batcher reads). */
const examplesOf = (sentences: number[]) =>
  ({ sentences: Int32Array.from(sentences), count: sentences.length }) as unknown as Examples;

describe('exampleBatches', () => {
  it('covers every example once, in batches of the size (the last one shorter)', () => {
    const batches = exampleBatches(10, 4, new Rng(1));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => [...b]).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    // the order is the seed's
    expect(exampleBatches(10, 4, new Rng(1))).toEqual(batches);
    expect(exampleBatches(10, 4, new Rng(2))).not.toEqual(batches);
  });
});

describe('sentenceBatches', () => {
  it("keeps each sentence's examples together, in order, and closes a batch once it reaches the size", () => {
    // sentence 0: examples 0, 1, 5; sentence 1: 2, 3; sentence 2: 4, 6, 7
    const ex = examplesOf([0, 0, 1, 1, 2, 0, 2, 2]);
    const batches = sentenceBatches(ex, 3, 3, new Rng(4));
    const all = batches.flatMap((b) => [...b]);
    expect([...all].sort((a, b) => a - b)).toEqual([...Array(8).keys()]);
    for (const b of batches) {
      const rows = [...b];
      // whole sentences only, each sentence's examples ascending
      for (const s of new Set(rows.map((i) => ex.sentences[i]!))) {
        const own = rows.filter((i) => ex.sentences[i] === s);
        expect(own).toEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => ex.sentences[i] === s));
      }
    }
    // every batch but the last reached the size
    for (const b of batches.slice(0, -1)) expect(b.length).toBeGreaterThanOrEqual(3);
  });
});
