// Distances between two sets of feature vectors (a classifier's features of real and generated
// images): the Fréchet distance (FID's formula) and the unbiased kernel distance (KID) with its
// standard error.
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
