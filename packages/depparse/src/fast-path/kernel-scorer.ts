// The precomputation trick in the WASM SIMD kernel's memory: every table in one region, the first
// layer as row sums over offsets, rare words multiplied or cached there, and the later layers as dense
// kernels, so a step's scores never pass through tfjs.
import type { Dense } from '@lab/core';
import type * as tf from '@tensorflow/tfjs-core';
import {
  CONTEXT_POSITIONS,
  EXTRA_IDS,
  EXTRA_POSITIONS,
  type FeatureBuffers,
  LABEL_POSITIONS,
  type SentenceIds,
  TOKEN_POSITIONS,
} from '../model/features.js';
import {
  type Activation,
  type ContextLayout,
  contextLayout,
  contextPositions,
  contextRow,
  layerActivation,
  type ParserNet,
} from '../model/model.js';
import { ContextEncoderKernel } from './context-kernel.js';
import { type KernelFirstLayer, kernelFirstLayer, tableFloats } from './kernel-tables.js';
import type { TableSumKernel } from './kernels/table-sum.js';
import { LazyRows } from './lazy-rows.js';
import {
  activateInPlace,
  contextBlocks,
  contextProducts,
  type PrecomputedPath,
} from './precompute-tables.js';

const PAIRED_ROW = 2 * TOKEN_POSITIONS + LABEL_POSITIONS + EXTRA_POSITIONS;
const SEPARATE_ROW = 3 * TOKEN_POSITIONS + LABEL_POSITIONS + EXTRA_POSITIONS;

export interface KernelScorerOptions {
  /** Words whose (word, position) rows are built as they occur (the most frequent; rarer: rareCacheRows). */
  topWords: number;
  /** Rows for (UPOS, XPOS) pairs (each TOKEN_POSITIONS x H floats); past them UPOS and XPOS rows are read apart. */
  maxTagPairs: number;
  /** Rows kept for rare (word, position) products. */
  rareCacheRows: number;
  /** A context encoder's convolutions in the kernel (else in tfjs, the reference). */
  useContextKernel: boolean;
}

/** Where each kind of row starts in the table region (in floats). */
interface TableBases {
  pairs: number;
  upos: number;
  xpos: number;
  labels: number;
  extras: number;
  /** A zero row, standing in for rare words multiplied afterwards. */
  zero: number;
}

/** A layer after the first, with its columns padded to a multiple of 4; `y` is its output region. */
interface KernelLayer {
  w: number;
  b: number;
  inF: number;
  out: number;
  outPad: number;
  y: number;
}

/** Regions sized for `capacity` feature rows, grown (at least doubled) when a call needs more. */
interface RowBuffers {
  capacity: number;
  offsets: number;
  out: number;
  /** (row, position, word) of the rarer words multiplied after the row sums (past the cache). */
  items: number;
}

export class KernelPrecomputedScorer implements PrecomputedPath {
  readonly bytes: number;
  readonly hasContext: boolean;
  private readonly table: number;
  private readonly bias: number;
  private readonly base: TableBases;
  private readonly w1Words: number;
  private readonly wordEmb: number;
  /** The first layer's sizes (its weights and tables are in kernel memory). */
  private readonly t: KernelFirstLayer;
  private readonly layers: KernelLayer[];
  /** Whether tag rows are (UPOS, XPOS) pair rows (else one row of each). */
  private paired = true;
  /** Pair slot of u * X + x (-1: none yet); slots in use; rows for pairs per position. */
  private readonly pairSlots: Int32Array;
  private pairs = 0;
  private readonly pairCapacity: number;
  /** Rows of the tabled words' (word, position) pairs, built as they first occur (key p * topWords + id). */
  private readonly wordRows: LazyRows;
  /** Rows kept for rarer words' pairs (key p * rarer words + id - topWords), up to rareCacheRows. */
  private readonly rareRows: LazyRows;
  private readonly rows: RowBuffers = { capacity: 0, offsets: 0, out: 0, items: 0 };
  private readonly contextBlocks?: tf.Tensor2D;
  /** The encoder in kernel memory (null: its convolutions run in tfjs). */
  private readonly encoder: ContextEncoderKernel | null = null;
  private contextLayout?: ContextLayout;
  /**
   * The batch's context products with the first layer's context block, [rows, positions * H]
   * (kernel memory; without the kernel encoder, a region grown as batches need).
   */
  private context = 0;
  private contextCapacity = 0;
  private unpadded = new Float32Array(0);

