// KL and JS between categorical distributions given as logits, on tensors: batched over leading
// axes (the last axis is the category), stable at zero mass and extreme logits, differentiable.
import * as tf from '@tensorflow/tfjs-core';

function checkPair(p: tf.Tensor, q: tf.Tensor) {
  if (p.shape.join() !== q.shape.join()) {
    throw new RangeError(`logitsP [${p.shape}] and logitsQ [${q.shape}] must have the same shape`);
  }
  if (p.rank === 0) throw new RangeError('logits need a category axis');
}

/** KL(P || Q) per row: sum_k p_k (log p_k - log q_k), with log-probabilities from logSoftmax. */
export function klFromLogits(logitsP: tf.Tensor, logitsQ: tf.Tensor): tf.Tensor {
  checkPair(logitsP, logitsQ);
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logitsP);
    const lq = tf.logSoftmax(logitsQ);
    return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), -1);
  });
}

/** Jensen-Shannon divergence per row, through log m = logsumexp(log p, log q) - log 2. */
export function jsFromLogits(logitsP: tf.Tensor, logitsQ: tf.Tensor): tf.Tensor {
  checkPair(logitsP, logitsQ);
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logitsP);
    const lq = tf.logSoftmax(logitsQ);
    const lm = tf.sub(tf.logSumExp(tf.stack([lp, lq]), 0), Math.LN2);
    const kl = (la: tf.Tensor) => tf.sum(tf.mul(tf.exp(la), tf.sub(la, lm)), -1);
    return tf.mul(0.5, tf.add(kl(lp), kl(lq)));
  });
}
