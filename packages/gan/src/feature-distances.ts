// Sample quality metrics on features of a classifier: Fréchet distance (FID-style) and the unbiased
// kernel distance (KID) with its standard error; mode coverage on 2-D toy mixtures.
import { Rng } from '@lab/core';
import { w2Gaussian } from '@lab/divergences';
import * as tf from '@tensorflow/tfjs-core';

/** Rows of a [n, d] tensor or number[][] as a plain matrix. */
function rows(x: tf.Tensor2D | number[][], name: string): number[][] {
  const m = Array.isArray(x) ? x : (x.arraySync() as number[][]);
  if (m.length < 2) throw new RangeError(`${name} needs at least 2 feature vectors, got ${m.length}`);
  const d = m[0]!.length;
  m.forEach((r, i) => {
    if (r.length !== d) throw new RangeError(`${name}[${i}] has ${r.length} features, expected ${d}`);
  });
  return m;
}

function meanCov(m: number[][]): { mean: number[]; cov: number[][] } {
  const n = m.length;
  const d = m[0]!.length;
  const mean = new Array(d).fill(0);
  for (const r of m) for (let j = 0; j < d; j++) mean[j] += r[j]! / n;
  const cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (const r of m) {
    for (let i = 0; i < d; i++) {
      const ci = r[i]! - mean[i]!;
      for (let j = i; j < d; j++) cov[i]![j] += (ci * (r[j]! - mean[j]!)) / (n - 1);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[i]![j] = cov[j]![i]!;
  return { mean, cov };
}

/**
 * Fréchet distance between Gaussians fitted to two feature sets:
 * |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)), the squared 2-Wasserstein distance (FID's formula).
 */
export function frechetDistance(a: tf.Tensor2D | number[][], b: tf.Tensor2D | number[][]): number {
  const A = rows(a, 'a');
  const B = rows(b, 'b');
  if (A[0]!.length !== B[0]!.length)
    throw new RangeError(`a has ${A[0]!.length} features but b has ${B[0]!.length}`);
  const pa = meanCov(A);
  const pb = meanCov(B);
  // a tiny ridge keeps rank-deficient sample covariances positive definite
  const ridge = (c: number[][]) => c.map((r, i) => r.map((v, j) => (i === j ? v + 1e-10 : v)));
  return w2Gaussian({ mean: pa.mean, cov: ridge(pa.cov) }, { mean: pb.mean, cov: ridge(pb.cov) }) ** 2;
}

export interface KidOptions {
  subsets?: number;
  subsetSize?: number;
  seed?: number;
}

/**
 * Kernel (inception) distance: the unbiased MMD^2 with the cubic polynomial kernel
 * k(x, y) = (x.y / d + 1)^3, averaged over random subsets, with its standard error.
 */
export function kernelDistance(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  { subsets = 10, subsetSize = 1000, seed = 0 }: KidOptions = {},
): { mean: number; stdError: number } {
  const d = a.shape[1];
  if (b.shape[1] !== d) throw new RangeError(`a has ${d} features but b has ${b.shape[1]}`);
  const m = Math.min(subsetSize, a.shape[0], b.shape[0]);
  if (m < 2) throw new RangeError('kernelDistance needs at least 2 samples in each set');
  const rng = new Rng(seed);
  const pick = (n: number) => tf.tensor1d(rng.permutation(n).subarray(0, m), 'int32');
  const values: number[] = [];
  for (let k = 0; k < subsets; k++) {
    const v = tf.tidy(() => {
      const x = tf.gather(a, pick(a.shape[0]));
      const y = tf.gather(b, pick(b.shape[0]));
      const kern = (p: tf.Tensor, q: tf.Tensor) =>
        tf.pow(tf.add(tf.div(tf.matMul(p, q, false, true), d), 1), 3);
      const kxx = kern(x, x);
      const kyy = kern(y, y);
      const kxy = kern(x, y);
      const offDiag = (t: tf.Tensor) => tf.sub(tf.sum(t), tf.sum(tf.mul(t, tf.eye(m))));
      const mmd = tf.sub(
        tf.div(tf.add(offDiag(kxx), offDiag(kyy)), m * (m - 1)),
        tf.div(tf.mul(2, tf.sum(kxy)), m * m),
      );
      return mmd.dataSync()[0]!;
    });
    values.push(v);
  }
  const mean = values.reduce((x, y) => x + y, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((x, y) => x + (y - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, stdError: Math.sqrt(variance / values.length) };
}

export interface ToyMixture {
  name: string;
  centers: [number, number][];
  std: number;
}

/** The 8 Gaussians on a ring of radius 2 (std 0.02), as in the unrolled-GAN and VEEGAN papers. */
export const ring8 = (radius = 2, std = 0.02): ToyMixture => ({
  name: 'ring8',
  centers: Array.from({ length: 8 }, (_, k) => [
    radius * Math.cos((2 * Math.PI * k) / 8),
    radius * Math.sin((2 * Math.PI * k) / 8),
  ]),
  std,
});

/** The 25 Gaussians on a 5x5 grid at -4..4 (std 0.05), as in the PacGAN and VEEGAN papers. */
export const grid25 = (std = 0.05): ToyMixture => ({
  name: 'grid25',
  centers: Array.from(
    { length: 25 },
    (_, k) => [-4 + 2 * (k % 5), -4 + 2 * Math.floor(k / 5)] as [number, number],
  ),
  std,
});

/** n samples from a toy mixture (uniform over modes), as an [n, 2] tensor. */
export function sampleMixture(mix: ToyMixture, n: number, seed = 0): tf.Tensor2D {
  const rng = new Rng(seed);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = mix.centers[rng.int(mix.centers.length)]!;
    out[2 * i] = c[0] + mix.std * rng.normal();
    out[2 * i + 1] = c[1] + mix.std * rng.normal();
  }
  return tf.tensor2d(out, [n, 2]);
}

export interface ModeReport {
  /** Modes with at least `minPerMode` high-quality samples. */
  modesCovered: number;
  modes: number;
  /** Share of samples within `qualityStd` standard deviations of their nearest mode. */
  highQuality: number;
  perMode: number[];
}

/** Mode coverage and sample quality on a toy mixture (defaults: within 3 std, 1% of samples per mode). */
export function modeCoverage(
  samples: tf.Tensor2D | number[][],
  mix: ToyMixture,
  { qualityStd = 3, minShare = 0.01 }: { qualityStd?: number; minShare?: number } = {},
): ModeReport {
  const pts = Array.isArray(samples) ? samples : (samples.arraySync() as number[][]);
  const perMode = new Array(mix.centers.length).fill(0);
  let good = 0;
  for (const [x, y] of pts as [number, number][]) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    mix.centers.forEach(([cx, cy], k) => {
      const dd = Math.hypot(x - cx, y - cy);
      if (dd < bestD) [best, bestD] = [k, dd];
    });
    if (bestD <= qualityStd * mix.std) {
      good++;
      perMode[best]++;
    }
  }
  const minPerMode = Math.max(1, Math.ceil(minShare * pts.length));
  return {
    modesCovered: perMode.filter((c) => c >= minPerMode).length,
    modes: mix.centers.length,
    highQuality: good / Math.max(1, pts.length),
    perMode,
  };
}