  constructor(
    private readonly net: ParserNet,
    private readonly k: TableSumKernel,
    { topWords, maxTagPairs, rareCacheRows, useContextKernel }: KernelScorerOptions,
  ) {
    const c = net.config;
    const H = c.hidden[0]!;
    const U = c.upos;
    const X = c.xpos;
    this.pairCapacity = Math.min(U * X, Math.max(0, Math.floor(maxTagPairs)));
    // pair rows (all of them, or room for maxTagPairs filled as they occur), the UPOS and XPOS rows
    // they are the sums of (read apart past maxTagPairs), label and extra rows, a zero row
    const floats = tableFloats(net);
    const sizes = [
      TOKEN_POSITIONS * this.pairCapacity * H,
      floats.upos,
      floats.xpos,
      floats.labels,
      floats.extras,
    ];
    const total = sizes.reduce((a, b) => a + b, 0) + H;
    // fresh kernel memory: zeros (the zero row is never written)
    this.table = k.alloc(total);
    let at = 0;
    const base = { pairs: 0, upos: 0, xpos: 0, labels: 0, extras: 0, zero: 0 };
    base.upos = at += sizes[0]!;
    base.xpos = at += sizes[1]!;
    base.labels = at += sizes[2]!;
    base.extras = at += sizes[3]!;
    base.zero = at += sizes[4]!;
    this.base = base;
    const t = kernelFirstLayer(k, net, topWords, { table: this.table, ...base });
    this.t = t;
    this.bias = t.bias;
    this.w1Words = t.w1Words;
    this.wordEmb = t.wordEmb;
    this.layers = [...net.hidden.slice(1), net.output].map((l) => paddedLayer(k, l));
    this.pairSlots = new Int32Array(U * X).fill(-1);
    // word rows lie after the tables (their offsets count from the table's start)
    const lazy = (keys: number, capacity: number) =>
      new LazyRows(k, {
        keys,
        capacity,
        width: H,
        base: this.table,
        embedding: this.wordEmb,
        weights: this.w1Words,
        dim: c.wordDim,
      });
    const rarer = Math.max(0, c.words - t.topWords);
    this.wordRows = lazy(TOKEN_POSITIONS * t.topWords, TOKEN_POSITIONS * t.topWords);
    this.rareRows = lazy(
      TOKEN_POSITIONS * rarer,
      Math.min(TOKEN_POSITIONS * rarer, Math.max(0, Math.floor(rareCacheRows))),
    );
    this.bytes =
      4 * (floats.upos + floats.xpos + floats.labels + floats.extras + TOKEN_POSITIONS * t.topWords * H);
    this.contextBlocks = contextBlocks(net, H);
    this.hasContext = this.contextBlocks !== undefined;
    if (this.contextBlocks && useContextKernel && ContextEncoderKernel.fits(net))
      this.encoder = new ContextEncoderKernel(k, net, this.contextBlocks, this.wordEmb, t.topWords);
  }

  prepareContext(batch: readonly SentenceIds[]): void {
    const layout = contextLayout(batch, this.net.config);
    this.contextLayout = layout;
    if (this.encoder) {
      this.context = this.encoder.run(batch, layout);
      return;
    }
    // the encoder in tfjs (the reference, or channels the kernel does not take)
    const products = contextProducts(this.net, batch, layout, this.contextBlocks!);
    if (products.length > this.contextCapacity) {
      // a larger batch than before: a new region (the old one is abandoned; sizes at least double)
      this.contextCapacity = Math.max(products.length, 2 * this.contextCapacity);
      this.context = this.k.alloc(this.contextCapacity);
    }
    // in kernel memory, where the row sums read them
    this.k.f32(this.context, products.length).set(products);
  }

