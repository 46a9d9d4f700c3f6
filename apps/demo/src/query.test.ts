import { describe, expect, it } from 'vitest';
import { intOption } from './query.js';

describe('intOption', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('reads a whole number in range, undefined when absent', () => {
    expect(intOption(q('steps=200'), 'steps', { min: 1, max: 1000 })).toBe(200);
    expect(intOption(q('auto'), 'steps', { min: 1, max: 1000 })).toBeUndefined();
  });
  it('rejects junk, fractions, empty values and out-of-range numbers, naming the option', () => {
    for (const bad of ['steps=abc', 'steps=2.5', 'steps=', 'steps=0', 'steps=1e9', 'steps=-3'])
      expect(() => intOption(q(bad), 'steps', { min: 1, max: 1000 })).toThrow(
        /^\?steps=.*: expected a whole number from 1 to 1000$/,
      );
  });
});
