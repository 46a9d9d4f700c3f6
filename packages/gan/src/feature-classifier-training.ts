// Training the feature classifier (Adam, softmax cross-entropy, through @lab/core's training loop)
// and its accuracy on labelled images.
import { adam, gradientStep, type ImageDataset, Optimizer, Rng, runTrainingLoop } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { Evaluator } from './feature-classifier.js';
import { imagesTensor } from './images.js';

export interface EvaluatorTrainingOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Called after every step with the running loss (progress bars). */
  onStep?: (info: { epoch: number; step: number; steps: number; loss: number }) => void;
}

/** Trains the evaluator and returns it with its metadata (the training settings) filled in. */
export function trainEvaluator(
  train: ImageDataset,
  { epochs = 4, batchSize = 128, lr = 2e-3, seed = 0, onStep }: EvaluatorTrainingOptions = {},
): Evaluator {
  const ev = new Evaluator({ seed });
  const vars = ev.parameters();
  const opt = new Optimizer(adam(lr), vars);
  const rng = new Rng(seed + 1);
  const steps = Math.ceil(train.count / batchSize);
  let order: Int32Array = new Int32Array(0);
  try {
    runTrainingLoop({
      epochs,
      stepsPerEpoch: () => {
        order = rng.permutation(train.count);
        return steps;
      },
      trainStep: (_step, { stepInEpoch: s }) => {
        const idx = order.subarray(s * batchSize, Math.min(train.count, (s + 1) * batchSize));
        const x = imagesTensor(train, idx);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Array.from(idx, (i) => train.labels[i]!),
              'int32',
            ),
            ev.classes,
          ),
        );
        try {
          const loss = gradientStep(
            opt,
            vars,
            () => tf.losses.softmaxCrossEntropy(y, ev.logits(x)) as tf.Scalar,
          );
          return { loss };
        } finally {
          // also when the step throws: the batch is not the loop's to free
          tf.dispose([x, y]);
        }
      },
      onStep: (e) => onStep?.({ epoch: e.epoch, step: e.stepInEpoch, steps, loss: e.metrics.loss! }),
    });
  } catch (e) {
    ev.dispose();
    throw e;
  } finally {
    opt.dispose();
  }
  ev.metadata = { epochs: String(epochs), batchSize: String(batchSize), lr: String(lr), seed: String(seed) };
  return ev;
}

/** Share of images whose predicted class equals the label. */
export function evaluatorAccuracy(ev: Evaluator, ds: ImageDataset, batch = 1000): number {
  let right = 0;
  for (let s = 0; s < ds.count; s += batch) {
    const idx = Array.from({ length: Math.min(batch, ds.count - s) }, (_, i) => s + i);
    const argmax = tf.tidy(() => tf.argMax(ev.logits(imagesTensor(ds, idx)), 1));
    const pred = argmax.dataSync();
    argmax.dispose();
    idx.forEach((j, i) => {
      if (pred[i] === ds.labels[j]) right++;
    });
  }
  return right / ds.count;
}
