// Mode collapse, detected the same way on both sides from the samples the FD is computed from: the
// spread of the samples' evaluator features (half their mean squared pairwise distance over all pairs,
// i.e. the trace of their covariance) as a fraction of the real test images' spread. Identical samples
// give 0, real images about 1.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Below this fraction of the real spread a run counts as collapsed. Measured on the shipped evaluator:
 * one real Fashion-MNIST class alone spreads 0.17 (sneakers) to 0.47 (shirts) of the whole test set,
 * copies of one test image with pixel noise (sd 0.05 to 0.2) 0.01 to 0.07, uniform noise 0.08. Below
 * every single real class means the samples look alike.
 */
export const COLLAPSE_THRESHOLD = 0.15;

export const COLLAPSE_RULE =
  `collapsed when the spread of the samples' evaluator features (trace of their covariance = half the mean ` +
  `squared pairwise distance) is below ${COLLAPSE_THRESHOLD} of the real test images' ` +
  `(one real class alone: 0.17-0.47)`;

/** The trace of the features' covariance (1/n): half the mean squared distance over all ordered pairs. */
export function featureSpread(features: tf.Tensor2D): number {
  if (features.shape[0] < 2)
    throw new RangeError(`featureSpread: needs 2 or more samples, got ${features.shape[0]}`);
  return tf.tidy(() => tf.sum(tf.moments(features, 0).variance).dataSync()[0]!);
}

/** Whether a run whose features spread `ratio` of the real images' collapsed (null: not measured). */
export function isCollapsed(ratio: number | null | undefined): boolean | null {
  if (ratio == null || !Number.isFinite(ratio)) return null;
  return ratio < COLLAPSE_THRESHOLD;
}

/** Seeds on which a side collapsed, out of the seeds where that side ran (null when it never ran). */
export function collapseCount(
  ratios: readonly (number | null | undefined)[],
): { collapsed: number; of: number } | null {
  const judged = ratios.map(isCollapsed).filter((c): c is boolean => c !== null);
  return judged.length ? { collapsed: judged.filter(Boolean).length, of: judged.length } : null;
}
