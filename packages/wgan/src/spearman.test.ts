import { describe, expect, it } from 'vitest';
import { spearman } from './spearman.js';

describe('spearman', () => {
  it('rank correlation with ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks [1, 2.5, 2.5, 4] and [1, 3, 2, 4]: Pearson of ranks = 4.5 / sqrt(4.5 * 5)
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(() => spearman([1], [1])).toThrow(/two pairs/);
    expect(() => spearman([1, 2], [1])).toThrow(/a has 2 values but b has 1/);
  });
});
