// How good generated images are, measured on the feature classifier: Fréchet distance and KID of
// their features against real images' features, and the classifier score.
import * as tf from '@tensorflow/tfjs-core';
import type { Evaluator } from './feature-classifier.js';
import { frechetDistance, type KidOptions, kernelDistance } from './feature-distances.js';

/**
 * Classifier score (the Inception Score's formula on the evaluator): exp(E_x KL(p(y|x) || p(y))).
 * Between 1 (every sample looks alike or is unsure) and the number of classes (confident and diverse).
 */
export function classifierScore(
  ev: Evaluator,
  images: tf.Tensor4D,
  options: { range?: [number, number] } = {},
): number {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(ev.logits(images, options));
    const p = tf.exp(logp);
    const logMarginal = tf.log(tf.add(tf.mean(p, 0), 1e-12));
    const kl = tf.sum(tf.mul(p, tf.sub(logp, logMarginal)), 1);
    return Math.exp(tf.mean(kl).dataSync()[0]!);
  });
}

export interface SampleQuality {
  fd: number;
  kid: number;
  kidStdError: number;
  classifierScore: number;
  samples: number;
}

/** FD, KID and classifier score of generated images against real ones, all on the evaluator's features. */
export function sampleQuality(
  ev: Evaluator,
  real: tf.Tensor4D,
  fake: tf.Tensor4D,
  {
    realRange = [0, 1],
    fakeRange = [-1, 1],
    kid = {},
  }: {
    realRange?: [number, number];
    fakeRange?: [number, number];
    kid?: KidOptions;
  } = {},
): SampleQuality {
  const fr = ev.featuresOf(real, { range: realRange });
  const ff = ev.featuresOf(fake, { range: fakeRange });
  try {
    const fd = frechetDistance(fr, ff);
    const k = kernelDistance(fr, ff, kid);
    return {
      fd,
      kid: k.mean,
      kidStdError: k.stdError,
      classifierScore: classifierScore(ev, fake, { range: fakeRange }),
      samples: fake.shape[0],
    };
  } finally {
    tf.dispose([fr, ff]);
  }
}
