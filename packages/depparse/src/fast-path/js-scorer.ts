// The precomputation trick in plain JS and tfjs: the reference path, and the one used where WASM SIMD
// is unavailable or the first layer's width is not a multiple of 4.
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
  contextRow,
  layerActivation,
  type ParserNet,
} from '../model/model.js';
import {
  activateInPlace,
  addRow,
  addScaledRow,
  contextBlocks,
  contextProducts,
  type FirstLayerTables,
  type PrecomputedPath,
  tablesBytes,
} from './precompute-tables.js';

export class JsPrecomputedScorer implements PrecomputedPath {
  readonly bytes: number;
  readonly hasContext: boolean;
  /** Layers after the first (hidden2, output), run by tfjs. */
  private readonly rest: { weight: tf.Tensor2D; bias: tf.Tensor1D }[];
  private readonly contextBlocks?: tf.Tensor2D;
  /** The current batch's context products, [layout.rows, positions, H]. */
  private contextProducts: Float32Array = new Float32Array(0);
  private contextLayout?: ContextLayout;

  constructor(
    private readonly net: ParserNet,
    private readonly t: FirstLayerTables,
  ) {
    this.bytes = tablesBytes(t);
    this.contextBlocks = contextBlocks(net, t.H);
    this.hasContext = this.contextBlocks !== undefined;
    this.rest = [...net.hidden.slice(1), net.output].map((l) => ({
      weight: tf.keep(l.weight.clone()) as tf.Tensor2D,
      bias: tf.keep(l.bias!.clone()) as tf.Tensor1D,
    }));
  }

  prepareContext(batch: readonly SentenceIds[]): void {
    const layout = contextLayout(batch, this.net.config);
    this.contextLayout = layout;
    this.contextProducts = contextProducts(this.net, batch, layout, this.contextBlocks!);
  }

  hidden(f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array {
    const { H, topWords: K, sizes } = this.t;
    const dw = sizes.dw;
    const out = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) {
      const h = out.subarray(r * H, (r + 1) * H);
      h.set(this.t.bias);
      for (let p = 0; p < TOKEN_POSITIONS; p++) {
        const id = f.words[r * TOKEN_POSITIONS + p]!;
        if (id < K) addRow(h, this.t.words, (p * K + id) * H, H);
        else {
          // a rare word: its embedding times the position's block of W1
          const e = id * dw;
          for (let j = 0; j < dw; j++) {
            const v = this.t.wordEmb[e + j]!;
            if (v !== 0) addScaledRow(h, this.t.w1Words, (p * dw + j) * H, H, v);
          }
        }
        addRow(h, this.t.upos, (p * sizes.upos + f.upos[r * TOKEN_POSITIONS + p]!) * H, H);
        addRow(h, this.t.xpos, (p * sizes.xpos + f.xpos[r * TOKEN_POSITIONS + p]!) * H, H);
      }
      for (let p = 0; p < LABEL_POSITIONS; p++)
        addRow(h, this.t.labels, (p * sizes.labels + f.labels[r * LABEL_POSITIONS + p]!) * H, H);
      for (let p = 0; p < EXTRA_POSITIONS; p++)
        addRow(h, this.t.extras, (p * EXTRA_IDS + f.extras[r * EXTRA_POSITIONS + p]!) * H, H);
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
    activateInPlace(out, this.net.config.activation);
    return out;
  }

  readonly score = (f: FeatureBuffers, rows: number, slots?: ArrayLike<number>): Float32Array => {
    const h = this.hidden(f, rows, slots);
    const logits = tf.tidy(() => {
      let x: tf.Tensor = tf.tensor2d(h, [rows, this.t.H]);
      this.rest.forEach((l, i) => {
        x = tf.add(tf.matMul(x, l.weight), l.bias);
        if (i < this.rest.length - 1) {
          const a = layerActivation(this.net.config, i + 1);
          x = a === 'cube' ? tf.mul(tf.mul(x, x), x) : a === 'relu' ? tf.relu(x) : tf.tanh(x);
        }
      });
      return x;
    });
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    return data;
  };

  dispose(): void {
    for (const l of this.rest) tf.dispose([l.weight, l.bias]);
    this.contextBlocks?.dispose();
  }
}
