// What each `lab compress` subcommand does, as functions of checked options (compress.ts parses the
// command line). Models are core module files naming their architecture (compress-files.ts);
// compressed models are LDCF files (@lab/compress's format).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildModel,
  CompressedModel,
  chooseSparsities,
  DEFAULT_SPARSITIES,
  decodeCompressed,
  decodedToTensors,
  describeCompressed,
  encodeCompressed,
  type KMeansInit,
  MaskSet,
  type ModelName,
  type PruneCriterion,
  type PruneRow,
  prunableWeights,
  SharedWeights,
  sensitivityAnalysis,
  sensitivityCsv,
  sensitivityPng,
  sizeTable,
} from '@lab/compress';
import { adam, chain, initBackend, Optimizer, Rng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkModelName, inFile, readInput, readModel, writeModel, writeOutput } from './compress-files.js';
import { type Digits, errorRate, fit, loadDigits } from './compress-mnist.js';
import { progress } from './progress.js';

export interface CommonOptions {
  backend: 'wasm' | 'cpu';
  quiet: boolean;
  seed: number;
}

export interface TrainingData {
  data?: string;
  limit?: number;
  epochs: number;
  batchSize: number;
  lr: number;
}

function trainingSet(o: TrainingData & { epochs: number }, what: string): Digits | undefined {
  if (o.epochs === 0) return undefined;
  if (!o.data) throw new Error(`${what} needs --data (an MNIST-layout directory), or --epochs 0`);
  return loadDigits(o.data, 'train', o.limit);
}

/** `lab compress train`: a LeNet from scratch on MNIST. */
export async function compressTrain(
  o: CommonOptions & TrainingData & { model: string; out: string },
): Promise<{ testError: number | null }> {
  await initBackend({ backend: o.backend });
  const name = checkModelName(o.model, '--model');
  if (!o.data) throw new Error('train needs --data (an MNIST-layout directory)');
  const train = loadDigits(o.data, 'train', o.limit);
  const model = buildModel(name, new Rng(o.seed));
  const params = model.trainableParameters();
  const opt = new Optimizer(adam(o.lr), params);
  fit(model, train, params, (g) => opt.step(g), { ...o, label: 'train' });
  opt.dispose();
  const testError = errorRate(loadDigits(o.data, 'test'), (x) => model.forward(x));
  writeModel(o.out, model, name, { 'test.error': String(testError) });
  model.dispose();
  return { testError };
}

export interface PruneCommandOptions extends CommonOptions, TrainingData {
  input: string;
  out: string;
  /** Han's threshold multiplier: one value or one per layer (prunable weights in order). */
  quality?: number[];
  sparsity?: number[];
}

function perLayer(names: string[], values: number[], option: string): number | Record<string, number> {
  if (values.length === 1) return values[0]!;
  if (values.length !== names.length)
    throw new Error(
      `${option} lists ${values.length} values for ${names.length} layers (${names.join(', ')})`,
    );
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
}

/** `lab compress prune`: prune (Han's thresholds or target sparsities), then retrain with masks kept. */
export async function compressPrune(
  o: PruneCommandOptions,
): Promise<{ rows: PruneRow[]; testError: number | null }> {
  if ((o.quality === undefined) === (o.sparsity === undefined))
    throw new Error('prune needs exactly one of --quality and --sparsity');
  await initBackend({ backend: o.backend });
  const train = trainingSet(o, 'retraining');
  const { model, name } = readModel(o.input);
  try {
    const masks = new MaskSet(model);
    const layers = Object.keys(masks.weights);
    const criterion: PruneCriterion = o.quality
      ? { kind: 'quality', quality: perLayer(layers, o.quality, '--quality') }
      : { kind: 'sparsity', sparsity: perLayer(layers, o.sparsity!, '--sparsity') };
    const rows = masks.prune(criterion);
    if (train) {
      const params = model.trainableParameters();
      const opt = new Optimizer(chain(adam(o.lr), masks.transform()), params);
      fit(model, train, params, (g) => opt.step(g), { ...o, label: 'retrain' });
      opt.dispose();
    }
    masks.dispose();
    const testError = o.data ? errorRate(loadDigits(o.data, 'test'), (x) => model.forward(x)) : null;
    writeModel(o.out, model, name);
    return { rows, testError };
  } finally {
    model.dispose();
  }
}

