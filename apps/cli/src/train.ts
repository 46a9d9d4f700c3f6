// `lab train`: a small convnet classifier on Fashion-MNIST (embedded test split by default).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  adam,
  type BackendReport,
  Conv2d,
  curvesSvg,
  Dense,
  Flatten,
  gradientStep,
  type ImageDataset,
  imageGridPng,
  initBackend,
  Optimizer,
  ReLU,
  Rng,
  runTrainingLoop,
  Sequential,
} from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import { FASHION_MNIST_CLASSES } from '@lab/gan';
import * as tf from '@tensorflow/tfjs-core';
import { embeddedDataDir } from './data.js';
import { type Progress, progress } from './progress.js';

export interface TrainOptions {
  /** MNIST-layout directory with train and test splits; default: the embedded test split, held out 10%. */
  data?: string;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  out: string;
  backend: 'wasm' | 'cpu';
  /** Use at most this many training examples (quick runs, CI). */
  limit?: number;
  quiet?: boolean;
}

export interface TrainSummary {
  task: 'fashion-mnist-classifier';
  data: string;
  backend: BackendReport;
  seed: number;
  epochs: number;
  batchSize: number;
  trainExamples: number;
  validationExamples: number;
  parameters: number;
  epochLoss: number[];
  validationAccuracy: number[];
  seconds: number;
  msPerStep: number;
  /** tf.memory().numTensors after each epoch: flat when the loop leaks nothing. */
  tensorsAfterEpoch: number[];
  files: { predictions: string; curves: string; summary: string };
}

function subset(ds: ImageDataset, idx: ArrayLike<number>): ImageDataset {
  const px = ds.rows * ds.cols;
  const images = new Uint8Array(idx.length * px);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    images.set(ds.images.subarray(j * px, (j + 1) * px), i * px);
    labels[i] = ds.labels[j]!;
  }
  return { images, labels, count: idx.length, rows: ds.rows, cols: ds.cols };
}

function batchTensors(ds: ImageDataset, idx: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const px = ds.rows * ds.cols;
  const xs = new Float32Array(idx.length * px);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    for (let k = 0; k < px; k++) xs[i * px + k] = ds.images[j * px + k]! / 255;
    labels[i] = ds.labels[j]!;
  }
  return tf.tidy(() => ({
    x: tf.tensor4d(xs, [idx.length, ds.rows, ds.cols, 1]),
    y: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32') as tf.Tensor2D,
  }));
}

export function buildClassifier(rng: Rng): Sequential {
  return new Sequential(
    [
      new Conv2d(1, 16, 5, { stride: 2, rng, name: 'conv1' }),
      ReLU(),
      new Conv2d(16, 32, 5, { stride: 2, rng, name: 'conv2' }),
      ReLU(),
      Flatten(),
      new Dense(7 * 7 * 32, 10, { rng, name: 'head' }),
    ],
    'classifier',
  );
}

function accuracy(
  model: Sequential,
  ds: ImageDataset,
  batch: number,
): { acc: number; predictions: Int32Array } {
  model.eval();
  const predictions = new Int32Array(ds.count);
  let right = 0;
  for (let s = 0; s < ds.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, ds.count - s) }, (_, i) => s + i);
    const pred = tf.tidy(() => {
      const { x } = batchTensors(ds, idx);
      return tf.argMax(model.forward(x), 1).dataSync() as Int32Array;
    });
    pred.forEach((p, i) => {
      predictions[s + i] = p;
      if (p === ds.labels[s + i]) right++;
    });
  }
  model.train();
  return { acc: right / ds.count, predictions };
}

