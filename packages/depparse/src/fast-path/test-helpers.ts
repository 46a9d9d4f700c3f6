// Fixtures shared by the fast path's tests (not exported by the package).
import { Rng } from '@lab/core';
import { CONTEXT_POSITIONS, EXTRA_IDS, type FeatureBuffers, featureBuffers } from '../model/features.js';
import type { NetConfig } from '../model/model.js';

/**
 * `rows` rows of random ids (words over the whole vocabulary: tabled and rare); with `lengths`, also
 * the context tokens of row r's sentence (r mod the batch): -1 (none) .. its last token.
 */
export function randomFeatures(
  c: NetConfig,
  rows: number,
  seed: number,
  lengths: number[] = [],
): FeatureBuffers {
  const rng = new Rng(seed);
  const f = featureBuffers(rows);
  const fill = (a: Int32Array, n: number) => {
    for (let i = 0; i < a.length; i++) a[i] = rng.int(n);
  };
  fill(f.words, c.words);
  fill(f.upos, c.upos);
  fill(f.xpos, c.xpos);
  fill(f.labels, c.labels);
  fill(f.extras, EXTRA_IDS);
  for (let r = 0; r < rows && lengths.length; r++)
    for (let j = 0; j < CONTEXT_POSITIONS; j++)
      f.tokens[r * CONTEXT_POSITIONS + j] = rng.int(lengths[r % lengths.length]! + 1) - 1;
  return f;
}
