// 28x28 digit images (MNIST, Fashion-MNIST) as the compression pipeline trains and scores them: one-hot
// batches scaled to [0, 1], the test error of any predictor, and minibatch epochs of cross-entropy on
// core's runTrainingLoop whose gradients the caller applies (plain, keeping pruned weights at zero, or
// summed per shared centroid). `pnpm bench deep-compression` and `lab compress` share them.
import { type Rng, runTrainingLoop, type Sequential, valueAndGrads } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Images (uint8, 784 per example) with their labels 0-9. */
export interface Digits {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

const PIXELS = 28 * 28;
const CLASSES = 10;

/** Examples `idx` of `d` as NHWC images in [0, 1] and one-hot labels (tensors the caller owns). */
export function digitBatch(d: Digits, idx: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = idx.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    if (!(Number.isInteger(j) && j >= 0 && j < d.count))
      throw new RangeError(`digitBatch: example ${j} is not in [0, ${d.count})`);
    const label = d.labels[j]!;
    if (label >= CLASSES) throw new RangeError(`digitBatch: example ${j} has label ${label}, not 0-9`);
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = d.images[j * PIXELS + p]! / 255;
    y[i * CLASSES + label] = 1;
  }
  return { x: tf.tensor4d(x, [n, 28, 28, 1]), y: tf.tensor2d(y, [n, CLASSES]) };
}

/** The fraction of `d` whose argmax of `predict` is not the label (0 for an empty set). */
export function digitErrorRate(d: Digits, predict: (x: tf.Tensor) => tf.Tensor, batchSize = 500): number {
  let wrong = 0;
  for (let start = 0; start < d.count; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, d.count - start) }, (_, i) => start + i);
    const { x, y } = digitBatch(d, idx);
    const logits = predict(x);
    wrong += tf.tidy(
      () => tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), tf.argMax(y, 1)), 'int32')).dataSync()[0]!,
    );
    tf.dispose([x, y, logits]);
  }
  return d.count === 0 ? 0 : wrong / d.count;
}

export interface DigitTrainingOptions {
  epochs: number;
  batchSize: number;
  /** Draws each epoch's order. */
  rng: Rng;
  /** After each step, with its loss. */
  onStep?: (loss: number) => void;
  /** After each epoch: its index, mean loss and milliseconds. */
  onEpoch?: (epoch: number, meanLoss: number, ms: number) => void;
}

/**
 * Minibatch epochs over `d` (a fresh permutation each epoch): the softmax cross-entropy gradients of
 * `params`, handed to `apply` inside the step's tidy.
 */
export function trainOnDigits(
  model: Sequential,
  d: Digits,
  params: Record<string, tf.Variable>,
  apply: (grads: Record<string, tf.Tensor>) => void,
  o: DigitTrainingOptions,
): void {
  if (o.epochs === 0 || d.count === 0) return;
  const steps = Math.ceil(d.count / o.batchSize);
  let order: Int32Array = new Int32Array(0);
  runTrainingLoop({
    epochs: o.epochs,
    stepsPerEpoch: () => {
      order = o.rng.permutation(d.count);
      return steps;
    },
    trainStep: (_step, { stepInEpoch }) => {
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
      o.onStep?.(loss);
      return { loss };
    },
    onEpoch: (e) => o.onEpoch?.(e.epoch, e.means.loss!, e.ms),
  });
}
