// `lab finetune` (issue 19, part 6): learn Fashion-MNIST classes 5-9 from a few labelled images per
// class with a convnet pretrained on classes 0-4 (here, or loaded from a safetensors file), cut at a
// named layer, by one of fineTune's strategies. Everything is checked before training starts, and the
// files are written at the end, each through a temporary name, so a failed run leaves nothing behind.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  adam,
  type BackendReport,
  checkpointToBytes,
  type ImageDataset,
  initBackend,
  Rng,
  type Sequential,
} from '@lab/core';
import { loadMnistSplit, writeFileAtomic } from '@lab/core/node';
import {
  type ClassifierData,
  evaluateClassifier,
  FINE_TUNE_STRATEGIES,
  type FineTuneStrategy,
  fineTune,
  fitClassifier,
  lineChartPng,
  loadSafetensors,
  randomShift,
  type SourceLayout,
  subset,
} from '@lab/finetune';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedDataDir } from './data.js';
import { CUT_LAYERS, cutWithNewHead, finetuneConvnet } from './finetune-model.js';
import { type Progress, progress } from './progress.js';

export interface FinetuneCliOptions {
  /** MNIST-layout directory with train and t10k files; default: the embedded test split, 80% / 20%. */
  data?: string;
  /** Pretrained weights of the convnet (safetensors); default: pretrain on classes 0-4 here. */
  weights?: string;
  /** The weights' layout when the file does not say ('lab' or 'torch'). */
  layout?: SourceLayout;
  cutAt: string;
  strategy: FineTuneStrategy;
  labelsPerClass: number;
  /** Training length: epochs, or steps (rounded to whole epochs); default 300 steps. */
  epochs?: number;
  steps?: number;
  pretrainSteps: number;
  /** Peak rate; default the strategy's (those `pnpm bench finetune` uses). */
  lr?: number;
  /** Random shifts of up to this many pixels (not for the probe); default 2. */
  shift?: number;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu';
  quiet?: boolean;
}

export interface FinetuneSummary {
  task: 'fashion-mnist 0-4 -> 5-9';
  data: string;
  backend: BackendReport;
  strategy: FineTuneStrategy;
  cutAt: string;
  labelsPerClass: number;
  trainExamples: number;
  testExamples: number;
  weights: string;
  /** Accuracy on classes 0-4 of the pretrained net (null when loaded or for 'scratch'). */
  pretrainAccuracy: number | null;
  lr: number;
  shift: number;
  epochs: number;
  steps: number;
  seed: number;
  epochLoss: number[];
  /** Accuracy on the test images of classes 5-9. */
  testAccuracy: number;
  seconds: number;
  files: { summary: string; curves: string; model: string; pretrained?: string };
}

/** The defaults `pnpm bench finetune` chose per strategy (apps/bench/src/finetune.ts, DEFAULT_CONFIGS). */
export const DEFAULT_LR: Record<FineTuneStrategy, number> = {
  scratch: 3e-3,
  probe: 1e-2,
  full: 1e-3,
  gradual: 3e-3,
};
const BATCH = 64;
const DEFAULT_STEPS = 300;

function fail(message: string): never {
  throw new Error(message);
}

/** Checks the options that need no data: strategy, layer, lengths. */
export function checkFinetuneOptions(o: FinetuneCliOptions): void {
  if (!FINE_TUNE_STRATEGIES.includes(o.strategy))
    fail(`--strategy must be one of ${FINE_TUNE_STRATEGIES.join(', ')}, got '${o.strategy}'`);
  if (!(CUT_LAYERS as readonly string[]).includes(o.cutAt))
    fail(`--cut-at: no layer '${o.cutAt}' to cut at; valid layers: ${CUT_LAYERS.join(', ')}`);
  if (o.epochs !== undefined && o.steps !== undefined) fail('give --epochs or --steps, not both');
  if (o.weights !== undefined && !existsSync(o.weights)) fail(`--weights ${o.weights}: no such file`);
  if (o.weights !== undefined && !statSync(o.weights).isFile()) fail(`--weights ${o.weights}: not a file`);
  if (existsSync(o.out) && !statSync(o.out).isDirectory())
    fail(`--out ${o.out}: exists and is not a directory`);
}

interface Splits {
  train: ImageDataset;
  test: ImageDataset;
  source: string;
}

function pick(ds: ImageDataset, idx: ArrayLike<number>): ImageDataset {
  const px = ds.rows * ds.cols;
  const images = new Uint8Array(idx.length * px);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(ds.images.subarray(idx[i]! * px, (idx[i]! + 1) * px), i * px);
    labels[i] = ds.labels[idx[i]!]!;
  }
  return { images, labels, count: idx.length, rows: ds.rows, cols: ds.cols };
}

