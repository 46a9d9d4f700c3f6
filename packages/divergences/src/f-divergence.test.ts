import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alphaDivergence,
  amariAlpha,
  arithmeticGeometric,
  dual,
  type FDivergence,
  fDivergenceDiscrete,
  gan,
  jeffrey,
  jensenShannon,
  jsDivergence,
  kl,
  klDivergence,
  log1pAbs,
  modifiedGan,
  neyman,
  pearson,
  reverseKl,
  squaredHellinger,
  symmetrized,
  totalVariation,
  tPower,
  triangular,
  variationalBound,
} from './index.js';

const entries: FDivergence[] = [
  totalVariation(),
  kl(),
  reverseKl(),
  pearson(),
  neyman(),
  squaredHellinger(),
  jeffrey(),
  jensenShannon(),
  jensenShannon(0.2),
  gan(),
  alphaDivergence(2),
  alphaDivergence(0.5),
  alphaDivergence(-1),
  alphaDivergence(3),
  amariAlpha(0.4),
  arithmeticGeometric(),
  log1pAbs(),
  modifiedGan(),
  tPower(0.5),
  tPower(2.5),
  triangular(),
  dual(kl()),
  symmetrized(kl()),
];

/** sup_u (u t - f(u)) by a scan over log u and golden-section refinement (independent of the library). */
function numericSup(f: (u: number) => number, t: number): number {
  const g = (x: number) => Math.exp(x) * t - f(Math.exp(x));
  let best = 0;
  let bestX = -30;
  for (let x = -30; x <= 30; x += 0.01) {
    const v = g(x);
    if (v > best || x === -30) {
      best = v;
      bestX = x;
    }
  }
  let a = bestX - 0.01;
  let b = bestX + 0.01;
  const r = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const c = b - r * (b - a);
    const d = a + r * (b - a);
    if (g(c) > g(d)) b = d;
    else a = c;
  }
  return Math.max(best, g(0.5 * (a + b)));
}

