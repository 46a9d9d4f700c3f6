import { describe, expect, it } from 'vitest';
import {
  bhattacharyyaGaussian,
  bhattacharyyaGaussian1d,
  hellingerGaussian,
  hellingerGaussian1d,
  integrate,
  jsGaussian,
  jsGaussian1d,
  klGaussian,
  klGaussian1d,
  w2Gaussian,
  w2Gaussian1d,
} from './gaussian.js';

const pdf = (m: number, s: number) => (x: number) =>
  Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
const P = { mean: 0.3, std: 0.8 };
const Q = { mean: -0.5, std: 1.4 };
const p = pdf(P.mean, P.std);
const q = pdf(Q.mean, Q.std);
const lo = -15;
const hi = 15;

/** A seeded standard normal stream (Box-Muller over a 32-bit LCG). */
function normals(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe('univariate Gaussian closed forms against numerical integration', () => {
  it('KL both ways', () => {
    expect(klGaussian1d(P, Q)).toBeCloseTo(
      integrate((x) => p(x) * Math.log(p(x) / q(x)), lo, hi),
      8,
    );
    expect(klGaussian1d(Q, P)).toBeCloseTo(
      integrate((x) => q(x) * Math.log(q(x) / p(x)), lo, hi),
      8,
    );
  });
  it('Bhattacharyya and squared Hellinger', () => {
    const bc = integrate((x) => Math.sqrt(p(x) * q(x)), lo, hi);
    expect(bhattacharyyaGaussian1d(P, Q)).toBeCloseTo(-Math.log(bc), 8);
    expect(hellingerGaussian1d(P, Q)).toBeCloseTo(
      integrate((x) => (Math.sqrt(p(x)) - Math.sqrt(q(x))) ** 2, lo, hi),
      8,
    );
  });
  it('JS through the mixture is symmetric, below log 2 and matches Monte Carlo', () => {
    const js = jsGaussian1d(P, Q);
    expect(js).toBeCloseTo(jsGaussian1d(Q, P), 10);
    expect(js).toBeGreaterThan(0);
    expect(js).toBeLessThan(Math.LN2);
    const z = normals(7);
    let mc = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const xp = P.mean + P.std * z();
      const xq = Q.mean + Q.std * z();
      mc += 0.5 * Math.log((2 * p(xp)) / (p(xp) + q(xp))) + 0.5 * Math.log((2 * q(xq)) / (p(xq) + q(xq)));
    }
    expect(Math.abs(js - mc / n)).toBeLessThan(5e-3);
  });
  it('W2 between Gaussians', () => {
    expect(w2Gaussian1d(P, Q)).toBeCloseTo(Math.hypot(0.8, 0.6), 12);
  });
  it('rejects bad parameters naming the argument', () => {
    expect(() => klGaussian1d({ mean: 0, std: -1 }, Q)).toThrow(/p.std must be positive/);
    expect(() => klGaussian1d(P, { mean: Number.NaN, std: 1 })).toThrow(/q.mean must be finite/);
  });
});

