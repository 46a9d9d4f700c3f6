// The sentence-context encoder at parse time, in the table-sum kernel's memory: its first convolution
// by the precomputation trick (a table of embedding x weight-block products per tap, summed per token
// like the parser's first layer), the others as one dense_add per tap over the rows shifted by it, and
// the products of every token's vector with the parser's context block. No tfjs operation runs per batch.
import * as tf from '@tensorflow/tfjs-core';
import type { SentenceIds } from '../model/features.js';
import { type ContextLayout, type ParserNet, tidyData } from '../model/model.js';
import { ROOT_ID } from '../model/vocab.js';
import type { TableSumKernel } from './kernels/table-sum.js';
import { LazyRows } from './lazy-rows.js';

export class ContextEncoderKernel {
  private readonly width: number;
  private readonly radius: number;
  private readonly topWords: number;
  private readonly dw: number;
  /** Output channels per convolution. */
  private readonly outs: number[];
  /** First convolution: tables [tap][id][c1] for UPOS and XPOS, then a zero row. */
  private readonly table: number;
  /** Its rows for the top words, per (tap, word), built as they first occur (after the table). */
  private readonly wordRows: LazyRows;
  private readonly base: { upos: number; xpos: number; zero: number };
  private readonly bias1: number;
  /** The first convolution's word rows per tap, [width * dw, c1] (rare words are multiplied). */
  private readonly w1Words: number;
  private readonly wordEmb: number;
  private readonly upos: number;
  private readonly xpos: number;
  /** Later convolutions: weights [width * in, out] and biases. */
  private readonly later: { w: number; b: number; inC: number; outC: number }[];
  private readonly blocks: number;
  private readonly zeroBias: number;
  /** positions * H: the products' row width. */
  private readonly productWidth: number;
  private capacity = 0;
  private offsets = 0;
  private items = 0;
  private buffers: [number, number] = [0, 0];
  private products = 0;

  constructor(
    private readonly k: TableSumKernel,
    net: ParserNet,
    /** The parser's context block as [dim, positions * H]. */
    contextBlocks: tf.Tensor2D,
    /** Byte offset of the word embedding, already in kernel memory. */
    wordEmb: number,
    topWords: number,
  ) {
    const c = net.config;
    const cx = c.context!;
    this.width = cx.width;
    this.radius = (cx.width - 1) / 2;
    this.dw = c.wordDim;
    this.topWords = Math.min(topWords, c.words);
    this.outs = net.contextLayers.map((l) => l.outFeatures);
    this.upos = c.upos;
    this.xpos = c.xpos;
    this.wordEmb = wordEmb;
    const c1 = this.outs[0]!;
    const inC = c.wordDim + 2 * c.tagDim;
    const w1 = net.contextLayers[0]!.weight;
    // [tap][id][c1] for one embedding whose rows sit at `from` within each tap's block of W1
    const taps = (emb: tf.Tensor2D, rows: number, from: number, dim: number) =>
      tidyData(() => {
        const e = tf.slice(emb, [0, 0], [rows, dim]);
        return tf.stack(
          Array.from({ length: this.width }, (_, j) =>
            tf.matMul(e, tf.slice(w1, [j * inC + from, 0], [dim, c1])),
          ),
        );
      });
    const upos = taps(net.uposEmbedding.weight as tf.Tensor2D, c.upos, c.wordDim, c.tagDim);
    const xpos = taps(net.xposEmbedding.weight as tf.Tensor2D, c.xpos, c.wordDim + c.tagDim, c.tagDim);
    this.table = k.alloc(upos.length + xpos.length + c1);
    const view = k.f32(this.table, upos.length + xpos.length + c1);
    view.set(upos, 0);
    view.set(xpos, upos.length);
    view.fill(0, upos.length + xpos.length);
    this.base = { upos: 0, xpos: upos.length, zero: upos.length + xpos.length };
    this.bias1 = k.put(net.contextLayers[0]!.bias!.dataSync() as Float32Array);
    this.w1Words = k.put(
      tidyData(() =>
        tf.concat(Array.from({ length: this.width }, (_, j) => tf.slice(w1, [j * inC, 0], [c.wordDim, c1]))),
      ),
    );
    this.wordRows = new LazyRows(k, {
      keys: this.width * this.topWords,
      capacity: this.width * this.topWords,
      width: c1,
      base: this.table,
      embedding: wordEmb,
      weights: this.w1Words,
      dim: c.wordDim,
    });
    this.later = net.contextLayers.slice(1).map((l) => ({
      w: k.put(l.weight.dataSync() as Float32Array),
      b: k.put(l.bias!.dataSync() as Float32Array),
      inC: l.inFeatures / this.width,
      outC: l.outFeatures,
    }));
    this.blocks = k.put(contextBlocks.dataSync() as Float32Array);
    this.productWidth = contextBlocks.shape[1]!;
    this.zeroBias = k.put(new Float32Array(this.productWidth));
  }

