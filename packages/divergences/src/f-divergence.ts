// f-divergences D_f(P || Q) = E_Q[f(p/q)] with convex f, f(1) = 0, and their Fenchel conjugates
// f*(t) = sup_u (u t - f(u)), as f-GAN (Nowozin et al. 2016) trains with them: a critic outputs
// v in R, the activation g_f maps it into dom f*, and the variational lower bound is
//   D_f(P || Q) >= E_P[g_f(V)] - E_Q[f*(g_f(V))].
import * as tf from '@tensorflow/tfjs-core';

export interface Interval {
  lo: number;
  hi: number;
  /** Whether each end belongs to the interval. */
  loClosed: boolean;
  hiClosed: boolean;
}

export interface FDivergence {
  spec: 'v1';
  name: string;
  /** The generator f(u), u > 0. */
  f(u: number): number;
  /** f'(u), used for the conjugate's maximiser and checks. */
  fPrime(u: number): number;
  /** The Fenchel conjugate f*(t); +Infinity outside its domain. */
  conjugate(t: number): number;
  /** dom f*: where the conjugate is finite. */
  domain: Interval;
  /** The output activation g_f: R -> dom f*, on numbers and on tensors. */
  activation(v: number): number;
  activationTensor(v: tf.Tensor): tf.Tensor;
  /** f*(g_f(v)) in a fused, numerically stable form (differentiable). */
  fusedConjugateTensor(v: tf.Tensor): tf.Tensor;
  /** f(u) as a function of log u (TFP's convention), stable for log-density ratios far from 0. */
  fLogTensor(logu: tf.Tensor): tf.Tensor;
}

const R: Interval = {
  lo: Number.NEGATIVE_INFINITY,
  hi: Number.POSITIVE_INFINITY,
  loClosed: false,
  hiClosed: false,
};
const below = (hi: number, hiClosed = false): Interval => ({
  lo: Number.NEGATIVE_INFINITY,
  hi,
  loClosed: false,
  hiClosed,
});
const within = (lo: number, hi: number): Interval => ({ lo, hi, loClosed: true, hiClosed: true });
const inside = (d: Interval, t: number) =>
  (t > d.lo || (d.loClosed && t === d.lo)) && (t < d.hi || (d.hiClosed && t === d.hi));
const guard = (d: Interval, fn: (t: number) => number) => (t: number) =>
  inside(d, t) ? fn(t) : Number.POSITIVE_INFINITY;

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const LN2 = Math.LN2;

/** Solves f'(u) = t for u > 0 by bisection in log u (f' is non-decreasing for convex f). */
export function conjugateMaximiser(fPrime: (u: number) => number, t: number): number {
  let lo = -60;
  let hi = 60;
  if (fPrime(Math.exp(hi)) <= t) return Math.exp(hi);
  if (fPrime(Math.exp(lo)) >= t) return Math.exp(lo);
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (fPrime(Math.exp(mid)) < t) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/** u* t - f(u*) with u* computed as a constant: exact value, and by the envelope theorem exact gradient u*. */
function numericFusedConjugate(
  div: Pick<FDivergence, 'fPrime'>,
  fTensor: (u: tf.Tensor) => tf.Tensor,
  t: tf.Tensor,
): tf.Tensor {
  const ts = t.dataSync();
  const us = Float32Array.from(ts, (x) => conjugateMaximiser(div.fPrime, x));
  const u = tf.tensor(us, t.shape);
  return tf.sub(tf.mul(u, t), fTensor(u));
}

/**
 * The open range of f' over u in (0, inf), estimated at u = e^-40 and e^40: a subset of dom f* on
 * which the conjugate's maximiser exists. Ends beyond 1e6 in size are treated as infinite.
 */
export function derivativeRange(fPrime: (u: number) => number): Interval {
  // an end is finite when f' has stopped moving between u = e^40 and e^80 (or e^-40 and e^-80)
  const end = (a: number, b: number) => {
    const x = fPrime(Math.exp(a));
    const y = fPrime(Math.exp(b));
    return Number.isFinite(y) && Math.abs(y - x) <= 1e-9 * Math.max(1, Math.abs(y)) ? y : Number.NaN;
  };
  const lo = end(-40, -80);
  const hi = end(40, 80);
  return {
    lo: Number.isNaN(lo) ? Number.NEGATIVE_INFINITY : lo,
    hi: Number.isNaN(hi) ? Number.POSITIVE_INFINITY : hi,
    loClosed: false,
    hiClosed: false,
  };
}

/** An activation from R onto an interval (identity, shifted softplus or scaled sigmoid). */
function activationOnto(d: Interval): Pick<FDivergence, 'activation' | 'activationTensor'> {
  const { lo, hi } = d;
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    return {
      activation: (v) => lo + (hi - lo) / (1 + Math.exp(-v)),
      activationTensor: (v) => tf.add(lo, tf.mul(hi - lo, tf.sigmoid(v))),
    };
  }
  if (Number.isFinite(hi))
    return {
      activation: (v) => hi - softplus(-v),
      activationTensor: (v) => tf.sub(hi, tf.softplus(tf.neg(v))),
    };
  if (Number.isFinite(lo))
    return { activation: (v) => lo + softplus(v), activationTensor: (v) => tf.add(lo, tf.softplus(v)) };
  return { activation: (v) => v, activationTensor: (v) => v.clone() };
}

