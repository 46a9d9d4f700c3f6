// Chen & Manning's precomputation trick: the first hidden layer is a sum over feature positions of
// embedding(id) . W1[position block], so for frequent ids those products are computed once and
// parsing adds table rows instead of multiplying by W1. Words beyond the `topWords` most frequent are
// multiplied on the fly; tags and labels are always tabled (their vocabularies are small).
import * as tf from '@tensorflow/tfjs-core';
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
  type ContextLayout,
  contextLayout,
  contextPositions,
  contextRow,
  type ParserNet,
  tidyData,
} from '../model/model.js';
import { ContextEncoderKernel } from './context-kernel.js';
import { TableSumKernel, wasmSimdSupported } from './kernels/table-sum.js';

// The kernel path reads one (UPOS, XPOS) pair row per token position instead of one row of each. All
// pairs are tabled when they are few (20 x 52 EWT tags: 21 MB); with XPOS+FEATS tags (338) that would
// be 138 MB, though EWT train has only 395 distinct pairs: then pairs get rows as they occur, up to
// MAX_TAG_PAIRS, and past that the scorer reads UPOS and XPOS rows separately.
const MAX_TAG_PAIRS = 2048;
// Words past the tabled ones get a row per (word, position) the first time the pair occurs, kept in
// up to this many bytes: a rare word fills each position over several transitions and sentences, and
// multiplying its embedding by W1's block (dw x H) every time was most of its cost (30% of parsing
// with a vocabulary extended by pretrained vectors). Past the budget, pairs are multiplied as they come.
const RARE_CACHE_BYTES = 32 << 20;
const PAIRED_ROW = 2 * TOKEN_POSITIONS + LABEL_POSITIONS + EXTRA_POSITIONS;
const SEPARATE_ROW = 3 * TOKEN_POSITIONS + LABEL_POSITIONS + EXTRA_POSITIONS;

export class PrecomputedScorer {
  private readonly H: number;
  private readonly topWords: number;
  /** [position][id][H] flattened, per feature kind. */
  private readonly wordTable: Float32Array;
  private readonly uposTable: Float32Array;
  private readonly xposTable: Float32Array;
  private readonly labelTable: Float32Array;
  private readonly extraTable: Float32Array;
  private readonly bias: Float32Array;
  private readonly wordEmb: Float32Array;
  private readonly w1Words: Float32Array;
  private readonly rest: { weight: tf.Tensor2D; bias: tf.Tensor1D }[];
  private readonly sizes: { upos: number; xpos: number; labels: number; dw: number };
  private unpadded = new Float32Array(0);
  /** Context encoder: its first-layer block as [dim, positions * H] (position-major columns). */
  private readonly contextBlocks?: tf.Tensor2D;
  /** The current batch's context products, [layout.rows, positions, H] (JS path). */
  private contextProducts: Float32Array = new Float32Array(0);
  private contextLayout?: ContextLayout;
  /** The WASM SIMD path: every table in one kernel memory (null where WASM SIMD is unavailable). */
  private readonly kernel: {
    k: TableSumKernel;
    table: number;
    bias: number;
    base: {
      pairs: number;
      upos: number;
      xpos: number;
      labels: number;
      extras: number;
      zero: number;
      rare: number;
    };
    /** Whether tag rows are (UPOS, XPOS) pair rows (else one row of each). */
    paired: boolean;
    /** Pair slot of u * X + x (-1: none yet); slots in use; rows for pairs per position. */
    pairSlot: Int32Array;
    pairs: number;
    pairCapacity: number;
    /** Row slot of rare (word, position) pair id * TOKEN_POSITIONS + p (-1: none yet); slots in use. */
    rareSlot: Int32Array;
    rares: number;
    rareCapacity: number;
    /** (slot, position, word) of the rows a batch adds to the rare cache. */
    pending: number;
    /**
     * The batch's context products with the first layer's context block, [rows, positions * H]
     * (kernel memory; without the kernel encoder, a region grown as batches need).
     */
    context: number;
    contextCapacity: number;
    /** The encoder in kernel memory (null: its convolutions run in tfjs). */
    encoder: ContextEncoderKernel | null;
    offsets: number;
    out: number;
    items: number;
    capacity: number;
    w1Words: number;
    wordEmb: number;
    /** Later layers (hidden2, output) with their columns padded to a multiple of 4. */
    layers: { w: number; b: number; inF: number; out: number; outPad: number; y: number }[];
  } | null = null;

