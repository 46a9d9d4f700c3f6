// The order of an epoch's examples: shuffled batches of examples, or of whole sentences' examples for
// a parser with a context encoder.
import type { Rng } from '@lab/core';
import type { Examples } from './examples.js';

/** Shuffled batches of `size` example indices. */
export function exampleBatches(count: number, size: number, rng: Rng): Int32Array[] {
  const order = rng.permutation(count);
  const out: Int32Array[] = [];
  for (let b = 0; b < count; b += size) out.push(order.subarray(b, b + size));
  return out;
}

/**
 * Batches of whole sentences' examples (a context encoder runs once per sentence of the batch):
 * sentences in shuffled order, taken until a batch has at least `size` examples.
 */
export function sentenceBatches(ex: Examples, sentences: number, size: number, rng: Rng): Int32Array[] {
  const start = new Int32Array(sentences + 1);
  for (let i = 0; i < ex.count; i++) start[ex.sentences[i]! + 1]!++;
  for (let s = 0; s < sentences; s++) start[s + 1]! += start[s]!;
  const bySentence = new Int32Array(ex.count);
  const at = start.slice(0, sentences);
  for (let i = 0; i < ex.count; i++) bySentence[at[ex.sentences[i]!]!++] = i;
  const out: Int32Array[] = [];
  let current: number[] = [];
  for (const s of rng.permutation(sentences)) {
    for (let i = start[s]!; i < start[s + 1]!; i++) current.push(bySentence[i]!);
    if (current.length >= size) {
      out.push(Int32Array.from(current));
      current = [];
    }
  }
  if (current.length) out.push(Int32Array.from(current));
  return out;
}