/** f*(g(v)) for numeric conjugates: the maximiser for t = g(v), held constant. */
function numericFused(
  fPrime: (u: number) => number,
  fTensor: (u: tf.Tensor) => tf.Tensor,
  act: (v: tf.Tensor) => tf.Tensor,
): (v: tf.Tensor) => tf.Tensor {
  return (v) => numericFusedConjugate({ fPrime }, fTensor, act(v));
}

function make(d: Omit<FDivergence, 'spec'>): FDivergence {
  return { spec: 'v1', ...d };
}

/** Total variation: f(u) = |u - 1| / 2. */
export const totalVariation = () =>
  make({
    name: 'total variation',
    fLogTensor: (l) => tf.mul(0.5, tf.abs(tf.expm1(l))),
    f: (u) => 0.5 * Math.abs(u - 1),
    fPrime: (u) => (u > 1 ? 0.5 : u < 1 ? -0.5 : 0),
    domain: within(-0.5, 0.5),
    conjugate: guard(within(-0.5, 0.5), (t) => t),
    activation: (v) => 0.5 * Math.tanh(v),
    activationTensor: (v) => tf.mul(0.5, tf.tanh(v)),
    fusedConjugateTensor: (v) => tf.mul(0.5, tf.tanh(v)),
  });

/** Kullback-Leibler: f(u) = u log u. */
export const kl = () =>
  make({
    name: 'KL',
    fLogTensor: (l) => tf.mul(tf.exp(l), l),
    f: (u) => u * Math.log(u),
    fPrime: (u) => Math.log(u) + 1,
    domain: R,
    conjugate: (t) => Math.exp(t - 1),
    activation: (v) => v,
    activationTensor: (v) => v.clone(),
    fusedConjugateTensor: (v) => tf.exp(tf.sub(v, 1)),
  });

/** Reverse KL: f(u) = -log u. */
export const reverseKl = () =>
  make({
    name: 'reverse KL',
    fLogTensor: (l) => tf.neg(l),
    f: (u) => -Math.log(u),
    fPrime: (u) => -1 / u,
    domain: below(0),
    conjugate: guard(below(0), (t) => -1 - Math.log(-t)),
    activation: (v) => -Math.exp(-v),
    activationTensor: (v) => tf.neg(tf.exp(tf.neg(v))),
    fusedConjugateTensor: (v) => tf.sub(v, 1),
  });

/** Pearson chi-square: f(u) = (u - 1)^2. */
export const pearson = () =>
  make({
    name: 'Pearson chi^2',
    fLogTensor: (l) => tf.square(tf.expm1(l)),
    f: (u) => (u - 1) ** 2,
    fPrime: (u) => 2 * (u - 1),
    domain: R,
    // u* = 1 + t/2 must be positive; for t <= -2 the supremum sits at u -> 0 and equals -1
    conjugate: (t) => (t > -2 ? (t * t) / 4 + t : -1),
    activation: (v) => v,
    activationTensor: (v) => v.clone(),
    fusedConjugateTensor: (v) =>
      tf.where(tf.greater(v, -2), tf.add(tf.div(tf.square(v), 4), v), tf.fill(v.shape, -1)),
  });

