import { describe, expect, it } from 'vitest';
import { sentencesFromText, tokenizeLine } from './tokenize.js';

describe('plain-text tokenisation (UD English conventions)', () => {
  it('splits punctuation and clitics', () => {
    expect(tokenizeLine(`I don't like John's "new" car, (really)...`)).toEqual([
      'I',
      'do',
      "n't",
      'like',
      'John',
      "'s",
      '"',
      'new',
      '"',
      'car',
      ',',
      '(',
      'really',
      ')',
      '...',
    ]);
    expect(tokenizeLine("We're at 3.5 p.m. in the U.S.")).toEqual([
      'We',
      "'re",
      'at',
      '3.5',
      'p.m.',
      'in',
      'the',
      'U.S.',
    ]);
  });
  it('one sentence per non-empty line, text kept as a comment', () => {
    const s = sentencesFromText('Hello world.\n\n  Bye  \n');
    expect(s).toHaveLength(2);
    expect(s[0]!.comments).toEqual(['# text = Hello world.']);
    expect(s[0]!.rows.map((r) => r.form)).toEqual(['Hello', 'world', '.']);
  });
});