function loadSplits(data: string | undefined): Splits {
  if (data) {
    const s = {
      train: loadMnistSplit(data, 'train'),
      test: loadMnistSplit(data, 'test'),
      source: resolve(data),
    };
    for (const [name, ds] of [
      ['train', s.train],
      ['test', s.test],
    ] as const) {
      if (ds.count === 0) fail(`--data ${data}: the ${name} split has no images`);
      if (ds.rows !== 28 || ds.cols !== 28)
        fail(`--data ${data}: ${name} images are ${ds.rows}x${ds.cols}, not 28x28`);
    }
    return s;
  }
  const all = loadMnistSplit(embeddedDataDir(), 'test');
  // a fixed split (seed 0), so --seed changes the picks and the weights, never the test images
  const order = new Rng(0).permutation(all.count);
  const nTest = Math.round(all.count / 5);
  return {
    train: pick(all, order.subarray(nTest)),
    test: pick(all, order.subarray(0, nTest)),
    source: 'embedded Fashion-MNIST test split (80% train / 20% test)',
  };
}

/** Classes [from, from + 5) of `ds` (k per class drawn with `seed`, or all) as float images in [0, 1], labels - from. */
function classifierData(
  ds: ImageDataset,
  from: number,
  k: number | 'all',
  seed: number,
  what: string,
): ClassifierData {
  const rng = new Rng(seed);
  const idx: number[] = [];
  for (let c = from; c < from + 5; c++) {
    const pool: number[] = [];
    for (let i = 0; i < ds.count; i++) if (ds.labels[i] === c) pool.push(i);
    if (k === 'all') idx.push(...pool);
    else {
      if (pool.length < k)
        fail(
          `${what}: class ${c} has ${pool.length} image${pool.length === 1 ? '' : 's'}, fewer than --labels-per-class ${k}`,
        );
      const order = rng.permutation(pool.length);
      for (let i = 0; i < k; i++) idx.push(pool[order[i]!]!);
    }
  }
  if (idx.length === 0) fail(`${what}: no images of classes ${from}-${from + 4}`);
  const px = ds.rows * ds.cols;
  const x = new Float32Array(idx.length * px);
  idx.forEach((j, i) => {
    for (let p = 0; p < px; p++) x[i * px + p] = ds.images[j * px + p]! / 255;
  });
  return {
    x: tf.tensor4d(x, [idx.length, ds.rows, ds.cols, 1]),
    labels: Int32Array.from(idx, (j) => ds.labels[j]! - from),
  };
}

/** `data`, or a random `limit` of its examples when it has more (the rest could not be seen in the steps given). */
function atMost(data: ClassifierData, limit: number, seed: number): ClassifierData {
  if (data.labels.length <= limit) return data;
  const cut = subset(data, new Rng(seed).permutation(data.labels.length).subarray(0, limit));
  data.x.dispose();
  return cut;
}

/** Epochs of batches of min(64, n) closest to `steps` (at least one). */
export function epochsForSteps(n: number, steps: number): number {
  return Math.max(1, Math.round(steps / Math.ceil(n / Math.min(BATCH, n))));
}

const stepHook = (bar: () => Progress) => ({
  afterStep: (e: { metrics: Readonly<Record<string, number>> }) =>
    bar().tick({ loss: e.metrics.loss!.toFixed(4) }),
});

