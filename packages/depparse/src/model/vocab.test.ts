import { describe, expect, it } from 'vitest';
import { NULL_ID, normalizeWord, ROOT_ID, UNK_ID, Vocabulary } from './vocab.js';

describe('Vocabulary', () => {
  it('reserves ids 0-2, maps unknown items to UNK and keeps the first of duplicates', () => {
    const v = new Vocabulary(['b', 'a', 'b', '<unk>'], [5, 3, 9, 1]);
    expect(v.items).toEqual(['<null>', '<unk>', '<root>', 'b', 'a']);
    expect(v.counts).toEqual([0, 0, 0, 5, 3]);
    expect([v.id('<null>'), v.id('<unk>'), v.id('<root>')]).toEqual([NULL_ID, UNK_ID, ROOT_ID]);
    expect(v.id('b')).toBe(3);
    expect(v.id('zzz')).toBe(UNK_ID);
    expect(v.has('zzz')).toBe(false);
    // prototype names are items like any other
    expect(v.id('constructor')).toBe(UNK_ID);
    expect(v.size).toBe(5);
  });

  it('builds most frequent first (ties in first-seen order) above a cut-off', () => {
    const v = Vocabulary.build(['x', 'y', 'z', 'y', 'x', 'w', 'y'], 2);
    expect(v.toJSON()).toEqual({ items: ['y', 'x'], counts: [3, 2] });
    expect(Vocabulary.build(['q', 'p', 'p', 'q']).toJSON().items).toEqual(['q', 'p']);
  });

  it('extends with the items it lacks, counted in the training stream', () => {
    const v = Vocabulary.build(['a', 'a', 'b'], 2);
    const e = v.extend(['b', 'a', 'c'], ['a', 'a', 'b', 'c', 'c']);
    expect(e.toJSON()).toEqual({ items: ['a', 'b', 'c'], counts: [2, 1, 2] });
    expect(v.extend(['a'])).toBe(v);
  });

  it('round-trips through JSON and refuses JSON without an items array of strings', () => {
    const v = Vocabulary.build(['a', 'b', 'b']);
    expect(Vocabulary.fromJSON(v.toJSON()).items).toEqual(v.items);
    expect(Vocabulary.fromJSON(v.toJSON()).counts).toEqual(v.counts);
    expect(() => Vocabulary.fromJSON({ items: [1] as unknown as string[] })).toThrow(
      /items array of strings/,
    );
    expect(() => Vocabulary.fromJSON(null as unknown as { items: string[] })).toThrow(/items array/);
  });

  it('normalises word forms: lowercase, every digit to 0', () => {
    expect(normalizeWord('Paris1984')).toBe('paris0000');
    expect(normalizeWord('ÉTÉ')).toBe('été');
  });
});
