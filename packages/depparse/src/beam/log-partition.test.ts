// The log-partition that skips negligible exponentials is bitwise the plain sum of every term, in
// the same order, on rows shaped like a cube-activated parser's (logits spread over hundreds) and on
// rows made to catch a wrong skip: the maximum last, tiny terms first, terms near the cut.
import { Rng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { logPartition } from './log-partition.js';

/** The reference: every term added in order. */
function plain(scores: Float32Array, legal: Int32Array, count: number, max: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.exp(scores[legal[i]!]! - max);
  return max + Math.log(sum);
}

function check(scores: Float32Array, legal: Int32Array, count: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) max = Math.max(max, scores[legal[i]!]!);
  const got = logPartition(scores, 0, legal, count, max);
  expect(Object.is(got, plain(scores, legal, count, max))).toBe(true);
}

describe('logPartition', () => {
  it('is bitwise the plain sum on rows of widely spread logits', () => {
    const rng = new Rng(3);
    const T = 167;
    let skipped = 0;
    for (let row = 0; row < 4000; row++) {
      const spread = [5, 40, 120, 400][row % 4]!;
      const scores = Float32Array.from({ length: T }, () => spread * (rng.next() - 0.5) * rng.next());
      // any subset of the transitions, in increasing order (as the beam lists the legal ones)
      const legal = new Int32Array(T);
      let count = 0;
      for (let k = 0; k < T; k++) if (rng.next() < 0.8) legal[count++] = k;
      if (count === 0) continue;
      check(scores, legal, count);
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < count; i++) max = Math.max(max, scores[legal[i]!]!);
      for (let i = 0; i < count; i++) if (scores[legal[i]!]! - max < -38) skipped++;
    }
    // the rows do exercise the skip
    expect(skipped).toBeGreaterThan(10_000);
  });

  it('is bitwise the plain sum where tiny terms come before the maximum or sit at the cut', () => {
    const rng = new Rng(5);
    for (let row = 0; row < 4000; row++) {
      const n = 2 + Math.floor(rng.next() * 60);
      // tiny terms first (their sum is all there is until the larger ones come), the maximum last
      const scores = Float32Array.from({ length: n }, (_, i) => {
        if (i === n - 1) return 0;
        const u = rng.next();
        if (u < 0.3) return -700 + 40 * rng.next();
        if (u < 0.6) return -38 + 2 * (rng.next() - 0.5); // at the cut from a sum of 1
        if (u < 0.8) return -75 + 4 * (rng.next() - 0.5); // at the cut from a sum of e^-37
        return -40 * rng.next();
      });
      const legal = Int32Array.from({ length: n }, (_, i) => i);
      check(scores, legal, n);
      // and in reverse: the maximum first
      legal.reverse();
      check(scores, legal, n);
    }
  });

  it('keeps -Infinity and NaN rows as the plain sum has them', () => {
    const legal = Int32Array.from([0, 1, 2]);
    check(Float32Array.from([0, Number.NEGATIVE_INFINITY, -3]), legal, 3);
    const nan = Float32Array.from([0, Number.NaN, -3]);
    expect(Number.isNaN(logPartition(nan, 0, legal, 3, 0))).toBe(true);
  });
});
