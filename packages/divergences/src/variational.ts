// The f-GAN variational lower bound from critic outputs on a batch from P and a batch from Q.
import * as tf from '@tensorflow/tfjs-core';
import { assertDistribution } from './discrete.js';
import type { FDivergence } from './f-divergence.js';

/**
 * E_P[g_f(v_P)] - E_Q[f*(g_f(v_Q))] <= D_f(P || Q), with equality for the optimal critic
 * g_f(v) = f'(p/q). Differentiable: the critic maximises it, the generator (Q) minimises it.
 */
export function variationalBound(div: FDivergence, criticOnP: tf.Tensor, criticOnQ: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.sub(tf.mean(div.activationTensor(criticOnP)), tf.mean(div.fusedConjugateTensor(criticOnQ))),
  ) as tf.Scalar;
}

/** Exact D_f(P || Q) = sum_i q_i f(p_i / q_i) between discrete distributions (q_i > 0). */
export function fDivergenceDiscrete(
  div: FDivergence,
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  tolerance = 1e-6,
): number {
  assertDistribution(p, 'p', tolerance);
  assertDistribution(q, 'q', tolerance);
  if (p.length !== q.length) throw new RangeError(`p has ${p.length} entries but q has ${q.length}`);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const qi = q[i]!;
    if (!(qi > 0)) throw new RangeError(`q[${i}] = ${qi}: this form needs q > 0 everywhere`);
    total += qi * div.f(p[i]! / qi);
  }
  return total;
}

/** Monte Carlo D_f(P || Q) = E_Q[f(p/q)] from log density ratios log(p/q) at samples drawn from Q. */
export function fDivergenceFromLogRatios(div: FDivergence, logRatiosUnderQ: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(div.fLogTensor(logRatiosUnderQ))) as tf.Scalar;
}
