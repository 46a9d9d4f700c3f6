// The network of Chen & Manning (2014): embeddings of the 18 words, 18 UPOS + 18 XPOS tags and 12
// labels are concatenated, pass one or two hidden layers (cube activation by default; relu and tanh
// for the ablation) and a softmax over transitions.
import { Dense, Dropout, Embedding, Module, normal, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  EXTRA_IDS,
  EXTRA_POSITIONS,
  type FeatureBuffers,
  LABEL_POSITIONS,
  TOKEN_POSITIONS,
} from './features.js';
import { tableRowSum } from './table-op.js';

export type Activation = 'cube' | 'relu' | 'tanh';

export interface NetConfig {
  words: number;
  upos: number;
  xpos: number;
  labels: number;
  transitions: number;
  wordDim: number;
  tagDim: number;
  labelDim: number;
  /** Size of the distance and valency embeddings. */
  extraDim: number;
  /** Hidden layer sizes (one or two layers). */
  hidden: number[];
  activation: Activation;
  dropout: number;
}

export const DEFAULT_NET: Omit<NetConfig, 'words' | 'upos' | 'xpos' | 'labels' | 'transitions'> = {
  wordDim: 64,
  tagDim: 20,
  labelDim: 20,
  extraDim: 16,
  hidden: [256],
  activation: 'cube',
  dropout: 0.5,
};

export function activate(x: tf.Tensor, kind: Activation): tf.Tensor {
  if (kind === 'cube') return tf.mul(tf.mul(x, x), x);
  if (kind === 'relu') return tf.relu(x);
  return tf.tanh(x);
}

export function inputWidth(c: NetConfig): number {
  return (
    TOKEN_POSITIONS * (c.wordDim + 2 * c.tagDim) + LABEL_POSITIONS * c.labelDim + EXTRA_POSITIONS * c.extraDim
  );
}

export class ParserNet extends Module {
  readonly wordEmbedding: Embedding;
  readonly uposEmbedding: Embedding;
  readonly xposEmbedding: Embedding;
  readonly labelEmbedding: Embedding;
  readonly extraEmbedding: Embedding;
  readonly hidden: Dense[];
  readonly output: Dense;
  private readonly drop: Dropout;
  // scratch of wordPart: per word id, the mark of the last (call, position) that saw it and its slot
  private wordStamp = new Int32Array(0);
  private wordSlot = new Int32Array(0);
  private wordMark = 0;

  constructor(
    readonly config: NetConfig,
    rng = new Rng(0),
  ) {
    super('parser');
    if (config.hidden.length < 1 || config.hidden.length > 2)
      throw new RangeError(`one or two hidden layers, got ${config.hidden.length}`);
    // small initial embeddings and weights keep the cube's early activations tame (C&M use +-0.01)
    const emb = (n: number, d: number, name: string) =>
      this.addModule(name, new Embedding(n, d, { rng, name, init: normal(0.01) }));
    this.wordEmbedding = emb(config.words, config.wordDim, 'words');
    this.uposEmbedding = emb(config.upos, config.tagDim, 'upos');
    this.xposEmbedding = emb(config.xpos, config.tagDim, 'xpos');
    this.labelEmbedding = emb(config.labels, config.labelDim, 'labels');
    this.extraEmbedding = emb(EXTRA_IDS, config.extraDim, 'extras');
    let inF = inputWidth(config);
    this.hidden = config.hidden.map((h, i) => {
      const d = this.addModule(`hidden${i + 1}`, new Dense(inF, h, { rng, name: `hidden${i + 1}` }));
      inF = h;
      return d;
    });
    this.output = this.addModule('output', new Dense(inF, config.transitions, { rng, name: 'output' }));
    this.drop = this.addModule('dropout', new Dropout(config.dropout, { rng }));
  }

