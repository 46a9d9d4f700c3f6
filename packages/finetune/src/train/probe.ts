// The linear probe: the frozen body's features are computed once, and only the head trains, on the
// cached features. The same head as training through the frozen body every step, for a fraction of
// the work (the body runs once per example instead of once per example per epoch).
import type { GradientTransformation, Module, Schedule, TrainingHook } from '@lab/core';
import { concat, gather, type Tensor, tensor1d, tidy } from '@tensorflow/tfjs-core';
import { type ClassifierData, checkClassifierData } from './data.js';
import { type FitResult, fitClassifier } from './fit.js';

/**
 * body(x) in inference mode (BatchNorm on running statistics, no dropout), in batches, with no
 * gradient taped; returns one new tensor the caller disposes. The body's mode is restored.
 */
export function extractFeatures(body: Module, x: Tensor, { batchSize = 256 } = {}): Tensor {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`extractFeatures: batchSize must be a whole number >= 1, got ${batchSize}`);
  const n = x.shape[0]!;
  if (!(n > 0)) throw new RangeError('extractFeatures: no examples');
  const wasTraining = body.training;
  body.eval();
  try {
    return tidy(() => {
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const idx = tensor1d(
          Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i),
          'int32',
        );
        parts.push(body.forward(gather(x, idx)));
      }
      return parts.length === 1 ? parts[0]! : concat(parts, 0);
    });
  } finally {
    body.train(wasTraining);
  }
}

export interface LinearProbeOptions {
  /** The pretrained feature extractor; it is not changed. */
  body: Module;
  /** The new head, trained on body(x). */
  head: Module;
  data: ClassifierData;
  transform: GradientTransformation<any>;
  epochs: number;
  batchSize?: number;
  seed?: number;
  validation?: ClassifierData;
  hooks?: readonly TrainingHook[];
  schedules?: Readonly<Record<string, Schedule>>;
  /** Batch size of the one pass that extracts features (default 256). */
  featureBatchSize?: number;
}

/** Trains `head` on the cached features of `body`; validation (if given) is scored on its features too. */
export function linearProbe(o: LinearProbeOptions): FitResult {
  checkClassifierData(o.data, 'linearProbe');
  if (o.validation) checkClassifierData(o.validation, 'linearProbe validation');
  const opts = { batchSize: o.featureBatchSize ?? 256 };
  const features = extractFeatures(o.body, o.data.x, opts);
  const validationFeatures = o.validation ? extractFeatures(o.body, o.validation.x, opts) : undefined;
  try {
    return fitClassifier({
      module: o.head,
      data: { x: features, labels: o.data.labels },
      validation: validationFeatures && { x: validationFeatures, labels: o.validation!.labels },
      transform: o.transform,
      epochs: o.epochs,
      batchSize: o.batchSize,
      seed: o.seed,
      hooks: o.hooks,
      schedules: o.schedules,
    });
  } finally {
    features.dispose();
    validationFeatures?.dispose();
  }
}