export async function finetuneCommand(o: FinetuneCliOptions): Promise<FinetuneSummary> {
  const started = performance.now();
  checkFinetuneOptions(o);
  const backend = await initBackend({ backend: o.backend });
  const splits = loadSplits(o.data);
  const tensors: tf.Tensor[] = [];
  const own = <T extends ClassifierData>(d: T) => {
    tensors.push(d.x);
    return d;
  };
  let net: Sequential | undefined;
  let model: Sequential | undefined;
  try {
    const dataB = own(classifierData(splits.train, 5, o.labelsPerClass, o.seed, 'training images'));
    const testB = own(classifierData(splits.test, 5, 'all', 0, 'test images'));
    net = finetuneConvnet(5, o.seed);
    let pretrainAccuracy: number | null = null;
    let pretrainedBytes: Uint8Array | undefined;
    let weights = 'none (scratch)';
    if (o.weights !== undefined) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(o.weights);
      } catch (e) {
        fail(`--weights ${o.weights}: ${(e as Error).message}`);
      }
      try {
        const report = loadSafetensors(net, bytes, { layout: o.layout, strict: true });
        if (report.ignored.length && !o.quiet)
          process.stderr.write(`--weights: ignored ${report.ignored.join(', ')}\n`);
      } catch (e) {
        fail(`--weights ${o.weights}: ${(e as Error).message}`);
      }
      weights = resolve(o.weights);
    } else if (o.strategy !== 'scratch') {
      const dataA = own(
        atMost(
          classifierData(splits.train, 0, 'all', 0, 'pretraining images'),
          o.pretrainSteps * BATCH,
          o.seed,
        ),
      );
      const testA = own(classifierData(splits.test, 0, 'all', 0, 'pretraining test images'));
      const epochs = epochsForSteps(dataA.labels.length, o.pretrainSteps);
      const steps = epochs * Math.ceil(dataA.labels.length / Math.min(BATCH, dataA.labels.length));
      const bar = progress('pretrain on classes 0-4', steps, o.quiet);
      fitClassifier({
        module: net,
        data: dataA,
        transform: adam(1e-3),
        epochs,
        batchSize: Math.min(BATCH, dataA.labels.length),
        seed: o.seed,
        hooks: [stepHook(() => bar)],
      });
      pretrainAccuracy = evaluateClassifier(net, testA).accuracy;
      bar.done(`accuracy on classes 0-4 ${(100 * pretrainAccuracy).toFixed(2)}%`);
      pretrainedBytes = checkpointToBytes({
        modules: { convnet: net },
        config: { classes: [0, 1, 2, 3, 4] },
      });
      weights = 'pretrained here on classes 0-4';
    }
    model = cutWithNewHead(net, o.cutAt, 5, o.seed + 1);
    net = undefined; // its layers live on in model (the cut-off ones are disposed)
    const n = dataB.labels.length;
    const batchSize = Math.min(BATCH, n);
    const epochs = o.epochs ?? epochsForSteps(n, o.steps ?? DEFAULT_STEPS);
    const steps = epochs * Math.ceil(n / batchSize);
    const lr = o.lr ?? DEFAULT_LR[o.strategy];
    const shift = o.strategy === 'probe' ? 0 : (o.shift ?? 2);
    const bar = progress(`${o.strategy} on classes 5-9`, steps, o.quiet);
    const result = fineTune(model, dataB, {
      strategy: o.strategy,
      epochs,
      batchSize,
      lr,
      seed: o.seed,
      augment: shift > 0 ? randomShift({ maxShift: shift, seed: o.seed }) : undefined,
      // gradual: one more group every sixth of the run, by epoch, or by step in a run of few epochs
      ...(epochs >= 6
        ? { unfreezeEvery: Math.floor(epochs / 6) }
        : { unfreezeEverySteps: Math.max(1, Math.floor(steps / 6)) }),
      hooks: [stepHook(() => bar)],
    });
    const testAccuracy = evaluateClassifier(model, testB).accuracy;
    bar.done(`accuracy on classes 5-9 ${(100 * testAccuracy).toFixed(2)}%`);
    const epochLoss = result.history.map((e) => e.means.loss!);

    mkdirSync(o.out, { recursive: true });
    const files: FinetuneSummary['files'] = {
      summary: join(o.out, 'summary.json'),
      curves: join(o.out, 'curves.png'),
      model: join(o.out, 'model.safetensors'),
    };
    if (pretrainedBytes) {
      files.pretrained = join(o.out, 'pretrained.safetensors');
      writeFileAtomic(files.pretrained, pretrainedBytes);
    }
    writeFileAtomic(
      files.model,
      checkpointToBytes({ modules: { model }, config: { cutAt: o.cutAt, strategy: o.strategy } }),
    );
    writeFileAtomic(
      files.curves,
      lineChartPng([{ name: 'training loss', x: epochLoss.map((_, i) => i + 1), y: epochLoss }], {
        title: `${o.strategy}, ${o.labelsPerClass} labels per class: ${(100 * testAccuracy).toFixed(1)}% on 5-9`,
        xLabel: 'epoch',
        yLabel: 'loss',
      }),
    );
    const summary: FinetuneSummary = {
      task: 'fashion-mnist 0-4 -> 5-9',
      data: splits.source,
      backend,
      strategy: o.strategy,
      cutAt: o.cutAt,
      labelsPerClass: o.labelsPerClass,
      trainExamples: n,
      testExamples: testB.labels.length,
      weights,
      pretrainAccuracy,
      lr,
      shift,
      epochs,
      steps,
      seed: o.seed,
      epochLoss,
      testAccuracy,
      seconds: (performance.now() - started) / 1000,
      files,
    };
    writeFileAtomic(files.summary, `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    net?.dispose();
    model?.dispose();
    tf.dispose(tensors);
  }
}
