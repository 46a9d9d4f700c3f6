// The network of Chen & Manning (2014): embeddings of the 18 words, 18 UPOS + 18 XPOS tags and 12
// labels are concatenated, pass one or two hidden layers (cube activation by default; relu and tanh
// for the ablation) and a softmax over transitions.
import { Dense, Dropout, Embedding, Module, normal, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { tableRowSum } from '../fast-path/table-op.js';
import {
  CONTEXT_POSITIONS,
  EXTRA_IDS,
  EXTRA_POSITIONS,
  type FeatureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from './features.js';
import { type InitialWeights, initializers } from './initial-weights.js';
import { ROOT_ID } from './vocab.js';

export type Activation = 'cube' | 'relu' | 'tanh';

/** The fixed cost of one small matMul in training, in multiply-adds' worth (see groupProducts). */
const SMALL_PRODUCT_COST = 2e6;

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
  /**
   * The second hidden layer's activation (default: `activation`): Weiss et al. (2015) put a relu
   * layer after a cube or relu first layer. Only with two hidden layers.
   */
  activation2?: Activation;
  dropout: number;
  /**
   * A sentence-context encoder: every token's word and tag embeddings pass `layers` 1-D convolutions
   * of `width` tokens (relu; `channels` wide, the last `dim`), and the first layer also reads the
   * resulting vectors of s0, b0, s1 and s2 (the first `positions`), so each decision sees the words
   * around them, not just the stack and buffer tops. Absent: none (models before this option).
   */
  context?: ContextConfig;
}

export interface ContextConfig {
  /** Channels of the last convolution: the size of each token's context vector. */
  dim: number;
  layers: number;
  /** Tokens each convolution reads (odd: the token and (width - 1) / 2 on each side). */
  width: number;
  /** Channels of the convolutions before the last (default: dim). */
  channels?: number;
  /** How many of s0, b0, s1, s2 (in this order) the first layer reads the vectors of (default 4). */
  positions?: number;
  /** Dropout on the context vectors in training (default 0). */
  dropout?: number;
}

/** The context positions a config reads (0 without a context encoder). */
export function contextPositions(c: NetConfig): number {
  return c.context ? (c.context.positions ?? CONTEXT_POSITIONS) : 0;
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

/** The activation of hidden layer `layer` (0: the first). */
export function layerActivation(c: NetConfig, layer: number): Activation {
  return layer === 0 ? c.activation : (c.activation2 ?? c.activation);
}

export function inputWidth(c: NetConfig): number {
  return (
    TOKEN_POSITIONS * (c.wordDim + 2 * c.tagDim) + LABEL_POSITIONS * c.labelDim + EXTRA_POSITIONS * c.extraDim
  );
}

/**
 * The name and shape of every tensor the net of `c` has (what its weights file must hold), without
 * building it: loading checks a file against these before allocating anything.
 */
export function parserTensorShapes(c: NetConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>([
    ['words.weight', [c.words, c.wordDim]],
    ['upos.weight', [c.upos, c.tagDim]],
    ['xpos.weight', [c.xpos, c.tagDim]],
    ['labels.weight', [c.labels, c.labelDim]],
    ['extras.weight', [EXTRA_IDS, c.extraDim]],
  ]);
  let inF = inputWidth(c);
  c.hidden.forEach((h, i) => {
    shapes.set(`hidden${i + 1}.weight`, [inF, h]);
    shapes.set(`hidden${i + 1}.bias`, [h]);
    inF = h;
  });
  shapes.set('output.weight', [inF, c.transitions]);
  shapes.set('output.bias', [c.transitions]);
  const cx = c.context;
  if (cx) {
    let inC = c.wordDim + 2 * c.tagDim;
    for (let i = 0; i < cx.layers; i++) {
      const out = i === cx.layers - 1 ? cx.dim : (cx.channels ?? cx.dim);
      shapes.set(`context${i + 1}.weight`, [cx.width * inC, out]);
      shapes.set(`context${i + 1}.bias`, [out]);
      inC = out;
    }
    shapes.set('context.weight', [(cx.positions ?? CONTEXT_POSITIONS) * cx.dim, c.hidden[0]!]);
  }
  return shapes;
}

export class ParserNet extends Module {
  readonly wordEmbedding: Embedding;
  readonly uposEmbedding: Embedding;
  readonly xposEmbedding: Embedding;
  readonly labelEmbedding: Embedding;
  readonly extraEmbedding: Embedding;
  readonly hidden: Dense[];
  readonly output: Dense;
  /** The context encoder's convolutions (as dense layers over `width` stacked tokens) and its first-layer block. */
  readonly contextLayers: Dense[] = [];
  readonly contextOut?: Dense;
  private readonly drop: Dropout;
  private readonly contextDrop?: Dropout;
  // scratch of groupProducts: per id, the mark of the last (call, position) that saw it and its slot
  private stamp = new Int32Array(0);
  private slot = new Int32Array(0);
  private mark = 0;

  /** `weights: 'placeholder'` leaves every weight unwritten (see initial-weights.ts), for a net whose weights are loaded next. */
  constructor(
    readonly config: NetConfig,
    rng = new Rng(0),
    { weights = 'random' }: { weights?: InitialWeights } = {},
  ) {
    super('parser');
    const init = initializers(weights);
    if (config.hidden.length < 1 || config.hidden.length > 2)
      throw new RangeError(`one or two hidden layers, got ${config.hidden.length}`);
    if (config.activation2 !== undefined && config.hidden.length !== 2)
      throw new RangeError("activation2 is the second hidden layer's: it needs two hidden layers");
    for (const [name, size] of [
      ['hidden', config.hidden],
      ['wordDim', [config.wordDim]],
      ['tagDim', [config.tagDim]],
      ['labelDim', [config.labelDim]],
      ['extraDim', [config.extraDim]],
    ] as const)
      if (!size.every((n) => Number.isInteger(n) && n >= 1))
        throw new RangeError(`${name} must be positive whole numbers, got ${JSON.stringify(size)}`);
    // small initial embeddings and weights keep the cube's early activations tame (C&M use +-0.01)
    const emb = (n: number, d: number, name: string) =>
      this.addModule(name, new Embedding(n, d, { rng, name, init: init.embedding(0.01) }));
    this.wordEmbedding = emb(config.words, config.wordDim, 'words');
    this.uposEmbedding = emb(config.upos, config.tagDim, 'upos');
    this.xposEmbedding = emb(config.xpos, config.tagDim, 'xpos');
    this.labelEmbedding = emb(config.labels, config.labelDim, 'labels');
    this.extraEmbedding = emb(EXTRA_IDS, config.extraDim, 'extras');
    let inF = inputWidth(config);
    this.hidden = config.hidden.map((h, i) => {
      const d = this.addModule(
        `hidden${i + 1}`,
        new Dense(inF, h, { rng, name: `hidden${i + 1}`, ...init.dense() }),
      );
      inF = h;
      return d;
    });
    this.output = this.addModule(
      'output',
      new Dense(inF, config.transitions, { rng, name: 'output', ...init.dense() }),
    );
    const cx = config.context;
    if (cx) {
      const whole = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1);
      const positions = cx.positions ?? CONTEXT_POSITIONS;
      if (
        !(cx.width % 2 === 1 && whole(cx.width) && whole(cx.layers) && whole(cx.dim) && whole(cx.channels)) ||
        !(Number.isInteger(positions) && positions >= 1 && positions <= CONTEXT_POSITIONS)
      )
        throw new RangeError(
          `context: odd width, layers, dim and channels >= 1, positions 1-${CONTEXT_POSITIONS}; got ${JSON.stringify(cx)}`,
        );
      let inC = config.wordDim + 2 * config.tagDim;
      for (let i = 0; i < cx.layers; i++) {
        const name = `context${i + 1}`;
        const out = i === cx.layers - 1 ? cx.dim : (cx.channels ?? cx.dim);
        this.contextLayers.push(
          this.addModule(name, new Dense(cx.width * inC, out, { rng, name, ...init.dense() })),
        );
        inC = out;
      }
      if (cx.dropout)
        this.contextDrop = this.addModule(
          'contextDropout',
          new Dropout(cx.dropout, { rng, name: 'contextDropout' }),
        );
      this.contextOut = this.addModule(
        'context',
        new Dense(positions * cx.dim, config.hidden[0]!, {
          rng,
          name: 'context',
          bias: false,
          ...init.dense(normal(0.01)),
        }),
      );
    }
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
   * The first hidden layer before its activation, embed(f) . W1 + b, computed per input group
   * (words, UPOS, XPOS, labels, extras) as sums of embedding x weight-block products (see
   * table-op.ts): a group's products are either a table of every (id, position) pair, one matMul, or
   * only the pairs that occur in the batch, one small matMul per position, whichever is fewer (words
   * always take the second: 2,315 distinct pairs among a batch's 10,240).
   */
  firstLayer(f: FeatureTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const layer = this.hidden[0]!;
      const w = layer.weight;
      const h = w.shape[1]!;
      const groups: [Embedding, tf.Tensor, number][] = [
        [this.wordEmbedding, f.words, TOKEN_POSITIONS],
        [this.uposEmbedding, f.upos, TOKEN_POSITIONS],
        [this.xposEmbedding, f.xpos, TOKEN_POSITIONS],
        [this.labelEmbedding, f.labels, LABEL_POSITIONS],
        [this.extraEmbedding, f.extras, EXTRA_POSITIONS],
      ];
      let out: tf.Tensor | null = null;
      let offset = 0;
      for (const [emb, ids, positions] of groups) {
        const dim = emb.weight.shape[1]!;
        const part = this.groupProducts(emb, ids, tf.slice(w, [offset, 0], [positions * dim, h]), positions);
        out = out ? tf.add(out, part) : part;
        offset += positions * dim;
      }
      return (layer.bias ? tf.add(out!, layer.bias) : out!) as tf.Tensor2D;
    });
  }

  /** One group's part of the first layer, [rows, H]: its embeddings times its rows of W1. */
  private groupProducts(emb: Embedding, ids: tf.Tensor, weights: tf.Tensor, P: number): tf.Tensor {
    const E = emb.weight;
    const [vocab, dim] = E.shape as [number, number];
    const h = weights.shape[1]!;
    const id = ids.dataSync() as Int32Array;
    const rows = id.length / P;
    if (this.stamp.length < vocab) {
      this.stamp = new Int32Array(vocab).fill(-1);
      this.slot = new Int32Array(vocab);
    }
    const { stamp, slot } = this;
    const distinct = new Int32Array(id.length);
    const sizes: number[] = [];
    const rowIds = new Int32Array(id.length);
    let k = 0;
    for (let p = 0; p < P; p++) {
      // a mark unique to this call and position tells the ids seen so far
      const mark = ++this.mark;
      const start = k;
      for (let r = 0; r < rows; r++) {
        const v = id[r * P + p]!;
        if (!(v >= 0 && v < vocab)) throw new RangeError(`${emb.name}: id ${v} outside [0, ${vocab})`);
        if (stamp[v] !== mark) {
          stamp[v] = mark;
          slot[v] = k;
          distinct[k++] = v;
        }
        rowIds[r * P + p] = slot[v]!;
      }
      sizes.push(k - start);
    }
    if (this.mark > 2 ** 30) {
      stamp.fill(-1);
      this.mark = 0;
    }
    // a full table is one large product, the distinct pairs P small ones, each with a fixed cost (op
    // dispatch, its gradient's products and transposes) of about 2 MFLOP at the WASM rate
    if ((vocab * P - k) * dim * h * 2 < P * SMALL_PRODUCT_COST) {
      // row v * P + p of the table is embedding v times position p's block of W1
      const blocks = tf.reshape(tf.transpose(tf.reshape(weights, [P, dim, h]), [1, 0, 2]), [dim, P * h]);
      const table = tf.reshape(tf.matMul(E, blocks), [vocab * P, h]) as tf.Tensor2D;
      for (let i = 0; i < id.length; i++) rowIds[i] = id[i]! * P + (i % P);
      return tableRowSum(table, rowIds, rows, P);
    }
    const vectors = tf.split(tf.gather(E, tf.tensor1d(distinct.subarray(0, k), 'int32')), sizes, 0);
    const blocks = tf.unstack(tf.reshape(weights, [P, dim, h]));
    const table = tf.concat(
      vectors.map((x, p) => tf.matMul(x, blocks[p]!)),
      0,
    ) as tf.Tensor2D;
    return tableRowSum(table, rowIds, rows, P);
  }

  /**
   * Context vectors of a batch of sentences laid end to end (see contextLayout): row
   * `layout.starts[i] + t` is token t (0: the root) of sentence i; padding rows, the last among them
   * standing for absent positions, are zero.
   */
  contextTable(batch: readonly SentenceIds[], layout = contextLayout(batch, this.config)): tf.Tensor2D {
    const cx = this.config.context;
    if (!cx) throw new Error('this parser net has no context encoder');
    return tf.tidy(() => {
      const n = layout.rows;
      const w = new Int32Array(n);
      const u = new Int32Array(n);
      const x = new Int32Array(n);
      const mask = new Float32Array(n);
      batch.forEach((s, i) => {
        const at = layout.starts[i]!;
        w[at] = u[at] = x[at] = ROOT_ID;
        mask[at] = 1;
        for (let k = 1; k < s.words.length; k++) {
          w[at + k] = s.words[k]!;
          u[at + k] = s.upos[k]!;
          x[at + k] = s.xpos[k]!;
          mask[at + k] = 1;
        }
      });
      const m = tf.tensor2d(mask, [n, 1]);
      let h: tf.Tensor = tf.mul(
        tf.concat(
          [
            this.wordEmbedding.forward(tf.tensor1d(w, 'int32')),
            this.uposEmbedding.forward(tf.tensor1d(u, 'int32')),
            this.xposEmbedding.forward(tf.tensor1d(x, 'int32')),
          ],
          1,
        ),
        m,
      );
      const r = (cx.width - 1) / 2;
      for (const layer of this.contextLayers) {
        const c = h.shape[1]!;
        // a 1-D convolution as one product: each token's row holds its `width` neighbours side by
        // side; the zero rows between sentences keep them apart, as zero padding would
        const padded = tf.pad(h, [
          [r, r],
          [0, 0],
        ]);
        const windows = tf.concat(
          Array.from({ length: cx.width }, (_, j) => tf.slice(padded, [j, 0], [n, c])),
          1,
        );
        h = tf.mul(tf.relu(layer.forward(windows)), m);
      }
      return (this.contextDrop ? this.contextDrop.forward(h) : h) as tf.Tensor2D;
    });
  }

  /**
   * Transition logits for feature tensors [rows, 18] x3 and [rows, 12] (int32); a net with a context
   * encoder also reads `contextTable` (see contextTable) at `f.contextRows`.
   */
  logits(f: FeatureTensors, contextTable?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let first: tf.Tensor = this.firstLayer(f);
      if (this.contextOut) {
        if (!f.contextRows || !contextTable)
          throw new Error('a parser net with a context encoder needs its context table and rows');
        const rows = f.words.shape[0]!;
        const v = tf.gather(contextTable, tf.reshape(f.contextRows, [-1]));
        first = tf.add(first, this.contextOut.forward(tf.reshape(v, [rows, -1])));
      }
      let h: tf.Tensor = this.drop.forward(activate(first, this.config.activation));
      this.hidden.slice(1).forEach((layer, i) => {
        h = this.drop.forward(activate(layer.forward(h), layerActivation(this.config, i + 1)));
      });
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
  /** Context encoder input: per row, its positions' row ids in the batch's context table. */
  contextRows?: tf.Tensor;
}

/** The values of a tensor made in `tidy` (read outside it: a returned typed array would be walked). */
export function tidyData(f: () => tf.Tensor): Float32Array {
  const t = tf.tidy(f);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/** Where a batch's sentences sit in its context table: sentence i from row starts[i]. */
export interface ContextLayout {
  starts: Int32Array;
  /** Rows in all; the last is a zero row (read for absent positions). */
  rows: number;
  /** Context positions per feature row (the net's). */
  positions: number;
}

/** Sentences end to end, each followed by (width - 1) / 2 zero rows (so the last row is zero). */
export function contextLayout(batch: readonly SentenceIds[], config: NetConfig): ContextLayout {
  const gap = Math.max(1, ((config.context?.width ?? 1) - 1) / 2);
  const starts = new Int32Array(batch.length);
  let at = 0;
  batch.forEach((s, i) => {
    starts[i] = at;
    at += s.words.length + gap;
  });
  return { starts, rows: at, positions: contextPositions(config) };
}

/** The context-table row of token t (-1: absent, read as the last row) of the sentence starting at `at`. */
export function contextRow(layout: ContextLayout, at: number, t: number): number {
  return t < 0 ? layout.rows - 1 : at + t;
}

/** Per feature row, the context-table rows of its positions' tokens (absent: the last row). */
export function contextRows(
  b: FeatureBuffers,
  rows: number,
  layout: ContextLayout,
  slots: ArrayLike<number>,
): Int32Array {
  const P = layout.positions;
  const ids = new Int32Array(rows * P);
  for (let r = 0; r < rows; r++) {
    const at = layout.starts[slots[r]!]!;
    for (let j = 0; j < P; j++) ids[r * P + j] = contextRow(layout, at, b.tokens[r * CONTEXT_POSITIONS + j]!);
  }
  return ids;
}

/**
 * Feature buffers (first `rows` rows) as int32 tensors. With a context layout, `context.slots[r]`
 * is row r's sentence in it.
 */
export function featureTensors(
  b: FeatureBuffers,
  rows: number,
  context?: { layout: ContextLayout; slots: ArrayLike<number> },
): FeatureTensors {
  let ctx: tf.Tensor | undefined;
  if (context)
    ctx = tf.tensor2d(
      contextRows(b, rows, context.layout, context.slots),
      [rows, context.layout.positions],
      'int32',
    );
  return {
    ...(ctx ? { contextRows: ctx } : {}),
    extras: tf.tensor2d(b.extras.subarray(0, rows * EXTRA_POSITIONS), [rows, EXTRA_POSITIONS], 'int32'),
    words: tf.tensor2d(b.words.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    upos: tf.tensor2d(b.upos.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    xpos: tf.tensor2d(b.xpos.subarray(0, rows * TOKEN_POSITIONS), [rows, TOKEN_POSITIONS], 'int32'),
    labels: tf.tensor2d(b.labels.subarray(0, rows * LABEL_POSITIONS), [rows, LABEL_POSITIONS], 'int32'),
  };
}