  constructor(
    private readonly net: ParserNet,
    {
      topWords = 5000,
      useKernel = true,
      maxTagPairs = MAX_TAG_PAIRS,
      rareCacheRows,
      useContextKernel = true,
    }: {
      /** A context encoder's convolutions in the kernel (default) or in tfjs (the reference). */
      useContextKernel?: boolean;
      topWords?: number;
      useKernel?: boolean;
      /** Rows for (UPOS, XPOS) pairs (each 20 x H floats); past them UPOS and XPOS rows are read apart. */
      maxTagPairs?: number;
      /** Rows kept for rare (word, position) products; default: as many as 32 MB hold. */
      rareCacheRows?: number;
    } = {},
  ) {
    const c = net.config;
    const H = c.hidden[0]!;
    this.H = H;
    this.topWords = Math.min(topWords, c.words);
    const w1 = net.hidden[0]!.weight;
    const tables = (() => {
      const dw = c.wordDim;
      const dt = c.tagDim;
      const wordBase = 0;
      const uposBase = TOKEN_POSITIONS * dw;
      const xposBase = uposBase + TOKEN_POSITIONS * dt;
      const labelBase = xposBase + TOKEN_POSITIONS * dt;
      const extraBase = labelBase + LABEL_POSITIONS * c.labelDim;
      const block = (emb: tf.Tensor2D, rows: number, base: number, dim: number, positions: number) => {
        return tidyData(() => {
          const e = tf.slice(emb, [0, 0], [rows, dim]);
          const parts: tf.Tensor[] = [];
          for (let p = 0; p < positions; p++)
            parts.push(tf.matMul(e, tf.slice(w1, [base + p * dim, 0], [dim, H])));
          return tf.stack(parts);
        });
      };
      return {
        words: block(net.wordEmbedding.weight as tf.Tensor2D, this.topWords, wordBase, dw, TOKEN_POSITIONS),
        upos: block(net.uposEmbedding.weight as tf.Tensor2D, c.upos, uposBase, dt, TOKEN_POSITIONS),
        xpos: block(net.xposEmbedding.weight as tf.Tensor2D, c.xpos, xposBase, dt, TOKEN_POSITIONS),
        labels: block(
          net.labelEmbedding.weight as tf.Tensor2D,
          c.labels,
          labelBase,
          c.labelDim,
          LABEL_POSITIONS,
        ),
        extras: block(
          net.extraEmbedding.weight as tf.Tensor2D,
          EXTRA_IDS,
          extraBase,
          c.extraDim,
          EXTRA_POSITIONS,
        ),
        w1Words: tidyData(() => tf.slice(w1, [0, 0], [TOKEN_POSITIONS * dw, H])),
      };
    })();
    this.wordTable = tables.words;
    this.uposTable = tables.upos;
    this.xposTable = tables.xpos;
    this.labelTable = tables.labels;
    this.extraTable = tables.extras;
    this.w1Words = tables.w1Words;
    this.wordEmb = net.wordEmbedding.weight.dataSync() as Float32Array;
    this.bias = net.hidden[0]!.bias!.dataSync() as Float32Array;
    this.sizes = { upos: c.upos, xpos: c.xpos, labels: c.labels, dw: c.wordDim };
    if (H % 4 === 0 && useKernel && wasmSimdSupported()) {
      const k = new TableSumKernel();
      const U = c.upos;
      const X = c.xpos;
      const pairCapacity = Math.min(U * X, Math.max(0, Math.floor(maxTagPairs)));
      const all = pairCapacity === U * X;
      const rarePairs = Math.max(0, c.words - this.topWords) * TOKEN_POSITIONS;
      const rareCapacity = Math.min(
        rarePairs,
        Math.max(0, Math.floor(rareCacheRows ?? RARE_CACHE_BYTES / (4 * H))),
      );
      // pair rows (all of them, or room for maxTagPairs filled as they occur), then UPOS and XPOS rows
      const sizes = [
        this.wordTable.length,
        TOKEN_POSITIONS * pairCapacity * H,
        all ? 0 : this.uposTable.length,
        all ? 0 : this.xposTable.length,
        this.labelTable.length,
        this.extraTable.length,
        rareCapacity * H,
      ];
      const total = sizes.reduce((a, b) => a + b, 0) + H;
      const table = k.alloc(total);
      const view = k.f32(table, total);
      let at = 0;
      const base = { pairs: 0, upos: 0, xpos: 0, labels: 0, extras: 0, rare: 0, zero: 0 };
      view.set(this.wordTable, at);
      base.pairs = at += sizes[0]!;
      base.upos = at += sizes[1]!;
      view.set(this.uposTable.subarray(0, sizes[2]), at);
      base.xpos = at += sizes[2]!;
      view.set(this.xposTable.subarray(0, sizes[3]), at);
      base.labels = at += sizes[3]!;
      view.set(this.labelTable, at);
      base.extras = at += sizes[4]!;
      view.set(this.extraTable, at);
      base.rare = at += sizes[5]!;
      base.zero = at += sizes[6]!; // a zero row stands in for rare words multiplied afterwards
      const bias = k.put(this.bias);
      const w1Words = k.put(this.w1Words);
      const wordEmb = k.put(this.wordEmb);
      const kernelLayers = [...net.hidden.slice(1), net.output].map((l) => {
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
      });
      this.kernel = {
        k,
        table,
        bias,
        base,
        paired: true,
        pairSlot: new Int32Array(U * X).fill(-1),
        pairs: 0,
        pairCapacity,
        rareSlot: new Int32Array(rareCapacity > 0 ? rarePairs : 0).fill(-1),
        rares: 0,
        rareCapacity,
        pending: 0,
        context: 0,
        contextCapacity: 0,
        encoder: null,
        offsets: 0,
        out: 0,
        items: 0,
        capacity: 0,
        w1Words,
        wordEmb,
        layers: kernelLayers,
      };
    }
    if (net.contextOut) {
      const d = c.context!.dim;
      const positions = contextPositions(c);
      const w = net.contextOut.weight;
      this.contextBlocks = tf.keep(
        tf.tidy(() =>
          tf.reshape(tf.transpose(tf.reshape(w, [positions, d, H]), [1, 0, 2]), [d, positions * H]),
        ),
      ) as tf.Tensor2D;
    }
    if (this.kernel && this.contextBlocks && useContextKernel && ContextEncoderKernel.fits(net))
      this.kernel.encoder = new ContextEncoderKernel(
        this.kernel.k,
        net,
        this.contextBlocks,
        this.kernel.wordEmb,
        this.topWords,
      );
    const layers = [...net.hidden.slice(1), net.output];
    this.rest = layers.map((l) => ({
      weight: tf.keep(l.weight.clone()) as tf.Tensor2D,
      bias: tf.keep(l.bias!.clone()) as tf.Tensor1D,
    }));
  }

