// Part of W5 `deep-compression`: how fast the compressed network's dense layers run sparse (the CSR
// WASM SIMD kernel, float32 values or shared codes) against the dense layer (tfjs matMul + bias on the
// same backend), timed per layer and over a sweep of sparsities, to find where sparse starts to win.

import { type CompressedModel, type CsrMatrix, csrFromDense, SparseDense } from '@lab/compress';
import { Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * CPU milliseconds per call of `fn` (single-threaded work): calls run in blocks of at least ~20 ms of
 * CPU time and the cheapest of `blocks` blocks counts. CPU time rather than wall time, and the
 * minimum, so that other processes on a loaded machine do not count against either side.
 */
export function cpuMsPerCall(fn: () => void, blocks: number): number {
  fn();
  fn();
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let calls = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < calls; i++) fn();
    if (cpuMs() - t0 >= 20 || calls >= 1 << 16) break;
    calls *= 4;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < blocks; b++) {
    const t0 = cpuMs();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, (cpuMs() - t0) / calls);
  }
  return best;
}

/** Dense ms and sparse ms of y = x . W + b for x [batch, in], with W in CSR-of-transpose form. */
export function timeLayer(
  weightT: CsrMatrix,
  batch: number,
  blocks: number,
  seed = 0,
): { dense: number; sparse: number } {
  const inF = weightT.cols;
  const outF = weightT.rows;
  const dense = new Float32Array(inF * outF);
  for (let o = 0; o < outF; o++)
    for (let p = weightT.rowPtr[o]!; p < weightT.rowPtr[o + 1]!; p++) {
      const e = weightT.entries;
      dense[weightT.colIndex[p]! * outF + o] = e.kind === 'float' ? e.values[p]! : e.codebook[e.codes[p]!]!;
    }
  const w = tf.tensor2d(dense, [inF, outF]);
  const b = tf.zeros([outF]);
  const x = tf.randomNormal([batch, inF], 0, 1, 'float32', seed);
  const layer = new SparseDense(weightT, new Float32Array(outF));
  const denseMs = cpuMsPerCall(
    () =>
      tf.tidy(() => {
        tf.add(tf.matMul(x, w), b).dataSync();
      }),
    blocks,
  );
  const sparseMs = cpuMsPerCall(
    () =>
      tf.tidy(() => {
        layer.forward(x).dataSync(); // returning the array would make tidy walk it
      }),
    blocks,
  );
  layer.dispose();
  tf.dispose([w, b, x]);
  return { dense: denseMs, sparse: sparseMs };
}

export interface SweepRow {
  sparsity: number;
  batch: number;
  dense_ms: number;
  sparse_ms: number;
  speedup: number;
}

/** A 784 x 300 layer (LeNet-300-100's first) at each sparsity and batch size. */
export function sparsitySweep(
  sparsities: readonly number[],
  batches: readonly number[],
  blocks: number,
  shape: [number, number] = [784, 300],
): SweepRow[] {
  const [inF, outF] = shape;
  const rows: SweepRow[] = [];
  for (const s of sparsities) {
    const rng = new Rng(Math.round(s * 1000));
    const w = Float32Array.from({ length: inF * outF }, () => (rng.next() < s ? 0 : rng.normal()));
    const csr = csrFromDense(w, inF, outF, { transpose: true });
    for (const batch of batches) {
      const { dense, sparse } = timeLayer(csr, batch, blocks);
      rows.push({ sparsity: s, batch, dense_ms: dense, sparse_ms: sparse, speedup: dense / sparse });
    }
  }
  return rows;
}

/** Per batch size, the lowest swept sparsity from which sparse is faster at every higher one (or null). */
export function breakEven(rows: readonly SweepRow[]): Record<number, number | null> {
  const out: Record<number, number | null> = {};
  for (const batch of new Set(rows.map((r) => r.batch))) {
    const mine = rows.filter((r) => r.batch === batch).sort((a, b) => a.sparsity - b.sparsity);
    let from: number | null = null;
    for (let i = mine.length - 1; i >= 0 && mine[i]!.speedup > 1; i--) from = mine[i]!.sparsity;
    out[batch] = from;
  }
  return out;
}

/**
 * The compressed model's sparse Dense layers at batch 1 (Deep Compression's setting, figure 9): the
 * summed dense time over the summed sparse time, and each layer's figures.
 */
export function modelSpeedup(
  model: CompressedModel,
  blocks: number,
): { speedup: number; layers: { layer: number; density: number; dense_ms: number; sparse_ms: number }[] } {
  const sparsePlans = model.plan.filter((p) => p.runs !== 'dense');
  const sparseLayers = model.model.layers.filter((m): m is SparseDense => m instanceof SparseDense);
  const layers = sparseLayers.map((m, i) => {
    const { dense, sparse } = timeLayer(m.weightT, 1, blocks, i);
    return { layer: sparsePlans[i]!.index, density: 1 - m.sparsity, dense_ms: dense, sparse_ms: sparse };
  });
  const d = layers.reduce((a, l) => a + l.dense_ms, 0);
  const s = layers.reduce((a, l) => a + l.sparse_ms, 0);
  return { speedup: s > 0 ? d / s : 1, layers };
}