/** Neyman chi-square: f(u) = (1 - u)^2 / u. */
export const neyman = () =>
  make({
    name: 'Neyman chi^2',
    // (e^l - 1)^2 / e^l = 4 sinh(l/2)^2
    fLogTensor: (l) => tf.mul(4, tf.square(tf.sinh(tf.mul(0.5, l)))),
    f: (u) => (1 - u) ** 2 / u,
    fPrime: (u) => 1 - 1 / (u * u),
    domain: below(1),
    conjugate: guard(below(1), (t) => 2 - 2 * Math.sqrt(1 - t)),
    activation: (v) => 1 - Math.exp(-v),
    activationTensor: (v) => tf.sub(1, tf.exp(tf.neg(v))),
    fusedConjugateTensor: (v) => tf.sub(2, tf.mul(2, tf.exp(tf.mul(-0.5, v)))),
  });

/** Squared Hellinger: f(u) = (sqrt u - 1)^2. */
export const squaredHellinger = () =>
  make({
    name: 'squared Hellinger',
    fLogTensor: (l) => tf.square(tf.expm1(tf.mul(0.5, l))),
    f: (u) => (Math.sqrt(u) - 1) ** 2,
    fPrime: (u) => 1 - 1 / Math.sqrt(u),
    domain: below(1),
    conjugate: guard(below(1), (t) => t / (1 - t)),
    activation: (v) => 1 - Math.exp(-v),
    activationTensor: (v) => tf.sub(1, tf.exp(tf.neg(v))),
    fusedConjugateTensor: (v) => tf.sub(tf.exp(v), 1),
  });

/** Lambert W (principal branch) of e^c, solved in log space: w + log w = c. */
export function lambertWExp(c: number): number {
  let w = c > 1 ? c - Math.log(c) : Math.exp(c) / (1 + Math.exp(c) * 0.9);
  for (let i = 0; i < 50; i++) {
    const step = (w + Math.log(w) - c) / (1 + 1 / w);
    w = Math.max(w - step, w / 10);
    if (Math.abs(step) < 1e-15 * Math.max(1, w)) break;
  }
  return w;
}

/** Jeffrey (symmetric KL): f(u) = (u - 1) log u. */
export const jeffrey = () => {
  const fTensor = (u: tf.Tensor) => tf.mul(tf.sub(u, 1), tf.log(u));
  const div = {
    fPrime: (u: number) => Math.log(u) + 1 - 1 / u,
  };
  return make({
    name: 'Jeffrey',
    fLogTensor: (l) => tf.mul(tf.expm1(l), l),
    f: (u) => (u - 1) * Math.log(u),
    ...div,
    domain: R,
    conjugate: (t) => {
      const w = lambertWExp(1 - t);
      return w + 1 / w + t - 2;
    },
    activation: (v) => v,
    activationTensor: (v) => v.clone(),
    fusedConjugateTensor: (v) => numericFusedConjugate(div, fTensor, v),
  });
};

/**
 * Jensen-Shannon with mixture weight pi: JS_pi(P || Q) = pi KL(P || M) + (1 - pi) KL(Q || M),
 * M = pi P + (1 - pi) Q; f(u) = pi u log u - (pi u + 1 - pi) log(pi u + 1 - pi). pi = 1/2 is JS.
 */
export const jensenShannon = (pi = 0.5) => {
  if (!(pi > 0 && pi < 1)) throw new RangeError(`jensenShannon: pi must be in (0, 1), got ${pi}`);
  const hi = -pi * Math.log(pi);
  return make({
    name: pi === 0.5 ? 'Jensen-Shannon' : `Jensen-Shannon (pi = ${pi})`,
    // log(pi u + 1 - pi) = log(1 - pi) + softplus(log u + log(pi / (1 - pi)))
    // f = pi u (log u - log m) - (1 - pi) log m, with log u - log m = -(log pi + softplus(log((1 - pi) / pi) - log u))
    fLogTensor: (l) => {
      const logM = tf.add(Math.log(1 - pi), tf.softplus(tf.add(l, Math.log(pi / (1 - pi)))));
      const lMinusLogM = tf.neg(tf.add(Math.log(pi), tf.softplus(tf.sub(Math.log((1 - pi) / pi), l))));
      return tf.sub(tf.mul(pi, tf.mul(tf.exp(l), lMinusLogM)), tf.mul(1 - pi, logM));
    },
    f: (u) => {
      const m = pi * u + 1 - pi;
      return pi * u * Math.log(u) - m * Math.log(m);
    },
    fPrime: (u) => pi * Math.log(u / (pi * u + 1 - pi)),
    domain: below(hi),
    conjugate: guard(below(hi), (t) => -(1 - pi) * Math.log((1 - pi * Math.exp(t / pi)) / (1 - pi))),
    activation: (v) => hi - pi * softplus(-v),
    activationTensor: (v) => tf.sub(hi, tf.mul(pi, tf.softplus(tf.neg(v)))),
    // pi e^{g/pi} = sigmoid(v), so f*(g(v)) = (1 - pi)(softplus(v) + log(1 - pi))
    fusedConjugateTensor: (v) => tf.mul(1 - pi, tf.add(tf.softplus(v), Math.log(1 - pi))),
  });
};

