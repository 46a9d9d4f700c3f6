// R1 (Mescheder et al. 2018): a zero-centred gradient penalty on real data,
// gamma / 2 * E[||grad_x D(x)||^2], which keeps the discriminator flat on the data manifold.
// StyleGAN2's lazy regularisation computes it only every k-th discriminator update and multiplies it
// by k, so that its average strength stays gamma / 2 at a k-th of the cost.
import * as tf from '@tensorflow/tfjs-core';

export interface R1Options {
  /** Penalty weight gamma (the penalty is gamma / 2 * E||grad||^2). */
  gamma: number;
  /** Apply it every k-th discriminator update, scaled by k (StyleGAN2's lazy regularisation). Default 1. */
  every?: number;
}

export function checkR1Options({ gamma, every = 1 }: R1Options): void {
  if (!(Number.isFinite(gamma) && gamma > 0)) throw new RangeError(`r1.gamma must be > 0, got ${gamma}`);
  if (!Number.isInteger(every) || every < 1)
    throw new RangeError(`r1.every must be a positive integer, got ${every}`);
}

/**
 * scale * gamma / 2 * mean over the batch of ||grad_x sum(D(x))||^2 at the real batch x;
 * differentiable in D's weights (double backprop). `scale` is the lazy factor k.
 */
export function r1Penalty(
  discriminator: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  gamma: number,
  scale = 1,
): tf.Scalar {
  return tf.tidy(() => {
    // each sample's score depends on its own input only, so the gradient of the sum is per sample
    const g = tf.grad((x: tf.Tensor) => tf.sum(discriminator(x)))(real);
    const squared = tf.sum(tf.square(tf.reshape(g, [real.shape[0]!, -1])), 1);
    return tf.mul(tf.mean(squared), (scale * gamma) / 2) as tf.Scalar;
  });
}

/** Whether discriminator update number `update` (0-based over the run) carries the lazy penalty. */
export const r1Due = (update: number, every: number): boolean => update % every === 0;
