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
  const l2s0 = leftmost(c, s0, 2);
  const r2s0 = rightmost(c, s0, 2);
  const l1s1 = leftmost(c, s1, 1);
  const r1s1 = rightmost(c, s1, 1);
  const l2s1 = leftmost(c, s1, 2);
  const r2s1 = rightmost(c, s1, 2);
  const l1l1s0 = leftmost(c, l1s0, 1);
  const r1r1s0 = rightmost(c, r1s0, 1);
  const l1l1s1 = leftmost(c, l1s1, 1);
  const r1r1s1 = rightmost(c, r1s1, 1);
  const l1b0 = leftmost(c, b0, 1);
  const l2b0 = leftmost(c, b0, 2);
  const t = row * TOKEN_POSITIONS;
  writeToken(out, ids, t, s0);
  writeToken(out, ids, t + 1, s1);
  writeToken(out, ids, t + 2, s2);
  writeToken(out, ids, t + 3, b0);
  writeToken(out, ids, t + 4, c.b(1));
  writeToken(out, ids, t + 5, c.b(2));
  writeToken(out, ids, t + 6, l1s0);
  writeToken(out, ids, t + 7, r1s0);
  writeToken(out, ids, t + 8, l2s0);
  writeToken(out, ids, t + 9, r2s0);
  writeToken(out, ids, t + 10, l1s1);
  writeToken(out, ids, t + 11, r1s1);
  writeToken(out, ids, t + 12, l2s1);
  writeToken(out, ids, t + 13, r2s1);
  writeToken(out, ids, t + 14, l1l1s0);
  writeToken(out, ids, t + 15, r1r1s0);
  writeToken(out, ids, t + 16, l1l1s1);
  writeToken(out, ids, t + 17, r1r1s1);
  writeToken(out, ids, t + 18, l1b0);
  writeToken(out, ids, t + 19, l2b0);
  // the labels of the child positions (6-19), in their order
  const l = row * LABEL_POSITIONS;
  const labels = out.labels;
  labels[l] = labelOf(labelIds, l1s0);
  labels[l + 1] = labelOf(labelIds, r1s0);
  labels[l + 2] = labelOf(labelIds, l2s0);
  labels[l + 3] = labelOf(labelIds, r2s0);
  labels[l + 4] = labelOf(labelIds, l1s1);
  labels[l + 5] = labelOf(labelIds, r1s1);
  labels[l + 6] = labelOf(labelIds, l2s1);
  labels[l + 7] = labelOf(labelIds, r2s1);
  labels[l + 8] = labelOf(labelIds, l1l1s0);
  labels[l + 9] = labelOf(labelIds, r1r1s0);
  labels[l + 10] = labelOf(labelIds, l1l1s1);
  labels[l + 11] = labelOf(labelIds, r1r1s1);
  labels[l + 12] = labelOf(labelIds, l1b0);
  labels[l + 13] = labelOf(labelIds, l2b0);
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

/** The ids of token `k` (-1: none, 0: root) at index `at` of the token buffers. */
function writeToken(out: FeatureBuffers, ids: SentenceIds, at: number, k: number): void {
  if (k < 0) {
    out.words[at] = NULL_ID;
    out.upos[at] = NULL_ID;
    out.xpos[at] = NULL_ID;
  } else if (k === 0) {
    out.words[at] = ROOT_ID;
    out.upos[at] = ROOT_ID;
    out.xpos[at] = ROOT_ID;
  } else {
    out.words[at] = ids.words[k]!;
    out.upos[at] = ids.upos[k]!;
    out.xpos[at] = ids.xpos[k]!;
  }
}

/** The label id of dependent `k` (none for -1 and the root). */
function labelOf(labelIds: Int32Array, k: number): number {
  return k > 0 ? labelIds[k]! : NULL_ID;
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