/**
 * The original GAN's f (f-GAN, Table 1), shifted by log 4 so that f(1) = 0:
 * f(u) = u log u - (u + 1) log(u + 1) + log 4. Then D_f = 2 JS, and the variational bound is the
 * GAN value function V(D, G) plus log 4, with D = sigmoid(v).
 */
export const gan = () =>
  make({
    name: 'GAN',
    // u (log u - log(1 + u)) - log(1 + u) + log 4, with log u - log(1 + u) = -softplus(-log u): no cancellation
    fLogTensor: (l) =>
      tf.add(tf.sub(tf.neg(tf.mul(tf.exp(l), tf.softplus(tf.neg(l)))), tf.softplus(l)), 2 * LN2),
    f: (u) => u * Math.log(u) - (u + 1) * Math.log(u + 1) + 2 * LN2,
    fPrime: (u) => Math.log(u / (u + 1)),
    domain: below(0),
    conjugate: guard(below(0), (t) => -Math.log1p(-Math.exp(t)) - 2 * LN2),
    activation: (v) => -softplus(-v),
    activationTensor: (v) => tf.neg(tf.softplus(tf.neg(v))),
    fusedConjugateTensor: (v) => tf.sub(tf.softplus(v), 2 * LN2),
  });

/**
 * The alpha family (alpha not 0 or 1), normalised so that f(1) = f'(1) = 0:
 * f(u) = (u^alpha - 1 - alpha (u - 1)) / (alpha (alpha - 1)). alpha = 2 is Pearson / 2,
 * alpha = 1/2 is 4 x squared Hellinger, alpha -> 1 is KL and alpha -> 0 reverse KL.
 */
export const alphaDivergence = (alpha: number) => {
  if (!Number.isFinite(alpha) || alpha === 0 || alpha === 1) {
    throw new RangeError(
      `alphaDivergence: alpha must be finite and not 0 or 1, got ${alpha} (use kl or reverseKl)`,
    );
  }
  const a = alpha;
  // f*(t) = ((1 + (a - 1) t)^(a / (a - 1)) - 1) / a where 1 + (a - 1) t > 0
  // the end where 1 + (a - 1) t = 0 belongs to the domain when the exponent a / (a - 1) is positive
  const closedEnd = a / (a - 1) > 0;
  const domain: Interval =
    a > 1
      ? { lo: -1 / (a - 1), hi: Number.POSITIVE_INFINITY, loClosed: closedEnd, hiClosed: false }
      : below(1 / (1 - a), closedEnd);
  return make({
    name: `alpha (${a})`,
    fLogTensor: (l) => tf.div(tf.sub(tf.expm1(tf.mul(a, l)), tf.mul(a, tf.expm1(l))), a * (a - 1)),
    f: (u) => (u ** a - 1 - a * (u - 1)) / (a * (a - 1)),
    fPrime: (u) => (u ** (a - 1) - 1) / (a - 1),
    domain,
    conjugate: guard(domain, (t) => ((1 + (a - 1) * t) ** (a / (a - 1)) - 1) / a),
    // g(v) = expm1((a - 1) v) / (a - 1), so 1 + (a - 1) g(v) = e^{(a - 1) v} and f*(g(v)) = expm1(a v) / a
    activation: (v) => Math.expm1((a - 1) * v) / (a - 1),
    activationTensor: (v) => tf.div(tf.sub(tf.exp(tf.mul(a - 1, v)), 1), a - 1),
    fusedConjugateTensor: (v) => tf.div(tf.sub(tf.exp(tf.mul(a, v)), 1), a),
  });
};

/** Amari's alpha-divergence in his parametrisation a in R \ {-1, 1}: alphaDivergence((1 - a) / 2). */
export const amariAlpha = (a: number) => {
  const d = alphaDivergence((1 - a) / 2);
  return { ...d, name: `Amari alpha (${a})` };
};

/**
 * c * f for c > 0: D_{cf} = c D_f, (c f)*(t) = c f*(t / c), activation c g_f, fused c f*(g_f).
 */