/** `lab compress sensitivity`: per layer, accuracy at each sparsity; a CSV, a PNG and a choice. */
export async function compressSensitivity(
  o: CommonOptions & {
    input: string;
    data: string;
    limit?: number;
    sparsities?: number[];
    out: string;
    tolerance: number;
  },
): Promise<{ csv: string; png: string; table: string }> {
  await initBackend({ backend: o.backend });
  const test = loadDigits(o.data, 'test', o.limit);
  const { model } = readModel(o.input);
  try {
    const probes = (o.sparsities ?? DEFAULT_SPARSITIES).length * Object.keys(prunableWeights(model)).length;
    const bar = progress('sensitivity', probes, o.quiet);
    const result = await sensitivityAnalysis(model, {
      evaluate: () => 1 - errorRate(test, (x) => model.forward(x)),
      ...(o.sparsities ? { sparsities: o.sparsities } : {}),
      onProbe: () => bar.tick(),
    });
    bar.done(`${result.rows.length} probes, baseline accuracy ${(100 * result.baseline).toFixed(2)}%`);
    mkdirSync(o.out, { recursive: true });
    const csv = join(o.out, 'sensitivity.csv');
    const png = join(o.out, 'sensitivity.png');
    writeOutput(csv, sensitivityCsv(result));
    writeOutput(png, sensitivityPng(result));
    const choice = chooseSparsities(result, o.tolerance);
    const table = [
      `| layer | sparsity within ${(100 * o.tolerance).toFixed(2)}% of baseline | accuracy | threshold |`,
      '|---|---|---|---|',
      ...choice.map(
        (c) =>
          `| ${c.layer} | ${(100 * c.sparsity).toFixed(0)}% | ${(100 * c.accuracy).toFixed(2)}% | ${c.threshold.toPrecision(4)} |`,
      ),
    ].join('\n');
    return { csv, png, table };
  } finally {
    model.dispose();
  }
}

/** `lab compress quantize`: k-means weight sharing, then centroid fine-tuning. */
export async function compressQuantize(
  o: CommonOptions & TrainingData & { input: string; out: string; bits?: number; init: KMeansInit },
): Promise<{ testError: number | null; codebooks: Record<string, number> }> {
  await initBackend({ backend: o.backend });
  const train = trainingSet(o, 'centroid fine-tuning');
  const { model, name } = readModel(o.input);
  try {
    const masks = new MaskSet(model);
    const shared = new SharedWeights(masks.weights, {
      init: o.init,
      rng: new Rng(o.seed),
      ...(o.bits ? { bits: o.bits } : {}),
    });
    if (train) {
      const opt = new Optimizer(adam(o.lr), shared.centroids);
      fit(model, train, { ...masks.weights }, (g) => shared.fineTuneStep(g, opt), {
        ...o,
        label: 'centroids',
      });
      opt.dispose();
    }
    const codebooks = Object.fromEntries(Object.entries(shared.centroids).map(([k, v]) => [k, v.size]));
    shared.dispose();
    masks.dispose();
    const testError = o.data ? errorRate(loadDigits(o.data, 'test'), (x) => model.forward(x)) : null;
    writeModel(o.out, model, name);
    return { testError, codebooks };
  } finally {
    model.dispose();
  }
}

/** `lab compress encode`: a model file to an LDCF file; returns the size table. */
export async function compressEncode(o: { input: string; out: string; indexBits?: number }): Promise<string> {
  await initBackend({ backend: 'cpu' });
  const { model, name } = readModel(o.input);
  try {
    const { bytes, report } = encodeCompressed(model.stateDict(), {
      metadata: { model: name },
      ...(o.indexBits ? { indexBits: o.indexBits } : {}),
    });
    writeOutput(o.out, bytes);
    return sizeTable(report);
  } finally {
    model.dispose();
  }
}

function modelOfFile(path: string, header: { metadata?: Record<string, unknown> }): ModelName {
  return inFile(path, () => checkModelName(header.metadata?.model, 'metadata.model'));
}

/** `lab compress decode`: an LDCF file back to a model file (bit-exact weights). */
export async function compressDecode(o: { input: string; out: string }): Promise<void> {
  await initBackend({ backend: 'cpu' });
  const bytes = readInput(o.input);
  const decoded = inFile(o.input, () => decodeCompressed(bytes));
  const name = modelOfFile(o.input, decoded.header as { metadata?: Record<string, unknown> });
  const model = buildModel(name);
  const tensors = decodedToTensors(decoded.tensors);
  try {
    inFile(o.input, () => model.loadStateDict(tensors));
    writeModel(o.out, model, name);
  } finally {
    tf.dispose(Object.values(tensors));
    model.dispose();
  }
}

/** `lab compress info`: sizes per layer and stage from the checked header. */
export function compressInfo(o: { input: string }): string {
  const bytes = readInput(o.input);
  return sizeTable(inFile(o.input, () => describeCompressed(bytes)));
}

/** `lab compress eval`: test error of an LDCF file run sparse from its shared weights. */
export async function compressEval(
  o: CommonOptions & { input: string; data: string; limit?: number; mode: 'auto' | 'sparse' | 'dense' },
): Promise<{ testError: number; plan: string }> {
  await initBackend({ backend: o.backend });
  const bytes = readInput(o.input);
  const { header } = inFile(o.input, () => decodeCompressed(bytes));
  const name = modelOfFile(o.input, header as { metadata?: Record<string, unknown> });
  const architecture = buildModel(name);
  let run: CompressedModel;
  try {
    run = inFile(o.input, () => CompressedModel.load(bytes, architecture, { mode: o.mode }));
  } catch (e) {
    architecture.dispose();
    throw e;
  }
  try {
    const testError = errorRate(loadDigits(o.data, 'test', o.limit), (x) => run.predict(x));
    const plan = run.plan
      .filter((p) => p.runs !== 'dense' || p.density < 1)
      .map((p) => `layer ${p.index}: ${p.runs} (${(100 * p.density).toFixed(1)}% stored)`)
      .join('\n');
    return { testError, plan };
  } finally {
    run.dispose();
  }
}
