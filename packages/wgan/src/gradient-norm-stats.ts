// Lipschitz diagnostics: how far a critic's per-sample gradient norms are from 1.
import * as tf from '@tensorflow/tfjs-core';
import { perSampleGradientNorms } from './losses.js';

export interface NormStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** 10%, 50% and 90% quantiles. */
  q10: number;
  median: number;
  q90: number;
}

/** Per-sample gradient norms ||grad_x f(x_i)||_2 of the critic at a batch, summarised. */
export function gradientNormStats(
  critic: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
): NormStats & { norms: Float32Array } {
  const norms = tf.tidy(() => perSampleGradientNorms(critic, x).dataSync() as Float32Array);
  const sorted = Float32Array.from(norms).sort();
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, sorted.length - 1));
  return {
    norms,
    mean,
    std,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    q10: q(0.1),
    median: q(0.5),
    q90: q(0.9),
  };
}