export function scaled(div: FDivergence, c: number, name = `${c} x ${div.name}`): FDivergence {
  if (!(c > 0)) throw new RangeError(`scaled: c must be positive, got ${c}`);
  const { lo, hi, loClosed, hiClosed } = div.domain;
  return make({
    name,
    f: (u) => c * div.f(u),
    fPrime: (u) => c * div.fPrime(u),
    domain: { lo: c * lo, hi: c * hi, loClosed, hiClosed },
    conjugate: (t) => c * div.conjugate(t / c),
    activation: (v) => c * div.activation(v),
    activationTensor: (v) => tf.mul(c, div.activationTensor(v)),
    fusedConjugateTensor: (v) => tf.mul(c, div.fusedConjugateTensor(v)),
    fLogTensor: (l) => tf.mul(c, div.fLogTensor(l)),
  });
}

/**
 * TFP's t-power: f(u) = s (u^t - 1 - t (u - 1)) with s = -1 for 0 < t < 1 and +1 otherwise,
 * which is |t (t - 1)| x alphaDivergence(t).
 */
export const tPower = (t: number) => scaled(alphaDivergence(t), Math.abs(t * (t - 1)), `t-power (${t})`);

/** Triangular discrimination: f(u) = (u - 1)^2 / (1 + u). */
export const triangular = () => {
  const domain = below(1, true);
  return make({
    name: 'triangular',
    fLogTensor: (l) => tf.div(tf.square(tf.expm1(l)), tf.add(1, tf.exp(l))),
    f: (u) => (u - 1) ** 2 / (1 + u),
    fPrime: (u) => ((u - 1) * (u + 3)) / (1 + u) ** 2,
    domain,
    // u* = 2 / r - 1 with r = sqrt(1 - t) for -3 < t <= 1; below -3 the supremum is at u -> 0
    conjugate: guard(domain, (t) => {
      if (t <= -3) return -1;
      const r = Math.sqrt(1 - t);
      return (1 - r) * (3 - r);
    }),
    activation: (v) => 1 - softplus(-v),
    activationTensor: (v) => tf.sub(1, tf.softplus(tf.neg(v))),
    fusedConjugateTensor: (v) => {
      const r = tf.sqrt(tf.softplus(tf.neg(v)));
      return tf.where(tf.greaterEqual(r, 2), tf.fill(v.shape, -1), tf.mul(tf.sub(1, r), tf.sub(3, r)));
    },
  });
};

/** TFP's log1p-abs: f(u) = u^{sign(u - 1)} - 1. */
export const log1pAbs = () => {
  const domain = below(1, true);
  return make({
    name: 'log1p-abs',
    fLogTensor: (l) => tf.expm1(tf.abs(l)),
    f: (u) => (u >= 1 ? u - 1 : 1 / u - 1),
    fPrime: (u) => (u > 1 ? 1 : u < 1 ? -1 / (u * u) : 0),
    domain,
    // t in [-1, 1]: the kink u = 1 attains it, value t; t < -1: u* = 1 / sqrt(-t)
    conjugate: guard(domain, (t) => (t >= -1 ? t : 1 - 2 * Math.sqrt(-t))),
    activation: (v) => 1 - softplus(-v),
    activationTensor: (v) => tf.sub(1, tf.softplus(tf.neg(v))),
    fusedConjugateTensor: (v) => {
      const t = tf.sub(1, tf.softplus(tf.neg(v)));
      // the branch not taken must stay finite, or its NaN gradient leaks through where()
      const safe = tf.maximum(tf.neg(t), 1);
      return tf.where(tf.greaterEqual(t, -1), t, tf.sub(1, tf.mul(2, tf.sqrt(safe))));
    },
  });
};

