// Dropout as an ensemble (Srivastava et al.; Hinton et al.'s "dark knowledge" notes): a net trained
// with dropout holds 2^units thinned sub-networks sharing weights. The weight-scaled net (eval mode,
// which inverted dropout already scales) approximates their geometric mean; this measures it against
// the average of k sampled sub-networks. Masks are drawn per example, as training draws them, so each
// test example sees its own k sub-networks (the expected error is that of k shared masks).
import type { Module } from '@lab/core';
import { add, argMax, dispose, slice, softmax, type Tensor, tidy } from '@tensorflow/tfjs-core';
import { errorCounts } from './evaluate.js';
import { type EnsembleSpace, withMode } from './teacher.js';

export interface DropoutEnsembleOptions {
  /** Ensemble sizes to report, in increasing order. Default [1, 10, 100]. */
  ks?: readonly number[];
  /** Average probabilities (default) or logits. */
  space?: EnsembleSpace;
  batchSize?: number;
}

export interface DropoutEnsembleRow {
  /** 0 for the weight-scaled net. */
  k: number;
  errors: number;
  errorRate: number;
}

/** Test errors of the weight-scaled net (k = 0 row first) and of averages of k sampled sub-networks. */
export function dropoutEnsembleErrors(
  model: Module,
  x: Tensor,
  labels: ArrayLike<number>,
  { ks = [1, 10, 100], space = 'probabilities', batchSize = 500 }: DropoutEnsembleOptions = {},
): DropoutEnsembleRow[] {
  if (ks.length === 0 || ks.some((k, i) => !Number.isInteger(k) || k < 1 || (i > 0 && k <= ks[i - 1]!)))
    throw new RangeError(`ks must be increasing whole numbers >= 1, got [${ks.join(', ')}]`);
  if (space !== 'logits' && space !== 'probabilities')
    throw new RangeError(`space must be 'logits' or 'probabilities', got '${space}'`);
  const n = x.shape[0]!;
  if (labels.length !== n)
    throw new RangeError(`dropoutEnsembleErrors: ${labels.length} labels for ${n} inputs`);
  const predictions = [new Int32Array(n), ...ks.map(() => new Int32Array(n))];
  const maxK = ks[ks.length - 1]!;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const xb = slice(x, [start], [size]);
    try {
      const scaled = withMode(model, false, () => tidy(() => argMax(model.forward(xb), 1)));
      predictions[0]!.set(scaled.dataSync(), start);
      scaled.dispose();
      let acc: Tensor | undefined;
      withMode(model, true, () => {
        for (let s = 1; s <= maxK; s++) {
          const next = tidy(() => {
            const logits = model.forward(xb);
            const term = space === 'logits' ? logits : softmax(logits);
            return acc ? add(acc, term) : term;
          });
          acc?.dispose();
          acc = next;
          const at = ks.indexOf(s);
          if (at >= 0) {
            const p = argMax(acc, 1);
            predictions[at + 1]!.set(p.dataSync(), start);
            p.dispose();
          }
        }
      });
      dispose(acc);
    } finally {
      xb.dispose();
    }
  }
  const classes = Math.max(...Array.from(labels)) + 1;
  return [0, ...ks].map((k, i) => {
    const { errors } = errorCounts(predictions[i]!, labels, classes);
    return { k, errors, errorRate: errors / n };
  });
}
