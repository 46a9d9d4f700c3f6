// Pretrained word vectors: reading word2vec/GloVe text, starting the word embedding from them, and
// carrying the words that training never saw into the trained embedding's space.
import { cholesky, choleskySolve } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Parser } from '../model/parser.js';
import { normalizeWord } from '../model/vocab.js';

/**
 * Word vectors from text (word2vec/GloVe: "word v1 ... vd" per line, an optional "count dim" header),
 * keyed by normalised form, in the file's order.
 */
export function parseWordVectors(text: string, dim?: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2 || parts[0] === '') return;
    if (i === 0 && parts.length === 2 && /^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[1]!)) return;
    const v = Float32Array.from(parts.slice(1), Number);
    if (dim !== undefined && v.length !== dim)
      throw new Error(`word vectors line ${i + 1}: ${v.length} values, expected ${dim}`);
    if (v.some((x) => !Number.isFinite(x))) throw new Error(`word vectors line ${i + 1}: not a number`);
    // forms that normalise alike ("1990", "1991"): the first, most frequent in word2vec/GloVe order, wins
    const key = normalizeWord(parts[0]!);
    if (!out.has(key)) out.set(key, v);
  });
  return out;
}

export function initialiseWords(
  parser: Parser,
  vectors: Map<string, Float32Array>,
  rms: number | null,
): number {
  const E = parser.net.wordEmbedding.weight;
  const dim = E.shape[1]!;
  const data = E.dataSync().slice() as Float32Array;
  if (rms !== null && !(rms > 0)) throw new RangeError(`pretrainedRms must be > 0 or null, got ${rms}`);
  let squares = 0;
  let count = 0;
  for (const v of vectors.values()) {
    if (v.length !== dim)
      throw new Error(`pretrained vectors have ${v.length} values, the model uses ${dim}`);
    for (const x of v) squares += x * x;
    count += v.length;
  }
  const scale = rms === null || squares === 0 ? 1 : rms / Math.sqrt(squares / count);
  let found = 0;
  parser.vocab.words.items.forEach((w, id) => {
    const v = vectors.get(w);
    if (!v) return;
    for (let j = 0; j < dim; j++) data[id * dim + j] = v[j]! * scale;
    found++;
  });
  const t = tf.tensor2d(data, [E.shape[0]!, dim]);
  E.assign(t);
  t.dispose();
  return found;
}

/**
 * Rows of words that training never saw become their pretrained vector times the linear map that
 * best takes pretrained vectors to trained rows (ridge least squares over the words seen at least
 * twice): the trained embedding drifts away from the pretrained space, and a map fitted on the words
 * both know carries the unseen ones along (Madhyastha et al. 2016 do this with a neural map).
 */
export function projectUnseenWords(parser: Parser, vectors: Map<string, Float32Array>): number {
  const E = parser.net.wordEmbedding.weight;
  const [V, d] = E.shape as [number, number];
  const { items, counts } = parser.vocab.words;
  const seen: number[] = [];
  const unseen: number[] = [];
  items.forEach((w, id) => {
    if (id < 3 || !vectors.has(w)) return;
    if (counts[id] === 0) unseen.push(id);
    else if (counts[id]! >= 2) seen.push(id);
  });
  if (unseen.length === 0 || seen.length < d) return 0;
  const p = vectors.get(items[seen[0]!]!)!.length;
  const data = E.dataSync().slice() as Float32Array;
  // normal equations (P'P + lambda I) A = P'E in float64
  const ptp = new Float64Array(p * p);
  const pte = new Float64Array(p * d);
  for (const id of seen) {
    const x = vectors.get(items[id]!)!;
    for (let i = 0; i < p; i++) {
      const xi = x[i]!;
      for (let j = 0; j < p; j++) ptp[i * p + j]! += xi * x[j]!;
      for (let j = 0; j < d; j++) pte[i * d + j]! += xi * data[id * d + j]!;
    }
  }
  let trace = 0;
  for (let i = 0; i < p; i++) trace += ptp[i * p + i]!;
  for (let i = 0; i < p; i++) ptp[i * p + i]! += (1e-3 * trace) / p;
  const A = choleskySolve(cholesky(ptp, p, "the pretrained vectors' Gram matrix"), pte, p, d);
  for (const id of unseen) {
    const x = vectors.get(items[id]!)!;
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let i = 0; i < p; i++) v += x[i]! * A[i * d + j]!;
      data[id * d + j] = v;
    }
  }
  const t = tf.tensor2d(data, [V, d]);
  E.assign(t);
  t.dispose();
  parser.invalidate();
  return unseen.length;
}