  hidden(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    return this.k.f32(this.firstLayer(f, rows, slots), rows * this.t.H).slice();
  }

  /** Transition scores entirely in the kernel: table sums, rare words, activations, dense layers. */
  readonly score = (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
    const k = this.k;
    let x = this.firstLayer(f, rows, slots);
    this.layers.forEach((l, i) => {
      k.dense(x, l.w, l.b, rows, l.inF, l.outPad, l.y);
      if (i < this.layers.length - 1) {
        // hidden2's padding columns are zero and its width is a multiple of 4 in practice; the next
        // layer reads inF columns with stride outPad only when they agree
        if (l.outPad !== l.out) throw new Error('a second hidden layer needs a width divisible by 4');
        this.activate(l.y, rows * l.outPad, layerActivation(this.net.config, i + 1));
      }
      x = l.y;
    });
    const last = this.layers[this.layers.length - 1]!;
    const y = k.f32(last.y, rows * last.outPad);
    if (last.outPad === last.out) return y;
    // unpadded rows into a buffer kept between calls (a fresh one per step was most of parsing's garbage)
    if (this.unpadded.length < rows * last.out)
      this.unpadded = new Float32Array(this.rows.capacity * last.out);
    const out = this.unpadded;
    for (let r = 0; r < rows; r++)
      out.set(y.subarray(r * last.outPad, r * last.outPad + last.out), r * last.out);
    return out.subarray(0, rows * last.out);
  };

  /** Kernel memory is the kernel's own; the tensors here are the context block only. */
  dispose(): void {
    this.contextBlocks?.dispose();
  }

  /** Regions for at least `rows` feature rows. */
  private reserve(rows: number): RowBuffers {
    const b = this.rows;
    if (rows <= b.capacity) return b;
    const k = this.k;
    b.capacity = Math.max(rows, 2 * b.capacity);
    b.offsets = k.alloc(b.capacity * (SEPARATE_ROW + CONTEXT_POSITIONS));
    b.out = k.alloc(b.capacity * this.t.H);
    b.items = k.alloc(b.capacity * 3 * TOKEN_POSITIONS);

    for (const l of this.layers) l.y = k.alloc(b.capacity * l.outPad);
    return b;
  }

  /** The row slot of tag pair `key` (u * X + x), given rows the first time it occurs; -1 when full. */
  private pairSlot(key: number): number {
    const known = this.pairSlots[key]!;
    if (known >= 0) return known;
    const capacity = this.pairCapacity;
    if (this.pairs >= capacity) return -1;
    const slot = this.pairs++;
    this.pairSlots[key] = slot;
    // pair[p][slot] = upos[p][u] + xpos[p][x], all three tables in kernel memory
    const { H } = this.t;
    const U = this.t.sizes.upos;
    const X = this.t.sizes.xpos;
    const u = Math.floor(key / X);
    const x = key % X;
    const view = this.k.f32(this.table, this.base.zero);
    const { pairs, upos, xpos } = this.base;
    for (let p = 0; p < TOKEN_POSITIONS; p++) {
      const ur = upos + (p * U + u) * H;
      const xr = xpos + (p * X + x) * H;
      const o = pairs + (p * capacity + slot) * H;
      for (let j = 0; j < H; j++) view[o + j] = view[ur + j]! + view[xr + j]!;
    }
    return slot;
  }

