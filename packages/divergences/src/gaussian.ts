// Closed forms between Gaussians: univariate, and multivariate with diagonal or full covariance.
// Plain float64 arithmetic on small dense matrices (row-major number[][]).
import { choleskySolve, cholesky as coreCholesky, Rng, symmetricEigen } from '@lab/core';

export interface Gaussian1d {
  mean: number;
  std: number;
}
/** Mean vector and covariance: a full matrix, or the diagonal (variances) as a vector. */
export interface GaussianNd {
  mean: number[];
  cov: number[][] | number[];
}

function check1d(g: Gaussian1d, name: string) {
  if (!Number.isFinite(g.mean)) throw new RangeError(`${name}.mean must be finite, got ${g.mean}`);
  if (!(g.std > 0) || !Number.isFinite(g.std))
    throw new RangeError(`${name}.std must be positive, got ${g.std}`);
}

/** KL(P || Q) between univariate Gaussians, in nats. */
export function klGaussian1d(p: Gaussian1d, q: Gaussian1d): number {
  check1d(p, 'p');
  check1d(q, 'q');
  return Math.log(q.std / p.std) + (p.std ** 2 + (p.mean - q.mean) ** 2) / (2 * q.std ** 2) - 0.5;
}
/** Bhattacharyya distance -log integral sqrt(p q). */
export function bhattacharyyaGaussian1d(p: Gaussian1d, q: Gaussian1d): number {
  check1d(p, 'p');
  check1d(q, 'q');
  const s = p.std ** 2 + q.std ** 2;
  return (p.mean - q.mean) ** 2 / (4 * s) + 0.5 * Math.log(s / (2 * p.std * q.std));
}
/** Squared Hellinger distance as the f-divergence with f = (sqrt u - 1)^2: 2 (1 - BC). */
export function hellingerGaussian1d(p: Gaussian1d, q: Gaussian1d): number {
  return 2 * -Math.expm1(-bhattacharyyaGaussian1d(p, q));
}
/** 2-Wasserstein distance (not squared): sqrt((mu1 - mu2)^2 + (s1 - s2)^2). */
export function w2Gaussian1d(p: Gaussian1d, q: Gaussian1d): number {
  check1d(p, 'p');
  check1d(q, 'q');
  return Math.hypot(p.mean - q.mean, p.std - q.std);
}

/** Jensen-Shannon divergence through the mixture, by adaptive Simpson quadrature (no closed form exists). */
export function jsGaussian1d(p: Gaussian1d, q: Gaussian1d): number {
  check1d(p, 'p');
  check1d(q, 'q');
  const pdf = (g: Gaussian1d, x: number) =>
    Math.exp(-0.5 * ((x - g.mean) / g.std) ** 2) / (g.std * Math.sqrt(2 * Math.PI));
  const integrand = (x: number) => {
    const a = pdf(p, x);
    const b = pdf(q, x);
    const m = 0.5 * (a + b);
    return (a > 0 ? 0.5 * a * Math.log(a / m) : 0) + (b > 0 ? 0.5 * b * Math.log(b / m) : 0);
  };
  const lo = Math.min(p.mean - 12 * p.std, q.mean - 12 * q.std);
  const hi = Math.max(p.mean + 12 * p.std, q.mean + 12 * q.std);
  return Math.min(Math.LN2, Math.max(0, integrate(integrand, lo, hi)));
}

/** Composite Simpson rule with enough panels for smooth integrands on a finite interval. */
export function integrate(f: (x: number) => number, a: number, b: number, panels = 20000): number {
  const n = panels % 2 ? panels + 1 : panels;
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

// --- small dense linear algebra ---
type Mat = number[][];
function asMatrix(cov: number[][] | number[], k: number, name: string): Mat {
  if (cov.length !== k) throw new RangeError(`${name}.cov has ${cov.length} rows for a mean of length ${k}`);
  if (typeof cov[0] === 'number') {
    const d = cov as number[];
    d.forEach((v, i) => {
      if (!(v > 0)) throw new RangeError(`${name}.cov[${i}] = ${v}: variances must be positive`);
    });
    return d.map((v, i) => d.map((_, j) => (i === j ? v : 0)));
  }
  const m = cov as Mat;
  m.forEach((row, i) => {
    if (row.length !== k)
      throw new RangeError(`${name}.cov row ${i} has ${row.length} entries, expected ${k}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}.cov[${i}][${j}] is not finite`);
      if (Math.abs(v - m[j]![i]!) > 1e-9 * Math.max(1, Math.abs(v)))
        throw new RangeError(`${name}.cov is not symmetric at (${i}, ${j})`);
    });
  });
  return m;
}
// row-major number[][] views of @lab/core's dense linear algebra (flat float64)
const flat = (a: Mat) => Float64Array.from(a.flat());
const rows = (x: Float64Array, n: number): Mat =>
  Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * n, (i + 1) * n)));
/** Cholesky factor L (lower) with A = L L^T; throws when A is not positive definite. */
const cholesky = (a: Mat, name: string): Mat =>
  rows(coreCholesky(flat(a), a.length, `${name}.cov`), a.length);
const logdetFromChol = (l: Mat) => 2 * l.reduce((s, row, i) => s + Math.log(row[i]!), 0);
/** Solves A x = b given the Cholesky factor of A. */
const cholSolve = (l: Mat, b: number[]): number[] => Array.from(choleskySolve(flat(l), b, l.length));
const matmul = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
/** Symmetric eigen-decomposition: A = V diag(w) V^T. */
function eigSym(a: Mat): { w: number[]; v: Mat } {
  const { values, vectors } = symmetricEigen(flat(a), a.length);
  return { w: Array.from(values), v: rows(vectors, a.length) };
}
/** Square root of a symmetric positive semi-definite matrix. */
export function sqrtm(a: Mat): Mat {
  const { w, v } = eigSym(a);
  const n = a.length;
  return v.map((_, i) =>
    v.map((__, j) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += v[i]![k]! * Math.sqrt(Math.max(0, w[k]!)) * v[j]![k]!;
      return s;
    }),
  );
}

