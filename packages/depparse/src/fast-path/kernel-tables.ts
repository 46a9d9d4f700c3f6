// The first layer's weights and its tag, label and extra tables in the table-sum kernel's memory, built
// there (table_rows: bitwise the products tfjs's matMul gives for depths that are multiples of 4; other
// depths take tfjs's products) from the net's embeddings and W1, read
// straight from tfjs's heap where the net lives in it. A cold parse paid for every copy in fresh 4 KB
// pages: the tables went through tfjs's products, their stack, dataSync's array and the kernel's copy,
// and every weight through a dataSync array before the kernel's.
import * as tf from '@tensorflow/tfjs-core';
import { EXTRA_IDS, EXTRA_POSITIONS, LABEL_POSITIONS, TOKEN_POSITIONS } from '../model/features.js';
import type { ParserNet } from '../model/model.js';
import type { TableSumKernel } from './kernels/table-sum.js';
import { positionProducts } from './precompute-tables.js';

/** The first layer in kernel memory (byte offsets) and what its tables are made of. */
export interface KernelFirstLayer {
  /** Width of the first hidden layer. */
  H: number;
  /** Words with rows built as they occur (the most frequent); rarer ones are multiplied or cached. */
  topWords: number;
  sizes: { upos: number; xpos: number; labels: number; dw: number };
  /** W1's word rows, [TOKEN_POSITIONS * wordDim, H] (the first rows of W1). */
  w1Words: number;
  wordEmb: number;
  bias: number;
}

/** Where the table rows of each feature kind go: float offsets from `table`, [position][id][H] each. */
export interface TableRegions {
  /** Byte offset the float offsets count from. */
  table: number;
  upos: number;
  xpos: number;
  labels: number;
  extras: number;
}

/** Floats the tag, label and extra tables of `net` take ([position][id][H] each). */
export function tableFloats(net: ParserNet): { upos: number; xpos: number; labels: number; extras: number } {
  const c = net.config;
  const H = c.hidden[0]!;
  return {
    upos: TOKEN_POSITIONS * c.upos * H,
    xpos: TOKEN_POSITIONS * c.xpos * H,
    labels: LABEL_POSITIONS * c.labels * H,
    extras: EXTRA_POSITIONS * EXTRA_IDS * H,
  };
}

/**
 * Copies a float32 tensor into kernel memory; returns its byte offset. On the wasm backend the values
 * are read where tfjs keeps them (a view taken after the kernel's allocation, so nothing in between
 * can move tfjs's memory), else through dataSync.
 */
export function putTensor(k: TableSumKernel, t: tf.Tensor): number {
  const n = t.size;
  const at = k.alloc(n);
  k.f32(at, n).set(heapView(t) ?? (t.dataSync() as Float32Array));
  return at;
}

interface HeapBackend {
  typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array | Int32Array | Uint8Array;
  dataIdMap?: { has(dataId: object): boolean };
}

/** A view of a float32 tensor's values in the wasm backend's heap, or undefined elsewhere. */
function heapView(t: tf.Tensor): Float32Array | undefined {
  const b = tf.backend() as unknown as HeapBackend;
  if (t.dtype !== 'float32' || typeof b.typedArrayFromHeap !== 'function' || !b.dataIdMap?.has(t.dataId))
    return undefined;
  const view = b.typedArrayFromHeap(t);
  return view instanceof Float32Array && view.length === t.size ? view : undefined;
}

/**
 * The first layer's weights in kernel memory, and the rows of its tag, label and extra tables built
 * into `regions` (every (position, id) pair: 8,500 rows of the shipped model, 22 million multiply-adds).
 */
export function kernelFirstLayer(
  k: TableSumKernel,
  net: ParserNet,
  topWords: number,
  regions: TableRegions,
): KernelFirstLayer {
  const c = net.config;
  const H = c.hidden[0]!;
  const dw = c.wordDim;
  const dt = c.tagDim;
  const w1 = putTensor(k, net.hidden[0]!.weight);
  const bias = putTensor(k, net.hidden[0]!.bias!);
  const wordEmb = putTensor(k, net.wordEmbedding.weight);
  const groups = [
    { emb: net.uposEmbedding, ids: c.upos, dim: dt, positions: TOKEN_POSITIONS, at: regions.upos },
    { emb: net.xposEmbedding, ids: c.xpos, dim: dt, positions: TOKEN_POSITIONS, at: regions.xpos },
    {
      emb: net.labelEmbedding,
      ids: c.labels,
      dim: c.labelDim,
      positions: LABEL_POSITIONS,
      at: regions.labels,
    },
    {
      emb: net.extraEmbedding,
      ids: EXTRA_IDS,
      dim: c.extraDim,
      positions: EXTRA_POSITIONS,
      at: regions.extras,
    },
  ];
  const items = k.alloc(3 * Math.max(...groups.map((g) => g.ids * g.positions)));
  // a group's block of W1 starts after the rows of the groups before it (words first)
  let from = TOKEN_POSITIONS * dw;
  for (const g of groups) {
    const count = g.ids * g.positions;
    if (g.dim % 4 !== 0) {
      // tfjs's matMul sums a depth that is not a multiple of 4 in another order than table_rows:
      // its products then, so that the tables stay bitwise the JS path's
      const rows = positionProducts(net.hidden[0]!.weight, g.emb.weight, g.ids, from, g.dim, g.positions);
      k.f32(regions.table + 4 * g.at, rows.length).set(rows);
      from += g.positions * g.dim;
      continue;
    }
    const emb = putTensor(k, g.emb.weight);
    const it = k.i32(items, 3 * count);
    for (let p = 0, r = 0; p < g.positions; p++)
      for (let id = 0; id < g.ids; id++, r++) {
        it[3 * r] = g.at + r * H;
        it[3 * r + 1] = p;
        it[3 * r + 2] = id;
      }
    k.tableRows(w1 + 4 * from * H, emb, items, count, g.dim, H, regions.table);
    from += g.positions * g.dim;
  }
  return {
    H,
    topWords: Math.min(topWords, c.words),
    sizes: { upos: c.upos, xpos: c.xpos, labels: c.labels, dw },
    w1Words: w1,
    wordEmb,
    bias,
  };
}
