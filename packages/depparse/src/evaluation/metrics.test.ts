import { describe, expect, it } from 'vitest';
import { parseConllu } from '../text/conllu.js';
import { attachmentScores } from './metrics.js';

const sentence = (rows: [string, number, string][]) =>
  `${rows.map(([form, head, rel], i) => `${i + 1}\t${form}\t_\tX\tX\t_\t${head}\t${rel}\t_\t_`).join('\n')}\n\n`;

describe('CoNLL 2018 attachment scores', () => {
  const gold = parseConllu(
    sentence([
      ['The', 2, 'det'],
      ['dog', 3, 'nsubj'],
      ['barked', 0, 'root'],
      ['at', 5, 'case'],
      ['John', 3, 'obl'],
      ["'s", 5, 'nmod:poss'],
      ['.', 3, 'punct'],
    ]),
  );
  it('counts punctuation, compares universal relations, and scores CLAS on content words', () => {
    const system = parseConllu(
      sentence([
        ['The', 2, 'det'], // right
        ['dog', 3, 'obj'], // head right, label wrong
        ['barked', 0, 'root'], // right
        ['at', 3, 'case'], // head wrong
        ['John', 3, 'obl'], // right
        ["'s", 5, 'nmod'], // right: universal part of nmod:poss
        ['.', 2, 'punct'], // head wrong (punctuation counts)
      ]),
    );
    const s = attachmentScores(gold, system);
    expect(s.words).toBe(7);
    expect(s.uas).toBeCloseTo(5 / 7, 12);
    expect(s.las).toBeCloseTo(4 / 7, 12);
    // content words: gold {dog nsubj, barked, John, 's} = 4; system {dog obj, barked, John, 's} = 4; right: 3
    expect(s.clas).toBeCloseTo((2 * 3) / (4 + 4), 12);
    expect(s.perLabel.nsubj).toMatchObject({ gold: 1, system: 0, correct: 0, recall: 0 });
    expect(s.perLabel.nmod).toMatchObject({ gold: 1, system: 1, correct: 1, f1: 1 });
    expect(s.perLabel.punct).toMatchObject({ gold: 1, system: 1, correct: 0 });
  });
  it('refuses mismatched tokenisation', () => {
    const other = parseConllu(sentence([['The', 0, 'root']]));
    expect(() => attachmentScores(gold, other)).toThrow(/tokenisation must match/);
    expect(() => attachmentScores(gold, [])).toThrow(/1 sentences but system has 0/);
  });
});