function prepare(p: GaussianNd, q: GaussianNd) {
  const k = p.mean.length;
  if (q.mean.length !== k) throw new RangeError(`p has dimension ${k} but q has ${q.mean.length}`);
  for (const [g, name] of [
    [p, 'p'],
    [q, 'q'],
  ] as const) {
    g.mean.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}.mean[${i}] is not finite`);
    });
  }
  const S1 = asMatrix(p.cov, k, 'p');
  const S2 = asMatrix(q.cov, k, 'q');
  const d = p.mean.map((m, i) => q.mean[i]! - m);
  return { k, S1, S2, d };
}

/** KL(P || Q) between multivariate Gaussians (full or diagonal covariance), in nats. */
export function klGaussian(p: GaussianNd, q: GaussianNd): number {
  const { k, S1, S2, d } = prepare(p, q);
  const L1 = cholesky(S1, 'p');
  const L2 = cholesky(S2, 'q');
  let trace = 0;
  for (let j = 0; j < k; j++)
    trace += cholSolve(
      L2,
      S1.map((r) => r[j]!),
    )[j]!;
  const x = cholSolve(L2, d);
  const maha = d.reduce((s, v, i) => s + v * x[i]!, 0);
  return 0.5 * (trace + maha - k + logdetFromChol(L2) - logdetFromChol(L1));
}

/** Bhattacharyya distance between multivariate Gaussians. */
export function bhattacharyyaGaussian(p: GaussianNd, q: GaussianNd): number {
  const { S1, S2, d } = prepare(p, q);
  const S = S1.map((r, i) => r.map((v, j) => 0.5 * (v + S2[i]![j]!)));
  const L = cholesky(S, 'mixture');
  const x = cholSolve(L, d);
  const maha = d.reduce((s, v, i) => s + v * x[i]!, 0);
  return (
    maha / 8 +
    0.5 * (logdetFromChol(L) - 0.5 * (logdetFromChol(cholesky(S1, 'p')) + logdetFromChol(cholesky(S2, 'q'))))
  );
}

/** Squared Hellinger distance 2 (1 - BC) between multivariate Gaussians. */
export function hellingerGaussian(p: GaussianNd, q: GaussianNd): number {
  return 2 * -Math.expm1(-bhattacharyyaGaussian(p, q));
}

/** 2-Wasserstein distance: |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2), square-rooted. */
export function w2Gaussian(p: GaussianNd, q: GaussianNd): number {
  const { S1, S2, d } = prepare(p, q);
  cholesky(S1, 'p');
  cholesky(S2, 'q');
  const r2 = sqrtm(S2);
  const cross = sqrtm(matmul(matmul(r2, S1), r2));
  let tr = 0;
  for (let i = 0; i < d.length; i++) tr += S1[i]![i]! + S2[i]![i]! - 2 * cross[i]![i]!;
  return Math.sqrt(Math.max(0, d.reduce((s, v) => s + v * v, 0) + tr));
}

function logPdf(g: { mean: number[]; L: Mat; logdet: number }, x: number[]): number {
  const d = x.map((v, i) => v - g.mean[i]!);
  // solve L y = d: the Mahalanobis term is |y|^2
  const y = new Array(d.length).fill(0);
  for (let i = 0; i < d.length; i++) {
    let s = d[i]!;
    for (let k = 0; k < i; k++) s -= g.L[i]![k]! * y[k]!;
    y[i] = s / g.L[i]![i]!;
  }
  return -0.5 * (y.reduce((s, v) => s + v * v, 0) + g.logdet + d.length * Math.log(2 * Math.PI));
}

/**
 * Jensen-Shannon divergence between multivariate Gaussians through the mixture M = (P + Q) / 2
 * (no closed form exists), by Monte Carlo with `samples` draws from each; returns the estimate and
 * its standard error. Seeded, so repeatable.
 */
export function jsGaussian(
  p: GaussianNd,
  q: GaussianNd,
  { samples = 20000, seed = 0 }: { samples?: number; seed?: number } = {},
): { value: number; stdError: number } {
  const { S1, S2 } = prepare(p, q);
  const L1 = cholesky(S1, 'p');
  const L2 = cholesky(S2, 'q');
  const gp = { mean: p.mean, L: L1, logdet: logdetFromChol(L1) };
  const gq = { mean: q.mean, L: L2, logdet: logdetFromChol(L2) };
  const rng = new Rng(seed);
  const draw = (g: typeof gp) => {
    const e = g.mean.map(() => rng.normal());
    return g.mean.map((m, i) => m + g.L[i]!.reduce((acc, l, j) => acc + l * e[j]!, 0));
  };
  const logMix = (x: number[]) => {
    const a = logPdf(gp, x);
    const b = logPdf(gq, x);
    const mx = Math.max(a, b);
    return mx + Math.log(0.5 * (Math.exp(a - mx) + Math.exp(b - mx)));
  };
  let sum = 0;
  let sumSq = 0;
  for (let k = 0; k < samples; k++) {
    const xp = draw(gp);
    const xq = draw(gq);
    const term = 0.5 * (logPdf(gp, xp) - logMix(xp)) + 0.5 * (logPdf(gq, xq) - logMix(xq));
    sum += term;
    sumSq += term * term;
  }
  const mean = sum / samples;
  const variance = Math.max(0, sumSq / samples - mean * mean);
  return { value: Math.min(Math.LN2, Math.max(0, mean)), stdError: Math.sqrt(variance / samples) };
}
