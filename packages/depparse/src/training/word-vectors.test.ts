import { describe, expect, it } from 'vitest';
import { parseWordVectors } from './word-vectors.js';

describe('parseWordVectors', () => {
  it('reads word2vec/GloVe text, skipping a "count dim" header and blank lines', () => {
    const v = parseWordVectors('3 2\nthe 0.5 -1\n\nDog 2 3e-1\n  cat   1 1  \n');
    expect([...v.keys()]).toEqual(['the', 'dog', 'cat']);
    expect(Array.from(v.get('dog')!)).toEqual([2, Float32Array.of(0.3)[0]]);
    expect(Array.from(v.get('cat')!)).toEqual([1, 1]);
  });

  it('keys by the normalised form; the first of forms that normalise alike wins', () => {
    const v = parseWordVectors('1990 1 1\n1991 2 2\nParis 3 3\nparis 4 4\n');
    expect([...v.keys()]).toEqual(['0000', 'paris']);
    expect(Array.from(v.get('0000')!)).toEqual([1, 1]);
    expect(Array.from(v.get('paris')!)).toEqual([3, 3]);
  });

  it('refuses a wrong vector length or a value that is not a finite number, naming the line', () => {
    expect(() => parseWordVectors('a 1 2\nb 1 2 3\n', 2)).toThrow(
      'word vectors line 2: 3 values, expected 2',
    );
    expect(() => parseWordVectors('a 1 x\n')).toThrow('word vectors line 1: not a number');
    expect(() => parseWordVectors('a 1 Infinity\n')).toThrow('line 1: not a number');
    // a first line of two integers is a header, not a one-dimensional vector for the word "3"
    expect(parseWordVectors('3 2\n').size).toBe(0);
  });
});