  /** The first layer into the kernel's `out` region (after the activation); returns its offset. */
  private firstLayer(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): number {
    const k = this.k;
    const { H, topWords: K, sizes } = this.t;
    const b = this.reserve(rows);
    const ctx = contextPositions(this.net.config);
    const perRow = () => (this.paired ? PAIRED_ROW : SEPARATE_ROW) + ctx;
    const { wordRows, rareRows } = this;
    // room for every row this batch may meet first, before any view of kernel memory is taken
    wordRows.reserve(rows * TOKEN_POSITIONS);
    rareRows.reserve(rows * TOKEN_POSITIONS);
    const items = k.i32(b.items, rows * 3 * TOKEN_POSITIONS);
    // the rows of the (word, position) pairs this batch met first: embedding x W1 block
    const buildRows = () => {
      wordRows.build();
      rareRows.build();
    };
    const rarer = this.net.config.words - K;
    const { pairs, upos, xpos, labels, extras, zero } = this.base;
    const U = sizes.upos;
    const X = sizes.xpos;
    const L = sizes.labels;
    let rare = 0;
    let o = 0;
    const offsets = k.i32(b.offsets, rows * perRow());
    for (let r = 0; r < rows; r++) {
      const t = r * TOKEN_POSITIONS;
      for (let p = 0; p < TOKEN_POSITIONS; p++) {
        const id = f.words[t + p]!;
        const at = id < K ? wordRows.row(p * K + id, p, id) : rareRows.row(p * rarer + id - K, p, id);
        if (at >= 0) offsets[o++] = at;
        else {
          offsets[o++] = zero;
          items[3 * rare] = r;
          items[3 * rare + 1] = p;
          items[3 * rare++ + 2] = id;
        }
        const u = f.upos[t + p]!;
        const x = f.xpos[t + p]!;
        if (this.paired) {
          const slot = this.pairSlot(u * X + x);
          if (slot >= 0) {
            offsets[o++] = pairs + (p * this.pairCapacity + slot) * H;
            continue;
          }
          // more distinct pairs than rows for them: one row of each from now on, this batch again
          this.paired = false;
          buildRows();
          return this.firstLayer(f, rows, slots);
        }
        offsets[o++] = upos + (p * U + u) * H;
        offsets[o++] = xpos + (p * X + x) * H;
      }
      const l = r * LABEL_POSITIONS;
      for (let p = 0; p < LABEL_POSITIONS; p++) offsets[o++] = labels + (p * L + f.labels[l + p]!) * H;
      const e = r * EXTRA_POSITIONS;
      for (let p = 0; p < EXTRA_POSITIONS; p++)
        offsets[o++] = extras + (p * EXTRA_IDS + f.extras[e + p]!) * H;
      if (ctx) {
        // row (token, position) of the batch's context products, which sit after the tables
        const layout = this.contextLayout!;
        const base = (this.context - this.table) / 4;
        const at = layout.starts[slots![r]!]!;
        for (let j = 0; j < ctx; j++)
          offsets[o++] = base + (contextRow(layout, at, f.tokens[r * CONTEXT_POSITIONS + j]!) * ctx + j) * H;
      }
    }
    buildRows();
    k.run(this.table, b.offsets, rows, perRow(), H, this.bias, b.out);
    if (rare) k.rareRows(this.w1Words, this.wordEmb, b.items, rare, sizes.dw, H, b.out);
    this.activate(b.out, rows * H, this.net.config.activation);
    return b.out;
  }

  private activate(at: number, n: number, act: Activation): void {
    if (act === 'tanh') activateInPlace(this.k.f32(at, n), act);
    else this.k.activate(at, n, act);
  }
}

/** A dense layer's weights and bias in kernel memory, columns padded to a multiple of 4. */
function paddedLayer(k: TableSumKernel, l: Dense): KernelLayer {
  const inF = l.inFeatures;
  const out = l.outFeatures;
  const outPad = (out + 3) & ~3;
  const w = k.alloc(inF * outPad);
  const src = l.weight.dataSync() as Float32Array;
  const dst = k.f32(w, inF * outPad);
  for (let i = 0; i < inF; i++) dst.set(src.subarray(i * out, (i + 1) * out), i * outPad);
  const b = k.alloc(outPad);
  k.f32(b, out).set(l.bias!.dataSync() as Float32Array);
  return { w, b, inF, out, outPad, y: 0 };
}