describe.each(entries.map((d) => [d.name, d] as const))('%s', (_name, div) => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  it('f(1) = 0 and f is convex', () => {
    expect(Math.abs(div.f(1))).toBeLessThan(1e-12);
    for (let u = 0.02; u < 20; u *= 1.1) {
      const h = u * 1e-3;
      const second = div.f(u - h) - 2 * div.f(u) + div.f(u + h);
      expect(second, `u = ${u}`).toBeGreaterThan(-1e-9 * Math.max(1, Math.abs(div.f(u))));
    }
  });
  it('the conjugate equals sup_u (u t - f(u)) computed numerically', () => {
    for (let v = -3; v <= 3; v += 0.5) {
      const t = div.activation(v);
      const want = numericSup(div.f, t);
      const got = div.conjugate(t);
      expect(Math.abs(got - want), `t = ${t}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(want)));
    }
  });
  it('the activation lands in the conjugate domain and the fused form equals f*(g(v))', () => {
    const vs = [-30, -8, -3, -1, -0.2, 0, 0.3, 1, 3, 8];
    const fused = tf.tidy(() => Array.from(div.fusedConjugateTensor(tf.tensor1d(vs)).dataSync()));
    const act = tf.tidy(() => Array.from(div.activationTensor(tf.tensor1d(vs)).dataSync()));
    vs.forEach((v, i) => {
      const t = div.activation(v);
      expect(Number.isFinite(div.conjugate(t)), `g(${v}) = ${t} in domain`).toBe(true);
      expect(Math.abs(act[i]! - t)).toBeLessThan(1e-5 * Math.max(1, Math.abs(t)));
      const want = div.conjugate(t);
      expect(Math.abs(fused[i]! - want), `v = ${v}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(want)));
    });
  });
  it('f in log space equals f(u) and stays finite for log-ratios far from 0', () => {
    const ls = [-30, -5, -1, -0.01, 0, 0.01, 1, 5, 20];
    const got = tf.tidy(() => Array.from(div.fLogTensor(tf.tensor1d(ls)).dataSync()));
    ls.forEach((l, i) => {
      const want = div.f(Math.exp(l));
      expect(Math.abs(got[i]! - want), `log u = ${l}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
    });
  });
  it('gradients of the activation and the fused conjugate are finite at extreme critic outputs', () => {
    // beyond |v| = 20 the exponential conjugates (KL, alpha > 1) overflow float32 in value itself
    const v = tf.tensor1d([-20, -10, 0, 10, 20]);
    const g1 = tf
      .grad((x: tf.Tensor) => tf.sum(div.activationTensor(x)))(v)
      .dataSync();
    const g2 = tf
      .grad((x: tf.Tensor) => tf.sum(div.fusedConjugateTensor(x)))(v)
      .dataSync();
    for (const g of [...g1, ...g2]) expect(Number.isFinite(g)).toBe(true);
  });
});

describe('log-sigmoid conjugates stay finite far out', () => {
  it.each(
    [gan(), jensenShannon(), jensenShannon(0.3), totalVariation(), log1pAbs(), triangular()].map(
      (d) => [d.name, d] as const,
    ),
  )('%s at logits of +-80', async (_n, div) => {
    await initBackend({ backend: 'cpu' });
    const v = tf.tensor1d([-80, -40, 40, 80]);
    const values = div.fusedConjugateTensor(v).dataSync();
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(div.fusedConjugateTensor(x)))(v)
      .dataSync();
    for (const x of [...values, ...g]) expect(Number.isFinite(x)).toBe(true);
  });
});

describe('the variational bound', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  const p = [0.5, 0.3, 0.2];
  const q = [0.2, 0.3, 0.5];
  it.each(
    [
      kl(),
      reverseKl(),
      pearson(),
      neyman(),
      squaredHellinger(),
      jensenShannon(),
      gan(),
      alphaDivergence(2),
      triangular(),
      modifiedGan(),
      jeffrey(),
    ].map((d) => [d.name, d] as const),
  )('%s: maximising over the critic reaches D_f, never exceeding it', (_n, div) => {
    const exact = fDivergenceDiscrete(div, p, q);
    const v = tf.variable(tf.zeros([3]));
    const pw = tf.tensor1d(p);
    const qw = tf.tensor1d(q);
    // exact expectations as weighted sums over the three points
    const bound = () =>
      tf.sub(
        tf.sum(tf.mul(pw, div.activationTensor(v))),
        tf.sum(tf.mul(qw, div.fusedConjugateTensor(v))),
      ) as tf.Scalar;
    const opt = tf.train.adam(0.05);
    let value = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < 1500; i++) {
      value = (opt.minimize(() => tf.neg(bound()) as tf.Scalar, true) as tf.Scalar).dataSync()[0]! * -1;
      expect(value).toBeLessThanOrEqual(exact + 1e-5);
    }
    expect(Math.abs(value - exact)).toBeLessThan(2e-3 * Math.max(1, exact));
    tf.dispose([v, pw, qw]);
    opt.dispose();
  });
  it('JS with pi = 1/2 and KL agree with the exact discrete values; the sampled bound is differentiable', () => {
    expect(fDivergenceDiscrete(jensenShannon(), p, q)).toBeCloseTo(jsDivergence(p, q), 12);
    expect(fDivergenceDiscrete(kl(), p, q)).toBeCloseTo(klDivergence(p, q), 12);
    // GAN: the bound is the GAN value function plus log 4, so at the optimum D_f = 2 JS
    expect(fDivergenceDiscrete(gan(), p, q)).toBeCloseTo(2 * jsDivergence(p, q), 12);
    const g = tf.grad((x: tf.Tensor) => variationalBound(gan(), x, tf.neg(x)))(tf.tensor1d([0.5, -1]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});
