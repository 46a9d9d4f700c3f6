// DRAGAN's gradient penalty, taken around the real data (the WGAN-GP one, at interpolates, is in losses.ts).
import * as tf from '@tensorflow/tfjs-core';
import { perSampleGradientNorms } from './losses.js';

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
