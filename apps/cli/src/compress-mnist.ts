// MNIST for `lab compress`: loading a limited split, training through core's runTrainingLoop with a
// progress bar (initial training, retraining with masks, centroid fine-tuning), and test error.
import { Rng, runTrainingLoop, type Sequential, valueAndGrads } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { progress } from './progress.js';

export interface Digits {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The first `limit` images of a split of an MNIST-layout directory. */
export function loadDigits(dir: string, split: 'train' | 'test', limit?: number): Digits {
  const d = loadMnistSplit(dir, split);
  if (d.rows !== 28 || d.cols !== 28)
    throw new Error(`${dir}: ${split} images are ${d.rows}x${d.cols}, not 28x28`);
  const count = Math.min(d.count, limit ?? d.count);
  return { images: d.images.subarray(0, count * 784), labels: d.labels.subarray(0, count), count };
}

export function digitBatch(d: Digits, idx: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = idx.length;
  const x = new Float32Array(n * 784);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    for (let p = 0; p < 784; p++) x[i * 784 + p] = d.images[j * 784 + p]! / 255;
    y[i * 10 + d.labels[j]!] = 1;
  }
  return { x: tf.tensor4d(x, [n, 28, 28, 1]), y: tf.tensor2d(y, [n, 10]) };
}

/** Fraction of `d` that `predict` gets wrong. */
export function errorRate(d: Digits, predict: (x: tf.Tensor) => tf.Tensor): number {
  let wrong = 0;
  for (let start = 0; start < d.count; start += 500) {
    const idx = Int32Array.from({ length: Math.min(500, d.count - start) }, (_, i) => start + i);
    const { x, y } = digitBatch(d, idx);
    const logits = predict(x);
    wrong += tf.tidy(
      () => tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), tf.argMax(y, 1)), 'int32')).dataSync()[0]!,
    );
    tf.dispose([x, y, logits]);
  }
  return d.count === 0 ? 0 : wrong / d.count;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  label: string;
  quiet: boolean;
}

/** Minibatch epochs over `d`: cross-entropy gradients of `params`, handed to `apply`. */
export function fit(
  model: Sequential,
  d: Digits,
  params: Record<string, tf.Variable>,
  apply: (grads: Record<string, tf.Tensor>) => void,
  o: FitOptions,
): void {
  if (o.epochs === 0) return;
  const rng = new Rng(o.seed);
  const steps = Math.ceil(d.count / o.batchSize);
  const bar = progress(o.label, o.epochs * steps, o.quiet);
  let order: Int32Array = new Int32Array(0);
  let last = 0;
  runTrainingLoop({
    epochs: o.epochs,
    stepsPerEpoch: () => {
      order = rng.permutation(d.count);
      return steps;
    },
    trainStep: (_s, { stepInEpoch }) => {
      const { x, y } = digitBatch(
        d,
        order.subarray(stepInEpoch * o.batchSize, (stepInEpoch + 1) * o.batchSize),
      );
      const loss = tf.tidy(() => {
        const { value, grads } = valueAndGrads(
          () => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar,
          params,
        );
        apply(grads);
        return value.dataSync()[0]!;
      });
      tf.dispose([x, y]);
      last = loss;
      bar.tick({ loss: loss.toFixed(4) });
      return { loss };
    },
  });
  bar.done(`${o.epochs} epochs, last loss ${last.toFixed(4)}`);
}
