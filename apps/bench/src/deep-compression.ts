// W5 `deep-compression` of ../shared/BENCHMARKS.md: Han et al.'s pipeline on MNIST for LeNet-300-100
// and LeNet-5. Train to a baseline, prune with per-layer thresholds (quality x std of the trained
// layer, in rounds, retraining with the masks kept exact after each), share the surviving weights
// through per-layer k-means codebooks and fine-tune the centroids, then Huffman-code and write the file.
// Each stage's test error; the final one is measured on the model run from the written file (its
// dense layers sparse, straight from the shared weights). The ratio comes from the bytes written.
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildModel,
  CompressedModel,
  type Digits,
  digitErrorRate,
  encodeCompressed,
  MaskSet,
  type ModelName,
  SharedWeights,
  sizeTable,
  standardDeviation,
  trainOnDigits,
} from '@lab/compress';
import { adam, chain, Optimizer, Rng, type Sequential } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { findSharedData } from '@lab/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import { breakEven, modelSpeedup, sparsitySweep } from './deep-compression-speed.js';

type Mnist = Digits;

export interface DeepCompressionOptions {
  models: readonly ModelName[];
  /** Baseline training epochs; pruned retraining gets as many, centroid fine-tuning half (at least 1). */
  epochs: number;
  /** Train on the first N training images (default all 60,000). */
  trainLimit?: number;
  /** Pruning rounds (prune to r/R of the final thresholds, retrain, for r = 1..R). */
  rounds: number;
  batchSize: number;
  seed: number;
  /** Directory for the compressed files (default a fresh temporary one). */
  outDir?: string;
  /** Timing blocks (the cheapest counts) for the sparse-vs-dense figures. */
  timingBlocks: number;
  quiet: boolean;
  /** Also time a 784 x 300 layer over a sweep of sparsities (where sparse starts to win). */
  sweep: boolean;
}

export const DEFAULT_DEEP_COMPRESSION: DeepCompressionOptions = {
  models: ['lenet-300-100', 'lenet-5'],
  epochs: 10,
  rounds: 3,
  batchSize: 64,
  seed: 0,
  timingBlocks: 5,
  quiet: false,
  sweep: true,
};

/**
 * The fraction of each layer's weights Deep Compression keeps (its tables 1 and 2: LeNet-300-100 8%,
 * 9%, 26%; LeNet-5 66%, 12%, 8%, 19%). Pruning uses Han et al.'s layer-wise threshold, quality x std
 * of the layer; in round r of R each layer's quality is the one whose threshold keeps
 * 1 - (1 - kept) x r / R of its current (retrained) weights, so the last round reaches the paper's
 * fractions (retraining moves the weights, so thresholds fixed in advance would keep more).
 */
const HAN_KEPT: Record<ModelName, Record<string, number>> = {
  'lenet-300-100': { '1.weight': 0.08, '3.weight': 0.09, '5.weight': 0.26 },
  'lenet-5': { '0.weight': 0.66, '2.weight': 0.12, '5.weight': 0.08, '7.weight': 0.19 },
};

/** The magnitude below which a fraction 1 - kept of `values` lies. */
function keepThreshold(values: Float32Array, kept: number): number {
  const mags = Float32Array.from(values, Math.abs).sort();
  const drop = Math.min(mags.length - 1, Math.max(0, Math.floor((1 - kept) * mags.length)));
  return mags[drop]!;
}

/** Deep Compression's table 2 and 3 anchors: baseline and compressed top-1 error (%), ratio. */
export const ANCHORS: Record<ModelName, { baseline: number; final: number; ratio: number }> = {
  'lenet-300-100': { baseline: 1.64, final: 1.58, ratio: 40 },
  'lenet-5': { baseline: 0.8, final: 0.74, ratio: 39 },
};

export interface DeepCompressionLine {
  workload: 'deep-compression';
  model: ModelName;
  baseline_err: number;
  pruned_err: number;
  quantized_err: number;
  final_err: number;
  ratio: number;
  bytes: number;
  sparse_speedup: number;
}

/**
 * The line as printed: errors to 0.01% (one image of the 10,000 test images), the ratio and the
 * speed-up to two decimals, so that the JSON reads 2.14 where the float sum gives 2.1399999999999997.
 */
