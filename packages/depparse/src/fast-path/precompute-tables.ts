// What both paths of the precomputation trick share: the first layer's tables of embedding x W1-block
// products, the context encoder's first-layer block, and the row arithmetic of the JS path (which the
// kernel path also uses for tanh, the activation the kernel does not take).
import * as tf from '@tensorflow/tfjs-core';
import {
  EXTRA_IDS,
  EXTRA_POSITIONS,
  type FeatureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from '../model/features.js';
import { type ContextLayout, contextPositions, type ParserNet, tidyData } from '../model/model.js';

/** The first hidden layer as tables: [position][id][H] flattened, per feature kind. */
export interface FirstLayerTables {
  /** Width of the first hidden layer. */
  H: number;
  /** Words with tabled rows (the most frequent); rarer ones are multiplied by `w1Words`. */
  topWords: number;
  /**
   * The tabled words' rows, [position][word][H]; empty when they are built in the kernel as words
   * occur (`wordRows: false`: most of the table is never read by one parse).
   */
  words: Float32Array;
  upos: Float32Array;
  xpos: Float32Array;
  labels: Float32Array;
  extras: Float32Array;
  /** W1's word rows, [TOKEN_POSITIONS * wordDim, H], for words past `topWords`. */
  w1Words: Float32Array;
  wordEmb: Float32Array;
  bias: Float32Array;
  sizes: { upos: number; xpos: number; labels: number; dw: number };
}

/** Scores of `rows` feature rows, [rows, transitions]; `slots[r]` is row r's sentence in the batch. */
export type RowScorer = (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>) => Float32Array;

/** One way of running the trick (in JS, or in the WASM SIMD kernel's memory). */
export interface PrecomputedPath {
  /** Bytes held by the tables (memory cost of the trick). */
  readonly bytes: number;
  /** Whether the net reads a context encoder (scores are then per batch of sentences). */
  readonly hasContext: boolean;
  /** Runs the context encoder over the batch that the next scores are for. */
  prepareContext(batch: readonly SentenceIds[]): void;
  /** First hidden layer (after the activation) for `rows` feature rows, as a fresh [rows, H] array. */
  hidden(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array;
  /** Transition scores of `rows` feature rows (a view that the next call may overwrite). */
  score: RowScorer;
  dispose(): void;
}

export function firstLayerTables(
  net: ParserNet,
  topWords: number,
  { wordRows = true }: { wordRows?: boolean } = {},
): FirstLayerTables {
  const c = net.config;
  const H = c.hidden[0]!;
  const top = Math.min(topWords, c.words);
  const w1 = net.hidden[0]!.weight;
  const dw = c.wordDim;
  const dt = c.tagDim;
  const wordBase = 0;
  const uposBase = TOKEN_POSITIONS * dw;
  const xposBase = uposBase + TOKEN_POSITIONS * dt;
  const labelBase = xposBase + TOKEN_POSITIONS * dt;
  const extraBase = labelBase + LABEL_POSITIONS * c.labelDim;
  const block = (emb: tf.Tensor2D, rows: number, base: number, dim: number, positions: number) =>
    positionProducts(w1, emb, rows, base, dim, positions);
  return {
    H,
    topWords: top,
    words: wordRows
      ? block(net.wordEmbedding.weight as tf.Tensor2D, top, wordBase, dw, TOKEN_POSITIONS)
      : new Float32Array(0),
    upos: block(net.uposEmbedding.weight as tf.Tensor2D, c.upos, uposBase, dt, TOKEN_POSITIONS),
    xpos: block(net.xposEmbedding.weight as tf.Tensor2D, c.xpos, xposBase, dt, TOKEN_POSITIONS),
    labels: block(net.labelEmbedding.weight as tf.Tensor2D, c.labels, labelBase, c.labelDim, LABEL_POSITIONS),
    extras: block(
      net.extraEmbedding.weight as tf.Tensor2D,
      EXTRA_IDS,
      extraBase,
      c.extraDim,
      EXTRA_POSITIONS,
    ),
    w1Words: tidyData(() => tf.slice(w1, [0, 0], [TOKEN_POSITIONS * dw, H])),
    wordEmb: net.wordEmbedding.weight.dataSync() as Float32Array,
    bias: net.hidden[0]!.bias!.dataSync() as Float32Array,
    sizes: { upos: c.upos, xpos: c.xpos, labels: c.labels, dw },
  };
}

/**
 * Rows [position][id][H] of the first `rows` embeddings times each position's block of W1 (the `dim`
 * rows of W1 from `base + position * dim`), by tfjs's matMul.
 */
export function positionProducts(
  w1: tf.Tensor,
  emb: tf.Tensor,
  rows: number,
  base: number,
  dim: number,
  positions: number,
): Float32Array {
  const H = w1.shape[1]!;
  return tidyData(() => {
    const e = tf.slice(emb, [0, 0], [rows, dim]);
    const parts: tf.Tensor[] = [];
    for (let p = 0; p < positions; p++) parts.push(tf.matMul(e, tf.slice(w1, [base + p * dim, 0], [dim, H])));
    return tf.stack(parts);
  });
}

export function tablesBytes(t: FirstLayerTables): number {
  return 4 * (t.words.length + t.upos.length + t.xpos.length + t.labels.length + t.extras.length);
}

/** The context encoder's block of the first layer as [dim, positions * H] (position-major columns). */
export function contextBlocks(net: ParserNet, H: number): tf.Tensor2D | undefined {
  if (!net.contextOut) return undefined;
  const c = net.config;
  const d = c.context!.dim;
  const positions = contextPositions(c);
  const w = net.contextOut.weight;
  return tf.keep(
    tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(w, [positions, d, H]), [1, 0, 2]), [d, positions * H])),
  ) as tf.Tensor2D;
}

/** Each token's products with the context block, [layout.rows, positions, H], by tfjs's encoder. */
export function contextProducts(
  net: ParserNet,
  batch: readonly SentenceIds[],
  layout: ContextLayout,
  blocks: tf.Tensor2D,
): Float32Array {
  return tidyData(() => tf.matMul(net.contextTable(batch, layout), blocks));
}

export function activateInPlace(h: Float32Array, act: string): void {
  const n = h.length;
  if (act === 'cube') for (let j = 0; j < n; j++) h[j] = h[j]! * h[j]! * h[j]!;
  else if (act === 'relu') for (let j = 0; j < n; j++) h[j] = Math.max(h[j]!, 0);
  else for (let j = 0; j < n; j++) h[j] = Math.tanh(h[j]!);
}

export function addRow(h: Float32Array, table: Float32Array, offset: number, H: number): void {
  for (let j = 0; j < H; j++) h[j] = h[j]! + table[offset + j]!;
}

export function addScaledRow(
  h: Float32Array,
  table: Float32Array,
  offset: number,
  H: number,
  s: number,
): void {
  for (let j = 0; j < H; j++) h[j] = h[j]! + s * table[offset + j]!;
}