describe('multivariate Gaussians', () => {
  const A = {
    mean: [0.5, -1, 0.2],
    cov: [
      [1.0, 0.3, 0.1],
      [0.3, 0.8, -0.2],
      [0.1, -0.2, 0.5],
    ],
  };
  const B = {
    mean: [0, 0.5, 0],
    cov: [
      [1.5, -0.4, 0.0],
      [-0.4, 1.0, 0.3],
      [0.0, 0.3, 0.9],
    ],
  };
  it('diagonal covariances reduce to sums of univariate values', () => {
    const a = { mean: [0.3, 1], cov: [0.64, 2] };
    const b = { mean: [-0.5, 0], cov: [1.96, 0.5] };
    const uni = (i: number) =>
      [
        { mean: a.mean[i]!, std: Math.sqrt(a.cov[i]!) },
        { mean: b.mean[i]!, std: Math.sqrt(b.cov[i]!) },
      ] as const;
    expect(klGaussian(a, b)).toBeCloseTo(klGaussian1d(...uni(0)) + klGaussian1d(...uni(1)), 12);
    expect(bhattacharyyaGaussian(a, b)).toBeCloseTo(
      bhattacharyyaGaussian1d(...uni(0)) + bhattacharyyaGaussian1d(...uni(1)),
      12,
    );
    expect(w2Gaussian(a, b)).toBeCloseTo(Math.hypot(w2Gaussian1d(...uni(0)), w2Gaussian1d(...uni(1))), 10);
  });
  it('full-covariance KL matches Monte Carlo, and KL, Hellinger and W2 vanish for equal distributions', () => {
    // sample from A through its Cholesky factor (computed here by hand)
    const L = [
      [1, 0, 0],
      [0.3, Math.sqrt(0.8 - 0.09), 0],
      [0.1, 0, 0],
    ];
    L[2]![1] = (-0.2 - 0.1 * 0.3) / L[1]![1]!;
    L[2]![2] = Math.sqrt(0.5 - 0.01 - L[2]![1]! ** 2);
    const logpdf = (g: typeof A, x: number[]) => {
      // via klGaussian's own machinery would be circular: use the 3x3 inverse by cofactors
      const c = g.cov;
      const det =
        c[0]![0]! * (c[1]![1]! * c[2]![2]! - c[1]![2]! * c[2]![1]!) -
        c[0]![1]! * (c[1]![0]! * c[2]![2]! - c[1]![2]! * c[2]![0]!) +
        c[0]![2]! * (c[1]![0]! * c[2]![1]! - c[1]![1]! * c[2]![0]!);
      const inv = [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) => {
          const r = [0, 1, 2].filter((k) => k !== j);
          const s = [0, 1, 2].filter((k) => k !== i);
          const minor = c[r[0]!]![s[0]!]! * c[r[1]!]![s[1]!]! - c[r[0]!]![s[1]!]! * c[r[1]!]![s[0]!]!;
          return ((i + j) % 2 ? -1 : 1) * (minor / det);
        }),
      );
      const d = x.map((v, i) => v - g.mean[i]!);
      const maha = d.reduce((s, di, i) => s + di * d.reduce((t, dj, j) => t + inv[i]![j]! * dj, 0), 0);
      return -0.5 * (maha + Math.log(det) + 3 * Math.log(2 * Math.PI));
    };
    const z = normals(11);
    let mc = 0;
    const n = 100_000;
    for (let k = 0; k < n; k++) {
      const e = [z(), z(), z()];
      const x = A.mean.map((m, i) => m + L[i]!.reduce((s, l, j) => s + l * e[j]!, 0));
      mc += logpdf(A, x) - logpdf(B, x);
    }
    expect(Math.abs(klGaussian(A, B) - mc / n)).toBeLessThan(0.02);
    expect(klGaussian(A, A)).toBeCloseTo(0, 10);
    expect(hellingerGaussian(A, A)).toBeCloseTo(0, 10);
    expect(w2Gaussian(A, A)).toBeCloseTo(0, 6);
    expect(w2Gaussian(A, B)).toBeGreaterThan(0);
  });
  it('multivariate JS by Monte Carlo agrees with the 1-D quadrature and is near 0 / log 2 at the extremes', () => {
    const P1 = { mean: 0.3, std: 0.8 };
    const Q1 = { mean: -0.5, std: 1.4 };
    const mc = jsGaussian(
      { mean: [P1.mean], cov: [P1.std ** 2] },
      { mean: [Q1.mean], cov: [Q1.std ** 2] },
      { samples: 40000 },
    );
    expect(Math.abs(mc.value - jsGaussian1d(P1, Q1))).toBeLessThan(4 * mc.stdError + 1e-3);
    expect(jsGaussian(A, A).value).toBeLessThan(1e-3);
    expect(jsGaussian({ mean: [0, 0], cov: [1, 1] }, { mean: [50, 0], cov: [1, 1] }).value).toBeCloseTo(
      Math.LN2,
      6,
    );
  });
  it('rejects covariances that are not symmetric positive definite, and dimension mismatches', () => {
    expect(() =>
      klGaussian(
        {
          mean: [0, 0],
          cov: [
            [1, 2],
            [2, 1],
          ],
        },
        { mean: [0, 0], cov: [1, 1] },
      ),
    ).toThrow(/p.cov is not positive definite/);
    expect(() =>
      klGaussian(
        {
          mean: [0, 0],
          cov: [
            [1, 0.5],
            [0.2, 1],
          ],
        },
        { mean: [0, 0], cov: [1, 1] },
      ),
    ).toThrow(/not symmetric/);
    expect(() => klGaussian({ mean: [0], cov: [1] }, { mean: [0, 0], cov: [1, 1] })).toThrow(/dimension/);
    expect(() => klGaussian({ mean: [0, 0], cov: [1, -1] }, { mean: [0, 0], cov: [1, 1] })).toThrow(
      /variances must be positive/,
    );
  });
});