export function roundedLine(line: DeepCompressionLine): DeepCompressionLine {
  const to2 = (x: number) => Math.round(x * 100) / 100;
  return {
    ...line,
    baseline_err: to2(line.baseline_err),
    pruned_err: to2(line.pruned_err),
    quantized_err: to2(line.quantized_err),
    final_err: to2(line.final_err),
    ratio: to2(line.ratio),
    sparse_speedup: to2(line.sparse_speedup),
  };
}

const log = (o: DeepCompressionOptions, s: string) => {
  if (!o.quiet) process.stderr.write(`${s}\n`);
};

/** Test error in percent of `predict` over the whole test set. */
export const testError = (test: Mnist, predict: (x: tf.Tensor) => tf.Tensor): number =>
  100 * digitErrorRate(test, predict, 1000);

/** Epochs of minibatch training (@lab/compress's trainOnDigits); `step` applies the gradients. */
function train(
  model: Sequential,
  data: Mnist,
  epochs: number,
  o: DeepCompressionOptions,
  rng: Rng,
  params: Record<string, tf.Variable>,
  step: (grads: Record<string, tf.Tensor>) => void,
  label: string,
): void {
  trainOnDigits(model, data, params, step, {
    epochs,
    batchSize: o.batchSize,
    rng,
    onEpoch: (epoch, loss, ms) =>
      log(
        o,
        `  ${label} epoch ${epoch + 1}/${epochs}: loss ${loss.toFixed(4)} (${(ms / 1000).toFixed(1)} s)`,
      ),
  });
}

/** Writes to a temporary name, then renames: the file is never seen half-written. */
function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function compressOne(
  name: ModelName,
  trainSet: Mnist,
  test: Mnist,
  o: DeepCompressionOptions,
  outDir: string,
): DeepCompressionLine {
  const rng = new Rng(o.seed);
  const model = buildModel(name, new Rng(o.seed + 1));
  const all = model.trainableParameters();
  log(o, `${name}: baseline training`);
  const opt = new Optimizer(adam(1e-3), all);
  train(model, trainSet, o.epochs, o, rng, all, (g) => opt.step(g), 'baseline');
  opt.dispose();
  const eval_ = () => testError(test, (x) => model.forward(x));
  const baseline = eval_();
  log(o, `${name}: baseline error ${baseline.toFixed(2)}%`);

  // prune in rounds towards the thresholds quality x std(trained layer), retraining after each
  const masks = new MaskSet(model);
  const retrainEpochs = Math.max(1, Math.round(o.epochs / o.rounds));
  const retrain = new Optimizer(chain(adam(3e-4), masks.transform()), all);
  for (let r = 1; r <= o.rounds; r++) {
    const quality: Record<string, number> = {};
    for (const [k, v] of Object.entries(masks.weights)) {
      const values = v.dataSync() as Float32Array;
      const kept = 1 - (1 - (HAN_KEPT[name][k] ?? 1)) * (r / o.rounds);
      quality[k] = keepThreshold(values, kept) / standardDeviation(values);
    }
    log(
      o,
      `  round ${r}: quality ${Object.entries(quality)
        .map(([k, q]) => `${k} ${q.toFixed(3)}`)
        .join(', ')}`,
    );
    const rows = masks.prune({ kind: 'quality', quality });
    log(
      o,
      `  round ${r}: kept ${rows.map((p) => `${p.name} ${(100 * (1 - p.sparsity)).toFixed(1)}%`).join(', ')}`,
    );
    train(model, trainSet, retrainEpochs, o, rng, all, (g) => retrain.step(g), `retrain ${r}`);
  }
  retrain.dispose();
  const pruned = eval_();
  log(o, `${name}: pruned error ${pruned.toFixed(2)}%`);

  // share weights (k-means, linear init; 8 bits for convolutions, 5 for dense) and fine-tune centroids
  const shared = new SharedWeights(masks.weights, { init: 'linear' });
  const centroidOpt = new Optimizer(adam(1e-4), shared.centroids);
  const centroidEpochs = Math.max(1, Math.round(o.epochs / 2));
  train(
    model,
    trainSet,
    centroidEpochs,
    o,
    rng,
    { ...masks.weights },
    (g) => shared.fineTuneStep(g, centroidOpt),
    'centroids',
  );
  centroidOpt.dispose();
  const quantized = eval_();
  log(o, `${name}: quantized error ${quantized.toFixed(2)}%`);

  // Huffman-code, write, and run from the written file
  const { bytes, report } = encodeCompressed(model.stateDict(), { metadata: { model: name } });
  const path = join(outDir, `${name}.ldcf`);
  writeAtomic(path, bytes);
  log(o, `${name}: wrote ${path} (${bytes.length} bytes)\n${sizeTable(report)}`);
  shared.dispose();
  masks.dispose();
  const run = CompressedModel.load(bytes, model); // takes the model over
  const final = testError(test, (x) => run.predict(x));
  const speed = modelSpeedup(run, o.timingBlocks);
  for (const l of speed.layers)
    log(
      o,
      `  layer ${l.layer}: ${(100 * l.density).toFixed(1)}% stored, batch 1: dense ${l.dense_ms.toFixed(3)} ms, sparse ${l.sparse_ms.toFixed(3)} ms`,
    );
  run.dispose();
  return roundedLine({
    workload: 'deep-compression',
    model: name,
    baseline_err: baseline,
    pruned_err: pruned,
    quantized_err: quantized,
    final_err: final,
    ratio: report.ratio,
    bytes: bytes.length,
    sparse_speedup: speed.speedup,
  });
}