export async function trainClassifier(opts: TrainOptions): Promise<TrainSummary> {
  const started = performance.now();
  const backend = await initBackend({ backend: opts.backend });
  const rng = new Rng(opts.seed);
  let train: ImageDataset;
  let valid: ImageDataset;
  let source: string;
  if (opts.data) {
    train = loadMnistSplit(opts.data, 'train');
    valid = loadMnistSplit(opts.data, 'test');
    source = resolve(opts.data);
  } else {
    const all = loadMnistSplit(embeddedDataDir(), 'test');
    const order = rng.permutation(all.count);
    const nValid = Math.round(all.count / 10);
    valid = subset(all, order.subarray(0, nValid));
    train = subset(all, order.subarray(nValid));
    source = 'embedded Fashion-MNIST test split (90% train / 10% validation)';
  }
  if (opts.limit !== undefined && opts.limit < train.count) {
    train = subset(
      train,
      Array.from({ length: opts.limit }, (_, i) => i),
    );
  }
  const model = buildClassifier(rng);
  const vars = model.trainableParameters();
  const optimizer = new Optimizer(adam(opts.lr), vars);
  const stepsPerEpoch = Math.ceil(train.count / opts.batchSize);
  const epochLoss: number[] = [];
  const validationAccuracy: number[] = [];
  const tensorsAfterEpoch: number[] = [];
  let order: Int32Array = new Int32Array(0);
  let bar: Progress | undefined;
  let trainMs = 0;
  const { stepsDone } = runTrainingLoop({
    epochs: opts.epochs,
    stepsPerEpoch: () => {
      order = rng.permutation(train.count);
      return stepsPerEpoch;
    },
    trainStep: (_step, { stepInEpoch: s }) => {
      const idx = order.subarray(s * opts.batchSize, Math.min(train.count, (s + 1) * opts.batchSize));
      const { x, y } = batchTensors(train, idx);
      const loss = gradientStep(
        optimizer,
        vars,
        () => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar,
      );
      tf.dispose([x, y]);
      return { loss };
    },
    validate: () => ({ accuracy: accuracy(model, valid, 500).acc }),
    hooks: [
      {
        beforeEpoch: (epoch, steps) => {
          bar = progress(`epoch ${epoch + 1}/${opts.epochs}`, steps, opts.quiet);
        },
        afterEpoch: (e) => {
          const loss = e.means.loss!;
          const acc = e.validation!.accuracy!;
          epochLoss.push(loss);
          validationAccuracy.push(acc);
          tensorsAfterEpoch.push(tf.memory().numTensors);
          bar!.done(`loss ${loss.toFixed(4)}  validation accuracy ${(100 * acc).toFixed(2)}%`);
        },
      },
    ],
    onStep: (e) => {
      trainMs += e.ms;
      bar!.tick({ loss: e.metrics.loss!.toFixed(4) });
    },
  });

  mkdirSync(opts.out, { recursive: true });
  const show = Math.min(64, valid.count);
  const { predictions } = accuracy(
    model,
    subset(
      valid,
      Array.from({ length: show }, (_, i) => i),
    ),
    show,
  );
  const pixels = Float32Array.from(valid.images.subarray(0, show * valid.rows * valid.cols), (v) => v / 255);
  const frames = Array.from(predictions, (p, i) =>
    p === valid.labels[i]
      ? ([40, 180, 60] as [number, number, number])
      : ([220, 40, 40] as [number, number, number]),
  );
  const files = {
    predictions: join(opts.out, 'predictions.png'),
    curves: join(opts.out, 'curves.svg'),
    summary: join(opts.out, 'summary.json'),
  };
  writeFileSync(
    files.predictions,
    imageGridPng(pixels, [show, valid.rows, valid.cols, 1], {
      range: [0, 1],
      columns: 8,
      padding: 2,
      frames,
    }),
  );
  writeFileSync(
    files.curves,
    curvesSvg(
      [
        { name: 'training loss', values: epochLoss, steps: epochLoss.map((_, i) => i + 1) },
        {
          name: 'validation error',
          values: validationAccuracy.map((a) => 1 - a),
          steps: epochLoss.map((_, i) => i + 1),
        },
      ],
      { title: 'Fashion-MNIST classifier' },
    ),
  );
  const summary: TrainSummary = {
    task: 'fashion-mnist-classifier',
    data: source,
    backend,
    seed: opts.seed,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    trainExamples: train.count,
    validationExamples: valid.count,
    parameters: model.paramCount(),
    epochLoss,
    validationAccuracy,
    seconds: (performance.now() - started) / 1000,
    msPerStep: trainMs / Math.max(1, stepsDone),
    tensorsAfterEpoch,
    files,
  };
  writeFileSync(
    files.summary,
    `${JSON.stringify({ ...summary, classes: FASHION_MNIST_CLASSES }, null, 2)}\n`,
  );
  optimizer.dispose();
  model.dispose();
  return summary;
}
