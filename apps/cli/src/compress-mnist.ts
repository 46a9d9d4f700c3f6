// MNIST for `lab compress`: loading a limited split, training through core's runTrainingLoop with a
// progress bar (initial training, retraining with masks, centroid fine-tuning), and test error.
import { type Digits, digitErrorRate, trainOnDigits } from '@lab/compress';
import { Rng, type Sequential } from '@lab/core';
import { loadMnistSplit } from '@lab/core/node';
import type * as tf from '@tensorflow/tfjs-core';
import { progress } from './progress.js';

export type { Digits } from '@lab/compress';

/** The first `limit` images of a split of an MNIST-layout directory. */
export function loadDigits(dir: string, split: 'train' | 'test', limit?: number): Digits {
  const d = loadMnistSplit(dir, split);
  if (d.rows !== 28 || d.cols !== 28)
    throw new Error(`${dir}: ${split} images are ${d.rows}x${d.cols}, not 28x28`);
  const count = Math.min(d.count, limit ?? d.count);
  return { images: d.images.subarray(0, count * 784), labels: d.labels.subarray(0, count), count };
}

/** Fraction of `d` that `predict` gets wrong. */
export const errorRate = (d: Digits, predict: (x: tf.Tensor) => tf.Tensor): number =>
  digitErrorRate(d, predict);

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
  const bar = progress(o.label, o.epochs * Math.ceil(d.count / o.batchSize), o.quiet);
  let last = 0;
  trainOnDigits(model, d, params, apply, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    rng: new Rng(o.seed),
    onStep: (loss) => {
      last = loss;
      bar.tick({ loss: loss.toFixed(4) });
    },
  });
  bar.done(`${o.epochs} epochs, last loss ${last.toFixed(4)}`);
}