function loadMnist(limit?: number): { train: Mnist; test: Mnist } {
  const dir = join(findSharedData(), 'mnist');
  const full = loadMnistSplit(dir, 'train');
  const count = Math.min(full.count, limit ?? full.count);
  const test = loadMnistSplit(dir, 'test');
  return {
    train: { images: full.images.subarray(0, count * 784), labels: full.labels.subarray(0, count), count },
    test: { images: test.images, labels: test.labels, count: test.count },
  };
}

const pct = (v: number) => `${v.toFixed(2)}%`;

/** The table printed beside the JSON lines: ours against Deep Compression's. */
export function anchorTable(lines: readonly DeepCompressionLine[]): string {
  const out = [
    '| model | baseline err | pruned err | quantized err | final err | ratio | bytes | sparse speedup | Han et al. |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const l of lines) {
    const a = ANCHORS[l.model];
    out.push(
      `| ${l.model} | ${pct(l.baseline_err)} | ${pct(l.pruned_err)} | ${pct(l.quantized_err)} | ${pct(l.final_err)} | ${l.ratio.toFixed(1)}x | ${l.bytes} | ${l.sparse_speedup.toFixed(2)}x | ${a.baseline}% -> ${a.final}% at ${a.ratio}x |`,
    );
  }
  return out.join('\n');
}

/** Runs the workload: one JSON line per model on stdout, then the tables. */
export async function deepCompressionBench(
  options: Partial<DeepCompressionOptions> = {},
): Promise<DeepCompressionLine[]> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: DeepCompressionOptions = { ...DEFAULT_DEEP_COMPRESSION, ...given };
  const outDir = o.outDir ?? mkdtempSync(join(tmpdir(), 'lab-deep-compression-'));
  const { train: trainSet, test } = loadMnist(o.trainLimit);
  const lines: DeepCompressionLine[] = [];
  for (const name of o.models) {
    const line = compressOne(name, trainSet, test, o, outDir);
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  console.log(anchorTable(lines));
  if (!o.sweep) return lines;
  const sweep = sparsitySweep([0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99], [1, 64], o.timingBlocks);
  console.log('\nsparse (CSR kernel) vs dense (tfjs matMul) for a 784 x 300 layer, CPU ms per call:');
  console.log('| sparsity | batch | dense ms | sparse ms | speedup |\n|---|---|---|---|---|');
  for (const r of sweep)
    console.log(
      `| ${r.sparsity * 100}% | ${r.batch} | ${r.dense_ms.toFixed(3)} | ${r.sparse_ms.toFixed(3)} | ${r.speedup.toFixed(2)}x |`,
    );
  for (const [batch, s] of Object.entries(breakEven(sweep)))
    console.log(
      `batch ${batch}: sparse wins ${s === null ? 'at no swept sparsity' : `from ${s * 100}% sparsity on`}`,
    );
  return lines;
}