  /** The row slot of tag pair `key` (u * X + x), given rows the first time it occurs; -1 when full. */
  private pairSlot(key: number): number {
    const kn = this.kernel!;
    const known = kn.pairSlot[key]!;
    if (known >= 0) return known;
    const capacity = kn.pairCapacity;
    if (kn.pairs >= capacity) return -1;
    const slot = kn.pairs++;
    kn.pairSlot[key] = slot;
    // pair[p][slot] = upos[p][u] + xpos[p][x]
    const H = this.H;
    const U = this.sizes.upos;
    const X = this.sizes.xpos;
    const u = Math.floor(key / X);
    const x = key % X;
    const view = kn.k.f32(kn.table + 4 * kn.base.pairs, TOKEN_POSITIONS * capacity * H); // byte offset
    for (let p = 0; p < TOKEN_POSITIONS; p++) {
      const ur = (p * U + u) * H;
      const xr = (p * X + x) * H;
      const o = (p * capacity + slot) * H;
      for (let j = 0; j < H; j++) view[o + j] = this.uposTable[ur + j]! + this.xposTable[xr + j]!;
    }
    return slot;
  }

  /** Bytes held by the tables (memory cost of the trick). */
  get bytes(): number {
    return (
      4 *
      (this.wordTable.length +
        this.uposTable.length +
        this.xposTable.length +
        this.labelTable.length +
        this.extraTable.length)
    );
  }

