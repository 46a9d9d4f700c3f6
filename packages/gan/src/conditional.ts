// Conditional GANs by concatenation (Mirza & Osindero 2014) and AC-GAN (Odena et al. 2017).
// A conditional generator is any generator whose input is [z, one-hot label]; a conditional
// discriminator sees one-hot label maps as extra image channels (or extra features).
import * as tf from '@tensorflow/tfjs-core';
import { discriminatorLoss, generatorLoss } from './losses.js';

function oneHot(labels: tf.Tensor, numClasses: number): tf.Tensor {
  if (labels.rank !== 1) throw new RangeError(`labels must be rank 1, got shape [${labels.shape}]`);
  return tf.oneHot(tf.cast(labels, 'int32'), numClasses);
}

/** [z, one-hot(labels)]: the input of a conditional generator with latent + numClasses features. */
export function conditionLatent(z: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Tensor {
  if (z.shape[0] !== labels.shape[0])
    throw new RangeError(`${z.shape[0]} latents but ${labels.shape[0]} labels`);
  return tf.tidy(() => tf.concat([z, oneHot(labels, numClasses)], 1));
}

/** Images [n, h, w, c] with numClasses one-hot label planes appended as channels. */
export function conditionImages(x: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Tensor {
  if (x.rank !== 4) throw new RangeError(`images must be [n, h, w, c], got [${x.shape}]`);
  if (x.shape[0] !== labels.shape[0])
    throw new RangeError(`${x.shape[0]} images but ${labels.shape[0]} labels`);
  const [n, h, w] = x.shape as [number, number, number, number];
  return tf.tidy(() => {
    const planes = tf.tile(tf.reshape(oneHot(labels, numClasses), [n, 1, 1, numClasses]), [1, h, w, 1]);
    return tf.concat([x, planes], 3);
  });
}

function classCrossEntropy(classLogits: tf.Tensor, labels: tf.Tensor, numClasses: number): tf.Tensor {
  return tf.losses.softmaxCrossEntropy(oneHot(labels, numClasses), classLogits);
}

/**
 * AC-GAN discriminator loss from outputs [n, 1 + classes] (column 0 the real/fake logit): the source
 * BCE plus the class cross-entropy on real and on fake samples.
 */
export function acganDiscriminatorLoss(
  realOut: tf.Tensor,
  fakeOut: tf.Tensor,
  realLabels: tf.Tensor,
  fakeLabels: tf.Tensor,
): tf.Tensor {
  const k = realOut.shape[1]! - 1;
  if (k < 1) throw new RangeError(`AC-GAN outputs need 1 + classes columns, got ${realOut.shape[1]}`);
  return tf.tidy(() => {
    const src = discriminatorLoss(tf.slice(realOut, [0, 0], [-1, 1]), tf.slice(fakeOut, [0, 0], [-1, 1]));
    const cls = tf.add(
      classCrossEntropy(tf.slice(realOut, [0, 1], [-1, k]), realLabels, k),
      classCrossEntropy(tf.slice(fakeOut, [0, 1], [-1, k]), fakeLabels, k),
    );
    return tf.add(src, cls);
  });
}

/** AC-GAN generator loss: non-saturating source loss plus the class cross-entropy of its samples. */
export function acganGeneratorLoss(fakeOut: tf.Tensor, fakeLabels: tf.Tensor): tf.Tensor {
  const k = fakeOut.shape[1]! - 1;
  return tf.tidy(() =>
    tf.add(
      generatorLoss(tf.slice(fakeOut, [0, 0], [-1, 1])),
      classCrossEntropy(tf.slice(fakeOut, [0, 1], [-1, k]), fakeLabels, k),
    ),
  );
}

/**
 * Conditioning by a learned label embedding (as in PyTorch's conditional DCGAN examples): the
 * generator input is [z, E_g[label]] or z * E_g[label] ('multiply'); the discriminator sees
 * E_d[label] reshaped to one extra image plane. Pass `Embedding` modules of @lab/core (they train
 * with the nets: their parameters go to the optimizers).
 */
export function embedLatent(
  z: tf.Tensor,
  labels: tf.Tensor,
  embedding: { forward(ids: tf.Tensor): tf.Tensor; dim: number },
  mode: 'concat' | 'multiply' = 'concat',
): tf.Tensor {
  if (z.shape[0] !== labels.shape[0])
    throw new RangeError(`${z.shape[0]} latents but ${labels.shape[0]} labels`);
  if (mode === 'multiply' && embedding.dim !== z.shape[1])
    throw new RangeError(
      `'multiply' needs an embedding of the latent size ${z.shape[1]}, got ${embedding.dim}`,
    );
  return tf.tidy(() => {
    const e = embedding.forward(tf.cast(labels, 'int32'));
    return mode === 'concat' ? tf.concat([z, e], 1) : tf.mul(z, e);
  });
}

/** Images [n, h, w, c] with the label embedding (of size h * w) appended as one channel. */
export function embedImages(
  x: tf.Tensor,
  labels: tf.Tensor,
  embedding: { forward(ids: tf.Tensor): tf.Tensor; dim: number },
): tf.Tensor {
  if (x.rank !== 4) throw new RangeError(`images must be [n, h, w, c], got [${x.shape}]`);
  const [n, h, w] = x.shape as [number, number, number, number];
  if (labels.shape[0] !== n) throw new RangeError(`${n} images but ${labels.shape[0]} labels`);
  if (embedding.dim !== h * w)
    throw new RangeError(`the embedding needs ${h * w} = h * w features, has ${embedding.dim}`);
  return tf.tidy(() =>
    tf.concat([x, tf.reshape(embedding.forward(tf.cast(labels, 'int32')), [n, h, w, 1])], 3),
  );
}