  /** The concatenated feature embeddings, [rows, inputWidth]. */
  embed(f: FeatureTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = f.words.shape[0]!;
      return tf.concat(
        [
          tf.reshape(this.wordEmbedding.forward(f.words), [rows, -1]),
          tf.reshape(this.uposEmbedding.forward(f.upos), [rows, -1]),
          tf.reshape(this.xposEmbedding.forward(f.xpos), [rows, -1]),
          tf.reshape(this.labelEmbedding.forward(f.labels), [rows, -1]),
          tf.reshape(this.extraEmbedding.forward(f.extras), [rows, -1]),
        ],
        1,
      ) as tf.Tensor2D;
    });
  }

  /**
   * The first hidden layer before its activation, embed(f) . W1 + b computed in two parts: the word
   * embeddings times their rows of W1, and the small-vocabulary inputs (tags, labels, extras) through
   * tables of every embedding x weight-block product (see table-op.ts), about half the multiply-adds.
   */
  firstLayer(f: FeatureTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const layer = this.hidden[0]!;
      const w = layer.weight;
      const h = w.shape[1]!;
      const rows = f.words.shape[0]!;
      const wordCols = TOKEN_POSITIONS * this.config.wordDim;
      let out: tf.Tensor = this.wordPart(f.words, tf.slice(w, [0, 0], [wordCols, h]));
      let offset = wordCols;
      const groups: [Embedding, tf.Tensor, number][] = [
        [this.uposEmbedding, f.upos, TOKEN_POSITIONS],
        [this.xposEmbedding, f.xpos, TOKEN_POSITIONS],
        [this.labelEmbedding, f.labels, LABEL_POSITIONS],
        [this.extraEmbedding, f.extras, EXTRA_POSITIONS],
      ];
      for (const [emb, ids, positions] of groups) {
        const [vocab, dim] = emb.weight.shape as [number, number];
        // one [vocab, dim] x [dim, positions * h] product (batched small products are slow in tfjs-wasm):
        // row v * positions + p of the table is embedding v times position p's block of W1
        const block = tf.reshape(tf.slice(w, [offset, 0], [positions * dim, h]), [positions, dim, h]);
        const blocks = tf.reshape(tf.transpose(block, [1, 0, 2]), [dim, positions * h]);
        const table = tf.reshape(tf.matMul(emb.weight, blocks), [vocab * positions, h]) as tf.Tensor2D;
        const id = ids.dataSync() as Int32Array;
        const rowIds = new Int32Array(id.length);
        for (let i = 0; i < id.length; i++) {
          const v = id[i]!;
          if (!(v >= 0 && v < vocab)) throw new RangeError(`${emb.name}: id ${v} outside [0, ${vocab})`);
          rowIds[i] = v * positions + (i % positions);
        }
        out = tf.add(out, tableRowSum(table, rowIds, rows, positions));
        offset += positions * dim;
      }
      return (layer.bias ? tf.add(out, layer.bias) : out) as tf.Tensor2D;
    });
  }

  /**
   * The word embeddings times their rows of W1, [rows, H]. A batch repeats words at each position
   * (NULL fills most child positions; function words recur), so each position multiplies only its
   * distinct words, [U_p, d] x [d, H], and each row sums its P products: 2,315 products instead of
   * 10,240 in a batch of 512 EWT examples (forward and both backward products shrink alike).
   */
  private wordPart(ids: tf.Tensor, wordWeights: tf.Tensor): tf.Tensor {
    const E = this.wordEmbedding.weight;
    const [vocab, dim] = E.shape as [number, number];
    const h = wordWeights.shape[1]!;
    const P = TOKEN_POSITIONS;
    const id = ids.dataSync() as Int32Array;
    const rows = id.length / P;
    if (this.wordStamp.length !== vocab) {
      this.wordStamp = new Int32Array(vocab).fill(-1);
      this.wordSlot = new Int32Array(vocab);
    }
    const stamp = this.wordStamp;
    const slot = this.wordSlot;
    const distinct = new Int32Array(id.length);
    const sizes: number[] = [];
    const rowIds = new Int32Array(id.length);
    let k = 0;
    for (let p = 0; p < P; p++) {
      // a stamp unique to this call and position marks the words seen so far
      const mark = ++this.wordMark;
      const start = k;
      for (let r = 0; r < rows; r++) {
        const v = id[r * P + p]!;
        if (!(v >= 0 && v < vocab))
          throw new RangeError(`${this.wordEmbedding.name}: id ${v} outside [0, ${vocab})`);
        if (stamp[v] !== mark) {
          stamp[v] = mark;
          slot[v] = k;
          distinct[k++] = v;
        }
        rowIds[r * P + p] = slot[v]!;
      }
      sizes.push(k - start);
    }
    if (this.wordMark > 2 ** 30) {
      stamp.fill(-1);
      this.wordMark = 0;
    }
    const vectors = tf.split(tf.gather(E, tf.tensor1d(distinct.subarray(0, k), 'int32')), sizes, 0);
    const blocks = tf.unstack(tf.reshape(wordWeights, [P, dim, h]));
    const table = tf.concat(
      vectors.map((x, p) => tf.matMul(x, blocks[p]!)),
      0,
    ) as tf.Tensor2D;
    return tableRowSum(table, rowIds, rows, P);
  }

  /** Transition logits for feature tensors [rows, 18] x3 and [rows, 12] (int32). */
  logits(f: FeatureTensors): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor = this.drop.forward(activate(this.firstLayer(f), this.config.activation));
      for (const layer of this.hidden.slice(1))
        h = this.drop.forward(activate(layer.forward(h), this.config.activation));
      return this.output.forward(h) as tf.Tensor2D;
    });
  }

  forward(): tf.Tensor {
    throw new Error('ParserNet: call logits() with feature tensors');
  }
}

export interface FeatureTensors {
  words: tf.Tensor;
  upos: tf.Tensor;
  xpos: tf.Tensor;
  labels: tf.Tensor;
  extras: tf.Tensor;
}

/** Feature buffers (first `rows` rows) as int32 tensors. */
export function featureTensors(b: FeatureBuffers, rows: number): FeatureTensors {
  return {
    extras: tf.tensor2d(b.extras.subarray(0, rows * EXTRA_POSITIONS), [rows, EXTRA_POSITIONS], 'int32'),
    words: tf.tensor2d(b.words.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    upos: tf.tensor2d(b.upos.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    xpos: tf.tensor2d(b.xpos.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    labels: tf.tensor2d(b.labels.subarray(0, rows * LABEL_POSITIONS), [rows, LABEL_POSITIONS], 'int32'),
  };
}