  /** First hidden layer (after the activation) for `rows` feature rows, into a [rows, H] array. */
  hidden(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    if (!this.kernel) return this.hiddenInJs(f, rows, slots);
    return this.kernel.k.f32(this.hiddenByKernel(f, rows, slots), rows * this.H).slice();
  }

  /**
   * A net with a context encoder: runs it over the batch of sentences that the next scores are for
   * and tables each token's products with the context block of the first layer, per position.
   */
  private prepareContext(batch: readonly SentenceIds[]): void {
    const layout = contextLayout(batch, this.net.config);
    this.contextLayout = layout;
    const kn = this.kernel;
    if (kn?.encoder) {
      kn.context = kn.encoder.run(batch, layout);
      return;
    }
    // the encoder in tfjs (the reference, or channels the kernel does not take)
    const products = tidyData(() => tf.matMul(this.net.contextTable(batch, layout), this.contextBlocks!));
    if (!kn) {
      this.contextProducts = products;
      return;
    }
    if (products.length > kn.contextCapacity) {
      // a larger batch than before: a new region (the old one is abandoned; sizes at least double)
      kn.contextCapacity = Math.max(products.length, 2 * kn.contextCapacity);
      kn.context = kn.k.alloc(kn.contextCapacity);
    }
    // in kernel memory, where the row sums read them
    kn.k.f32(kn.context, products.length).set(products);
  }

