// Logits of a model over a data set in batches (eval mode), and error counts from them, as plain
// arrays: the distillation tables count test errors, overall and on one class.
import type { Module } from '@lab/core';
import { slice, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { withMode } from './teacher.js';

/** The model's logits for x [n, ...] in eval mode, row-major [n, classes]. */
export function logitsOf(model: Module, x: Tensor, batchSize = 1000): Float32Array {
  const n = x.shape[0]!;
  let out: Float32Array | undefined;
  withMode(model, false, () => {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const logits = tidy(() => model.forward(slice(x, [start], [size])));
      const values = logits.dataSync() as Float32Array;
      logits.dispose();
      const classes = values.length / size;
      out ??= new Float32Array(n * classes);
      out.set(values, start * classes);
    }
  });
  return out ?? new Float32Array(0);
}

/** argmax of each row of [n, classes] (the first on ties). */
export function argmaxRows(values: ArrayLike<number>, classes: number): Int32Array {
  const n = Math.floor(values.length / classes);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[i * classes + c]! > values[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}

export interface ErrorCounts {
  errors: number;
  count: number;
  /** Per true class: errors and examples. */
  errorsByClass: Int32Array;
  countByClass: Int32Array;
}

/** Errors of predictions against labels. */
export function errorCounts(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): ErrorCounts {
  if (predictions.length !== labels.length)
    throw new RangeError(`errorCounts: ${predictions.length} predictions for ${labels.length} labels`);
  const errorsByClass = new Int32Array(classes);
  const countByClass = new Int32Array(classes);
  let errors = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes)
      throw new RangeError(`errorCounts: label ${i} is ${y}, not in [0, ${classes})`);
    countByClass[y]!++;
    if (predictions[i] !== y) {
      errors++;
      errorsByClass[y]!++;
    }
  }
  return { errors, count: labels.length, errorsByClass, countByClass };
}
