// WGAN training conveniences: the papers' defaults and schedules, the DRAGAN penalty, Lipschitz
// diagnostics and the Spearman correlation used to relate the Wasserstein estimate to sample quality.
import * as tf from '@tensorflow/tfjs-core';
import { perSampleGradientNorms } from './losses.js';

/** WGAN with weight clipping (Arjovsky et al. 2017, Algorithm 1). */
export const WGAN_DEFAULTS = {
  clip: 0.01,
  learningRate: 5e-5,
  optimizer: 'rmsprop',
  nCritic: 5,
  batchSize: 64,
} as const;
/** WGAN-GP (Gulrajani et al. 2017, Algorithm 1). */
export const WGAN_GP_DEFAULTS = {
  lambda: 10,
  learningRate: 1e-4,
  b1: 0,
  b2: 0.9,
  nCritic: 5,
  batchSize: 64,
} as const;

/**
 * Critic iterations before generator step `g` (0-based). 'paper' is a constant nCritic; 'reference'
 * is the reference code's schedule: 100 for the first 25 generator steps and every 500th, else nCritic.
 */
export function criticIterations(
  g: number,
  { schedule = 'paper', nCritic = 5 }: { schedule?: 'paper' | 'reference'; nCritic?: number } = {},
): number {
  if (schedule === 'reference' && (g < 25 || g % 500 === 0)) return 100;
  return nCritic;
}

/**
 * DRAGAN's penalty (Kodali et al. 2017): lambda * E[(||grad f(x + delta)|| - 1)^2] with perturbations
 * delta = c * std(x) * U[0, 1) around the real data only.
 */
export function draganPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  { lambda = 10, c = 0.5, seed }: { lambda?: number; c?: number; seed?: number } = {},
): tf.Tensor {
  return tf.tidy(() => {
    const { variance } = tf.moments(real);
    const delta = tf.mul(tf.mul(c, tf.sqrt(variance)), tf.randomUniform(real.shape, 0, 1, 'float32', seed));
    const norms = perSampleGradientNorms(critic, tf.add(real, delta));
    return tf.mul(lambda, tf.mean(tf.square(tf.sub(norms, 1))));
  });
}

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

/** Spearman's rank correlation, with average ranks for ties. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`a has ${a.length} values but b has ${b.length}`);
  if (a.length < 2) throw new RangeError('spearman needs at least two pairs');
  const ranks = (x: ArrayLike<number>) => {
    const idx = Array.from({ length: x.length }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
    const r = new Array<number>(x.length);
    for (let k = 0; k < idx.length; ) {
      let e = k;
      while (e + 1 < idx.length && x[idx[e + 1]!] === x[idx[k]!]) e++;
      for (let m = k; m <= e; m++) r[idx[m]!] = (k + e) / 2 + 1;
      k = e + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return da === 0 || db === 0 ? Number.NaN : num / Math.sqrt(da * db);
}