  /** The first layer into the kernel's `out` buffer (after the activation); returns its offset. */
  private hiddenByKernel(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): number {
    const kn = this.kernel!;
    const k = kn.k;
    const H = this.H;
    const K = this.topWords;
    if (rows > kn.capacity) {
      kn.capacity = Math.max(rows, 2 * kn.capacity);
      kn.offsets = k.alloc(kn.capacity * (SEPARATE_ROW + CONTEXT_POSITIONS));
      kn.out = k.alloc(kn.capacity * H);
      kn.items = k.alloc(kn.capacity * 3 * TOKEN_POSITIONS);
      kn.pending = k.alloc(kn.capacity * 3 * TOKEN_POSITIONS);
      for (const l of kn.layers) l.y = k.alloc(kn.capacity * l.outPad);
    }
    const ctx = contextPositions(this.net.config);
    const perRow = () => (kn.paired ? PAIRED_ROW : SEPARATE_ROW) + ctx;
    const items = k.i32(kn.items, rows * 3 * TOKEN_POSITIONS);
    const pending = k.i32(kn.pending, rows * 3 * TOKEN_POSITIONS);
    let added = 0;
    // the rows of the pairs this batch met first: zeroed, then embedding x W1 block added
    const fillRareRows = () => {
      if (added === 0) return;
      const cache = k.f32(kn.table + 4 * kn.base.rare, kn.rareCapacity * H);
      for (let i = 0; i < added; i++) cache.fill(0, pending[3 * i]! * H, (pending[3 * i]! + 1) * H);
      k.rareRows(kn.w1Words, kn.wordEmb, kn.pending, added, this.sizes.dw, H, kn.table + 4 * kn.base.rare);
      added = 0;
    };
    const { pairs, upos, xpos, labels, extras, zero, rare: rareBase } = kn.base;
    const U = this.sizes.upos;
    const X = this.sizes.xpos;
    const L = this.sizes.labels;
    let rare = 0;
    let o = 0;
    const offsets = k.i32(kn.offsets, rows * perRow());
    for (let r = 0; r < rows; r++) {
      const t = r * TOKEN_POSITIONS;
      for (let p = 0; p < TOKEN_POSITIONS; p++) {
        const id = f.words[t + p]!;
        let slot = -1;
        if (id >= K && kn.rareCapacity > 0) {
          const key = id * TOKEN_POSITIONS + p;
          slot = kn.rareSlot[key]!;
          if (slot < 0 && kn.rares < kn.rareCapacity) {
            slot = kn.rareSlot[key] = kn.rares++;
            pending[3 * added] = slot;
            pending[3 * added + 1] = p;
            pending[3 * added++ + 2] = id;
          }
        }
        if (id < K) offsets[o++] = (p * K + id) * H;
        else if (slot >= 0) offsets[o++] = rareBase + slot * H;
        else {
          offsets[o++] = zero;
          items[3 * rare] = r;
          items[3 * rare + 1] = p;
          items[3 * rare++ + 2] = id;
        }
        const u = f.upos[t + p]!;
        const x = f.xpos[t + p]!;
        if (kn.paired) {
          const slot = this.pairSlot(u * X + x);
          if (slot >= 0) {
            offsets[o++] = pairs + (p * kn.pairCapacity + slot) * H;
            continue;
          }
          // more distinct pairs than rows for them: one row of each from now on, this batch again
          kn.paired = false;
          fillRareRows();
          return this.hiddenByKernel(f, rows, slots);
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
        const base = (kn.context - kn.table) / 4;
        const at = layout.starts[slots![r]!]!;
        for (let j = 0; j < ctx; j++)
          offsets[o++] = base + (contextRow(layout, at, f.tokens[r * CONTEXT_POSITIONS + j]!) * ctx + j) * H;
      }
    }
    fillRareRows();
    k.run(kn.table, kn.offsets, rows, perRow(), H, kn.bias, kn.out);
    if (rare) k.rareRows(kn.w1Words, kn.wordEmb, kn.items, rare, this.sizes.dw, H, kn.out);
    this.activateKernel(kn.out, rows * H);
    return kn.out;
  }

  private activateKernel(at: number, n: number): void {
    const act = this.net.config.activation;
    if (act === 'tanh') activateInPlace(this.kernel!.k.f32(at, n), act);
    else this.kernel!.k.activate(at, n, act);
  }

  /** Transition scores entirely in the kernel: table sums, rare words, activations, dense layers. */
  private scoreByKernel(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    const kn = this.kernel!;
    let x = this.hiddenByKernel(f, rows, slots);
    kn.layers.forEach((l, i) => {
      kn.k.dense(x, l.w, l.b, rows, l.inF, l.outPad, l.y);
      if (i < kn.layers.length - 1) {
        // hidden2's padding columns are zero and its width is a multiple of 4 in practice; the next
        // layer reads inF columns with stride outPad only when they agree
        if (l.outPad !== l.out) throw new Error('a second hidden layer needs a width divisible by 4');
        this.activateKernel(l.y, rows * l.outPad);
      }
      x = l.y;
    });
    const last = kn.layers[kn.layers.length - 1]!;
    const y = kn.k.f32(last.y, rows * last.outPad);
    if (last.outPad === last.out) return y;
    // unpadded rows into a buffer kept between calls (a fresh one per step was most of parsing's garbage)
    if (this.unpadded.length < rows * last.out) this.unpadded = new Float32Array(kn.capacity * last.out);
    const out = this.unpadded;
    for (let r = 0; r < rows; r++)
      out.set(y.subarray(r * last.outPad, r * last.outPad + last.out), r * last.out);
    return out.subarray(0, rows * last.out);
  }

  private hiddenInJs(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    const H = this.H;
    const K = this.topWords;
    const dw = this.sizes.dw;
    const out = new Float32Array(rows * H);
    const act = this.net.config.activation;
    for (let r = 0; r < rows; r++) {
      const h = out.subarray(r * H, (r + 1) * H);
      h.set(this.bias);
      for (let p = 0; p < TOKEN_POSITIONS; p++) {
        const id = f.words[r * TOKEN_POSITIONS + p]!;
        if (id < K) addRow(h, this.wordTable, (p * K + id) * H, H);
        else {
          // a rare word: its embedding times the position's block of W1
          const e = id * dw;
          for (let j = 0; j < dw; j++) {
            const v = this.wordEmb[e + j]!;
            if (v !== 0) addScaledRow(h, this.w1Words, (p * dw + j) * H, H, v);
          }
        }
        addRow(h, this.uposTable, (p * this.sizes.upos + f.upos[r * TOKEN_POSITIONS + p]!) * H, H);
        addRow(h, this.xposTable, (p * this.sizes.xpos + f.xpos[r * TOKEN_POSITIONS + p]!) * H, H);
      }
      for (let p = 0; p < LABEL_POSITIONS; p++)
        addRow(h, this.labelTable, (p * this.sizes.labels + f.labels[r * LABEL_POSITIONS + p]!) * H, H);
      for (let p = 0; p < EXTRA_POSITIONS; p++)
        addRow(h, this.extraTable, (p * EXTRA_IDS + f.extras[r * EXTRA_POSITIONS + p]!) * H, H);
      if (this.contextBlocks) {
        const layout = this.contextLayout!;
        const at = layout.starts[slots![r]!]!;
        const P = layout.positions;
        for (let j = 0; j < P; j++) {
          const row = contextRow(layout, at, f.tokens[r * CONTEXT_POSITIONS + j]!);
          addRow(h, this.contextProducts, (row * P + j) * H, H);
        }
      }
    }
    activateInPlace(out, act);
    return out;
  }

  /**
   * Scores of `rows` feature rows ([rows, transitions]; a view that the next call overwrites). A net
   * with a context encoder scores rows of the given batch of sentences (`slots[r]`: row r's sentence).
   */
  scorer(batch?: readonly SentenceIds[]) {
    if (this.contextBlocks) {
      if (!batch) throw new Error('a parser with a context encoder scores a given batch of sentences');
      this.prepareContext(batch);
    }
    const needSlots = (slots?: ArrayLike<number>) => {
      if (this.contextBlocks && !slots)
        throw new Error("a parser with a context encoder needs the rows' sentence slots");
    };
    if (this.kernel)
      return (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
        needSlots(slots);
        return this.scoreByKernel(f, rows, slots);
      };
    return (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
      needSlots(slots);
      const h = this.hidden(f, rows, slots);
      const logits = tf.tidy(() => {
        let x: tf.Tensor = tf.tensor2d(h, [rows, this.H]);
        this.rest.forEach((l, i) => {
          x = tf.add(tf.matMul(x, l.weight), l.bias);
          if (i < this.rest.length - 1) {
            const a = this.net.config.activation;
            x = a === 'cube' ? tf.mul(tf.mul(x, x), x) : a === 'relu' ? tf.relu(x) : tf.tanh(x);
          }
        });
        return x;
      });
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      return data;
    };
  }

  dispose(): void {
    for (const l of this.rest) tf.dispose([l.weight, l.bias]);
    this.contextBlocks?.dispose();
  }
}

function activateInPlace(h: Float32Array, act: string): void {
  const n = h.length;
  if (act === 'cube') for (let j = 0; j < n; j++) h[j] = h[j]! * h[j]! * h[j]!;
  else if (act === 'relu') for (let j = 0; j < n; j++) h[j] = Math.max(h[j]!, 0);
  else for (let j = 0; j < n; j++) h[j] = Math.tanh(h[j]!);
}

function addRow(h: Float32Array, table: Float32Array, offset: number, H: number): void {
  for (let j = 0; j < H; j++) h[j] = h[j]! + table[offset + j]!;
}

function addScaledRow(h: Float32Array, table: Float32Array, offset: number, H: number, s: number): void {
  for (let j = 0; j < H; j++) h[j] = h[j]! + s * table[offset + j]!;
}
