import { describe, expect, it } from 'vitest';
import { epochMetric, improves } from './improvement.js';

describe('improves', () => {
  it('the first score always improves, NaN never', () => {
    expect(improves(-5, undefined)).toBe(true);
    expect(improves(Number.NaN, undefined)).toBe(false);
    expect(improves(Number.NaN, 1)).toBe(false);
  });
  it("'max' wants a strictly higher score, 'min' a strictly lower one, by more than minDelta", () => {
    expect(improves(0.5, 0.5)).toBe(false);
    expect(improves(0.51, 0.5)).toBe(true);
    expect(improves(0.51, 0.5, { minDelta: 0.02 })).toBe(false);
    expect(improves(0.4, 0.5, { mode: 'min' })).toBe(true);
    expect(improves(0.5, 0.5, { mode: 'min' })).toBe(false);
    expect(improves(0.49, 0.5, { mode: 'min', minDelta: 0.02 })).toBe(false);
  });
});

describe('epochMetric', () => {
  it('reads validation first, then the training means, and names a missing metric', () => {
    const e = { epoch: 3, validation: { loss: 1 }, means: { loss: 2, acc: 0.5 } };
    expect(epochMetric(e, 'loss', 'test')).toBe(1);
    expect(epochMetric(e, 'acc', 'test')).toBe(0.5);
    expect(() => epochMetric(e, 'las', 'keepBest')).toThrow(
      "keepBest: epoch 3 reported no metric 'las' (validation or training)",
    );
  });
});
