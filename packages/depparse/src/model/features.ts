// Chen & Manning (2014) feature templates: 18 word and 18 tag positions (the top three stack and
// buffer tokens; the first and second leftmost and rightmost children of s0 and s1; the leftmost of
// the leftmost and the rightmost of the rightmost child of s0 and s1) and the 12 arc labels of the
// child positions. Tags are read twice, from UPOS and from XPOS (gold morphology in EWT). Two
// additions for arc-hybrid and arc-eager, where the buffer front already has left dependents: the
// first and second leftmost children of b0 (word, tags, label); and Zhang & Nivre's (2011) distance
// and valency features: the s0-b0 distance and the left/right dependent counts of s0, s1 and b0.
import type { Configuration } from '../transitions/transitions.js';
import { NULL_ID, ROOT_ID } from './vocab.js';

export const TOKEN_POSITIONS = 20;
export const LABEL_POSITIONS = 14;
/** Distance and valency features: each is a bucket 0..EXTRA_VALUES-1 of its own kind. */
export const EXTRA_POSITIONS = 6;
export const EXTRA_VALUES = 16;
export const EXTRA_IDS = EXTRA_POSITIONS * EXTRA_VALUES;
/**
 * Positions whose sentence-context vectors (see ParserNet's context encoder) the first layer can
 * read, in this order: s0, b0, s1, s2 (Kiperwasser & Goldberg's 2016 arc-hybrid parser reads its
 * BiLSTM vectors at these four; a net reads the first `context.positions`).
 */
export const CONTEXT_POSITIONS = 4;

/** Per-token ids of one sentence (index 0 is the root). */
export interface SentenceIds {
  words: Int32Array;
  upos: Int32Array;
  xpos: Int32Array;
}

export interface FeatureBuffers {
  words: Int32Array;
  upos: Int32Array;
  xpos: Int32Array;
  labels: Int32Array;
  extras: Int32Array;
  /** Token index in the sentence (0: root, -1: none) of each context position. */
  tokens: Int32Array;
}

const leftmost = (c: Configuration, h: number, nth: number): number =>
  h < 0 ? -1 : nth === 1 ? c.left1[h]! : c.left2[h]!;
const rightmost = (c: Configuration, h: number, nth: number): number =>
  h < 0 ? -1 : nth === 1 ? c.right1[h]! : c.right2[h]!;

/** Token positions 6.. are children (of s0, s1, b0) and have labels: label k is position 6 + k's. */
const FIRST_CHILD = TOKEN_POSITIONS - LABEL_POSITIONS;