  /** Whether the kernel path can run this encoder (channel counts divisible by 4). */
  static fits(net: ParserNet): boolean {
    return net.contextLayers.every((l) => l.outFeatures % 4 === 0);
  }

  /**
   * Runs the encoder over a batch laid out by `layout` and returns the byte offset of the products
   * [layout.rows, positions * H] of its vectors with the parser's context block (valid until
   * the next call).
   */
  run(batch: readonly SentenceIds[], layout: ContextLayout): number {
    const k = this.k;
    const n = layout.rows;
    const r = this.radius;
    const W = this.width;
    const cmax = Math.max(...this.outs);
    const productWidth = this.productWidth;
    if (n > this.capacity) {
      // a larger batch than before: new regions (the old ones are abandoned; sizes at least double)
      this.capacity = Math.max(n, 2 * this.capacity);
      this.offsets = k.alloc(this.capacity * 3 * W);
      this.items = k.alloc(this.capacity * 3 * W);
      this.buffers = [k.alloc((this.capacity + 2 * r) * cmax), k.alloc((this.capacity + 2 * r) * cmax)];
      this.products = k.alloc(this.capacity * productWidth);
    }
    // first convolution: per token, the table rows of its neighbours' words and tags
    // room for the word rows this batch may meet first, before views of kernel memory are taken
    const wordRows = this.wordRows;
    wordRows.reserve(n * W);
    const offsets = k.i32(this.offsets, n * 3 * W);
    const items = k.i32(this.items, n * 3 * W);
    const c1 = this.outs[0]!;
    const { upos, xpos, zero } = this.base;
    const K = this.topWords;
    const U = this.upos;
    const X = this.xpos;
    offsets.fill(zero);
    let rare = 0;
    batch.forEach((s, i) => {
      const at = layout.starts[i]!;
      const len = s.words.length;
      for (let t = 0; t < len; t++) {
        const o = (at + t) * 3 * W;
        for (let j = 0; j < W; j++) {
          const q = t + j - r;
          if (q < 0 || q >= len) continue;
          const w = q === 0 ? ROOT_ID : s.words[q]!;
          const u = q === 0 ? ROOT_ID : s.upos[q]!;
          const x = q === 0 ? ROOT_ID : s.xpos[q]!;
          if (w < K) offsets[o + 3 * j] = wordRows.row(j * K + w, j, w);
          else {
            items[3 * rare] = at + t;
            items[3 * rare + 1] = j;
            items[3 * rare++ + 2] = w;
          }
          offsets[o + 3 * j + 1] = upos + (j * U + u) * c1;
          offsets[o + 3 * j + 2] = xpos + (j * X + x) * c1;
        }
      }
    });
    let [x, y] = this.buffers;
    // data rows start after r zero rows, which the taps read past a batch's ends
    const data = (buf: number, c: number) => buf + 4 * r * c;
    k.f32(x, r * cmax).fill(0);
    k.f32(y, r * cmax).fill(0);
    wordRows.build();
    k.run(this.table, this.offsets, n, 3 * W, c1, this.bias1, data(x, c1));
    if (rare) k.rareRows(this.w1Words, this.wordEmb, this.items, rare, this.dw, c1, data(x, c1));
    this.finish(x, c1, n, batch, layout);
    for (const l of this.later) {
      // y = b + sum over taps j of x shifted by j - r rows times the tap's block of weights
      for (let j = 0; j < W; j++) {
        const shifted = x + 4 * j * l.inC;
        const w = l.w + 4 * j * l.inC * l.outC;
        if (j === 0) k.dense(shifted, w, l.b, n, l.inC, l.outC, data(y, l.outC));
        else k.denseAdd(shifted, w, n, l.inC, l.outC, data(y, l.outC));
      }
      this.finish(y, l.outC, n, batch, layout);
      [x, y] = [y, x];
    }
    const dim = this.outs[this.outs.length - 1]!;
    k.dense(data(x, dim), this.blocks, this.zeroBias, n, dim, productWidth, this.products);
    return this.products;
  }

  /** relu, then zero the rows between sentences and the r rows after the batch (the next taps read them). */
  private finish(
    buf: number,
    c: number,
    n: number,
    batch: readonly SentenceIds[],
    layout: ContextLayout,
  ): void {
    const k = this.k;
    const r = this.radius;
    const at = buf + 4 * r * c;
    k.activate(at, n * c, 'relu');
    const rows = k.f32(at, (n + r) * c);
    batch.forEach((s, i) => {
      const end = layout.starts[i]! + s.words.length;
      const next = i + 1 < batch.length ? layout.starts[i + 1]! : n + r;
      rows.fill(0, end * c, next * c);
    });
  }
}
