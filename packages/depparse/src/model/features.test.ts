import { describe, expect, it } from 'vitest';
import { Configuration } from '../transitions/transitions.js';
import {
  CONTEXT_POSITIONS,
  EXTRA_POSITIONS,
  EXTRA_VALUES,
  extractFeatures,
  featureBuffers,
  LABEL_POSITIONS,
  TOKEN_POSITIONS,
} from './features.js';
import { NULL_ID, ROOT_ID } from './vocab.js';

// six tokens; token k has word id 10 + k, UPOS 20 + k, XPOS 30 + k and (as a dependent) label 40 + k
const ids = {
  words: Int32Array.from([0, 11, 12, 13, 14, 15, 16]),
  upos: Int32Array.from([0, 21, 22, 23, 24, 25, 26]),
  xpos: Int32Array.from([0, 31, 32, 33, 34, 35, 36]),
};
const labelIds = Int32Array.from([0, 41, 42, 43, 44, 45, 46]);

/** Stack [root, 1, 3] with 2 a left dependent of 3; buffer 5, 6 with 4 a left dependent of 5. */
function midParse(): Configuration {
  const c = new Configuration(6);
  c.stack.push(1, 3);
  c.attach(3, 2);
  c.attach(5, 4);
  c.next = 5;
  return c;
}

const row = <T extends ArrayLike<number>>(a: T, r: number, width: number) =>
  Array.from(a).slice(r * width, (r + 1) * width);

describe('extractFeatures', () => {
  it('writes the tokens, labels, distance/valency and context tokens of a configuration', () => {
    const out = featureBuffers(2);
    extractFeatures(midParse(), ids, labelIds, out, 1);
    const words = row(out.words, 1, TOKEN_POSITIONS);
    // s0 = 3, s1 = 1, s2 = root, b0 = 5, b1 = 6, b2 none; s0's leftmost child 2; b0's leftmost child 4
    expect(words.slice(0, 6)).toEqual([13, 11, ROOT_ID, 15, 16, NULL_ID]);
    expect(words[6]).toBe(12);
    expect(words[18]).toBe(14);
    expect(words.filter((w) => w === NULL_ID)).toHaveLength(TOKEN_POSITIONS - 7);
    expect(row(out.upos, 1, TOKEN_POSITIONS).slice(0, 4)).toEqual([23, 21, ROOT_ID, 25]);
    expect(row(out.xpos, 1, TOKEN_POSITIONS)[18]).toBe(34);
    const labels = row(out.labels, 1, LABEL_POSITIONS);
    // label 0 is position 6's (s0's leftmost child), label 12 position 18's (b0's leftmost child)
    expect(labels[0]).toBe(42);
    expect(labels[12]).toBe(44);
    expect(labels.filter((l) => l === NULL_ID)).toHaveLength(LABEL_POSITIONS - 2);
    const V = EXTRA_VALUES;
    // distance 2; s0 has one left and no right dependent, s1 none, b0 one left
    expect(row(out.extras, 1, EXTRA_POSITIONS)).toEqual([
      2,
      V + 2,
      2 * V + 1,
      3 * V + 1,
      4 * V + 1,
      5 * V + 2,
    ]);
    expect(row(out.tokens, 1, CONTEXT_POSITIONS)).toEqual([3, 5, 1, 0]);
    // row 0 untouched
    expect(row(out.words, 0, TOKEN_POSITIONS).every((w) => w === 0)).toBe(true);
  });

  it('writes each row from its own configuration alone, in any order of calls', () => {
    const start = new Configuration(6);
    const a = featureBuffers(2);
    extractFeatures(midParse(), ids, labelIds, a, 0);
    extractFeatures(start, ids, labelIds, a, 1);
    const b = featureBuffers(2);
    extractFeatures(start, ids, labelIds, b, 1);
    extractFeatures(midParse(), ids, labelIds, b, 0);
    expect(b).toEqual(a);
    // the initial configuration: only the root on the stack, tokens 1-3 in front of the buffer
    expect(row(a.words, 1, TOKEN_POSITIONS).slice(0, 6)).toEqual([ROOT_ID, NULL_ID, NULL_ID, 11, 12, 13]);
    expect(row(a.tokens, 1, CONTEXT_POSITIONS)).toEqual([0, 1, -1, -1]);
  });
});