/** Writes the features of `c` at row `row` of the buffers. Label ids come from `labelIds` (per dependent). */
export function extractFeatures(
  c: Configuration,
  ids: SentenceIds,
  labelIds: Int32Array,
  out: FeatureBuffers,
  row: number,
): void {
  // the tokens at each position, in locals (a shared scratch array would be module-level state)
  const s0 = c.s(0);
  const s1 = c.s(1);
  const s2 = c.s(2);
  const b0 = c.b(0);
  const l1s0 = leftmost(c, s0, 1);
  const r1s0 = rightmost(c, s0, 1);
  const l1s1 = leftmost(c, s1, 1);
  const r1s1 = rightmost(c, s1, 1);
  writePosition(out, ids, labelIds, row, 0, s0);
  writePosition(out, ids, labelIds, row, 1, s1);
  writePosition(out, ids, labelIds, row, 2, s2);
  writePosition(out, ids, labelIds, row, 3, b0);
  writePosition(out, ids, labelIds, row, 4, c.b(1));
  writePosition(out, ids, labelIds, row, 5, c.b(2));
  writePosition(out, ids, labelIds, row, 6, l1s0);
  writePosition(out, ids, labelIds, row, 7, r1s0);
  writePosition(out, ids, labelIds, row, 8, leftmost(c, s0, 2));
  writePosition(out, ids, labelIds, row, 9, rightmost(c, s0, 2));
  writePosition(out, ids, labelIds, row, 10, l1s1);
  writePosition(out, ids, labelIds, row, 11, r1s1);
  writePosition(out, ids, labelIds, row, 12, leftmost(c, s1, 2));
  writePosition(out, ids, labelIds, row, 13, rightmost(c, s1, 2));
  writePosition(out, ids, labelIds, row, 14, leftmost(c, l1s0, 1));
  writePosition(out, ids, labelIds, row, 15, rightmost(c, r1s0, 1));
  writePosition(out, ids, labelIds, row, 16, leftmost(c, l1s1, 1));
  writePosition(out, ids, labelIds, row, 17, rightmost(c, r1s1, 1));
  writePosition(out, ids, labelIds, row, 18, leftmost(c, b0, 1));
  writePosition(out, ids, labelIds, row, 19, leftmost(c, b0, 2));
  const e = row * EXTRA_POSITIONS;
  const V = EXTRA_VALUES;
  out.extras[e] = s0 >= 0 && b0 > 0 ? distanceBucket(b0 - s0) : 0;
  out.extras[e + 1] = V + valency(c, s0, -1);
  out.extras[e + 2] = 2 * V + valency(c, s0, 1);
  out.extras[e + 3] = 3 * V + valency(c, s1, -1);
  out.extras[e + 4] = 4 * V + valency(c, s1, 1);
  out.extras[e + 5] = 5 * V + valency(c, b0, -1);
  const k = row * CONTEXT_POSITIONS;
  out.tokens[k] = s0;
  out.tokens[k + 1] = b0;
  out.tokens[k + 2] = s1;
  out.tokens[k + 3] = s2;
}

/** Token `k` (-1: none, 0: root) at position `i` of row `row`: its ids and, for a child position, its label. */
function writePosition(
  out: FeatureBuffers,
  ids: SentenceIds,
  labelIds: Int32Array,
  row: number,
  i: number,
  k: number,
): void {
  const t = row * TOKEN_POSITIONS + i;
  if (k < 0) {
    out.words[t] = NULL_ID;
    out.upos[t] = NULL_ID;
    out.xpos[t] = NULL_ID;
  } else if (k === 0) {
    out.words[t] = ROOT_ID;
    out.upos[t] = ROOT_ID;
    out.xpos[t] = ROOT_ID;
  } else {
    out.words[t] = ids.words[k]!;
    out.upos[t] = ids.upos[k]!;
    out.xpos[t] = ids.xpos[k]!;
  }
  if (i >= FIRST_CHILD) out.labels[row * LABEL_POSITIONS + i - FIRST_CHILD] = k > 0 ? labelIds[k]! : NULL_ID;
}

/** 1..5 as themselves, then 6-7, 8-10, 11-15, 16+ (0: no s0 or b0). */
function distanceBucket(d: number): number {
  if (d <= 5) return d;
  if (d <= 7) return 6;
  if (d <= 10) return 7;
  if (d <= 15) return 8;
  return 9;
}

/** Left (side -1) or right (side 1) dependents of h so far, capped at EXTRA_VALUES - 2; 0 for no token. */
function valency(c: Configuration, h: number, side: number): number {
  if (h < 0) return 0;
  return 1 + Math.min(side < 0 ? c.leftCount[h]! : c.rightCount[h]!, EXTRA_VALUES - 2);
}

export function featureBuffers(rows: number): FeatureBuffers {
  return {
    words: new Int32Array(rows * TOKEN_POSITIONS),
    upos: new Int32Array(rows * TOKEN_POSITIONS),
    xpos: new Int32Array(rows * TOKEN_POSITIONS),
    labels: new Int32Array(rows * LABEL_POSITIONS),
    extras: new Int32Array(rows * EXTRA_POSITIONS),
    tokens: new Int32Array(rows * CONTEXT_POSITIONS),
  };
}