/** Modified GAN (TFP), shifted so that f(1) = 0: f(u) = log((1 + u) / (2 u)). */
export const modifiedGan = () => {
  const domain = below(0, true);
  // u* solves -1 / (u (1 + u)) = t: u = (sqrt(1 - 4 / t) - 1) / 2
  const uStar = (t: number) => (Math.sqrt(1 - 4 / t) - 1) / 2;
  const fTensor = (u: tf.Tensor) => tf.log(tf.div(tf.add(1, u), tf.mul(2, u)));
  return make({
    name: 'modified GAN',
    // log((1 + u) / (2u)) = softplus(-log u) - log 2
    fLogTensor: (l) => tf.sub(tf.softplus(tf.neg(l)), LN2),
    f: (u) => Math.log((1 + u) / (2 * u)),
    fPrime: (u) => -1 / (u * (1 + u)),
    domain,
    conjugate: guard(domain, (t) => {
      if (t === 0) return LN2; // the supremum as u -> infinity
      const u = uStar(t);
      return u * t - Math.log((1 + u) / (2 * u));
    }),
    activation: (v) => -Math.exp(-v),
    activationTensor: (v) => tf.neg(tf.exp(tf.neg(v))),
    fusedConjugateTensor: (v) => {
      const t = tf.neg(tf.exp(tf.neg(v)));
      // -4/t = 4 e^v: u* = (sqrt(1 + 4 e^v) - 1) / 2, computed without cancellation as 2 e^v / (sqrt(1 + 4 e^v) + 1)
      const ev = tf.exp(v);
      const u = tf.div(tf.mul(2, ev), tf.add(tf.sqrt(tf.add(1, tf.mul(4, ev))), 1));
      return tf.sub(tf.mul(u, t), fTensor(u));
    },
  });
};

/** Arithmetic-geometric (TFP): f(u) = (1 + u) log((1 + u) / (2 sqrt u)); conjugate numeric. */
export const arithmeticGeometric = () => {
  // (1 + u) log((1 + u) / (2 sqrt u)) = (1 + u)(softplus(log u) - log 2 - log(u) / 2)
  const fLogTensor = (l: tf.Tensor) =>
    tf.mul(tf.add(1, tf.exp(l)), tf.sub(tf.sub(tf.softplus(l), LN2), tf.mul(0.5, l)));
  const fTensor = (u: tf.Tensor) => fLogTensor(tf.log(u));
  const fPrime = (u: number) => Math.log((1 + u) / (2 * Math.sqrt(u))) + 1 - (1 + u) / (2 * u);
  const f = (u: number) => (1 + u) * Math.log((1 + u) / (2 * Math.sqrt(u)));
  return make({
    name: 'arithmetic-geometric',
    fLogTensor,
    f,
    fPrime,
    domain: R,
    conjugate: (t) => {
      const u = conjugateMaximiser(fPrime, t);
      return u * t - f(u);
    },
    activation: (v) => v,
    activationTensor: (v) => v.clone(),
    fusedConjugateTensor: (v) => numericFusedConjugate({ fPrime }, fTensor, v),
  });
};

/** The dual f^(u) = u f(1/u): D_{f^}(P || Q) = D_f(Q || P). Conjugate computed numerically. */
export function dual(div: FDivergence): FDivergence {
  const f = (u: number) => u * div.f(1 / u);
  const fPrime = (u: number) => div.f(1 / u) - div.fPrime(1 / u) / u;
  const fLogTensor = (l: tf.Tensor) => tf.mul(tf.exp(l), div.fLogTensor(tf.neg(l)));
  const fT = (u: tf.Tensor) => fLogTensor(tf.log(u));
  const domain = derivativeRange(fPrime);
  const act = activationOnto(domain);
  return make({
    name: `dual ${div.name}`,
    fLogTensor,
    f,
    fPrime,
    domain,
    conjugate: guard(domain, (t) => {
      const u = conjugateMaximiser(fPrime, t);
      return u * t - f(u);
    }),
    ...act,
    fusedConjugateTensor: numericFused(fPrime, fT, act.activationTensor),
  });
}

/** The symmetrised f(u) / 2 + u f(1/u) / 2: half the sum of D_f(P || Q) and D_f(Q || P). */
export function symmetrized(div: FDivergence): FDivergence {
  const f = (u: number) => 0.5 * (div.f(u) + u * div.f(1 / u));
  const fPrime = (u: number) => 0.5 * (div.fPrime(u) + div.f(1 / u) - div.fPrime(1 / u) / u);
  const fLogTensor = (l: tf.Tensor) =>
    tf.mul(0.5, tf.add(div.fLogTensor(l), tf.mul(tf.exp(l), div.fLogTensor(tf.neg(l)))));
  const fT = (u: tf.Tensor) => fLogTensor(tf.log(u));
  const domain = derivativeRange(fPrime);
  const act = activationOnto(domain);
  return make({
    name: `symmetrised ${div.name}`,
    fLogTensor,
    f,
    fPrime,
    domain,
    conjugate: guard(domain, (t) => {
      const u = conjugateMaximiser(fPrime, t);
      return u * t - f(u);
    }),
    ...act,
    fusedConjugateTensor: numericFused(fPrime, fT, act.activationTensor),
  });
}
