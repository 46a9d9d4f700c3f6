// Adversarial examples (Goodfellow et al. 2015; Madry et al. 2018) against any classifier given as
// a function from inputs to logits: FGSM, PGD in L-infinity and L2, adversarial training batches,
// and accuracy as a function of epsilon.
import * as tf from '@tensorflow/tfjs-core';

export type Logits = (x: tf.Tensor) => tf.Tensor;

export interface AttackOptions {
  epsilon: number;
  /** Valid input range; adversarial inputs are clipped to it. Default [0, 1]. */
  range?: [number, number];
}

export interface PgdOptions extends AttackOptions {
  norm?: 'linf' | 'l2';
  /** Step size; default 2.5 * epsilon / steps (Madry et al.). */
  stepSize?: number;
  steps?: number;
  /** Start from a uniform random point in the ball (default true), drawn with `seed`. */
  randomStart?: boolean;
  seed?: number;
}

/** Gradient of the summed cross-entropy with respect to the inputs (one forward pass). */
function lossGrad(logits: Logits, x: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.grad((xx: tf.Tensor) => {
    const out = logits(xx);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), out.shape[1]!);
    return tf.losses.softmaxCrossEntropy(onehot, out, undefined, 0, tf.Reduction.SUM);
  })(x);
}

function checkAttack(x: tf.Tensor, labels: tf.Tensor, epsilon: number) {
  if (!(epsilon >= 0) || !Number.isFinite(epsilon))
    throw new RangeError(`epsilon must be a non-negative number, got ${epsilon}`);
  if (labels.shape[0] !== x.shape[0])
    throw new RangeError(`${x.shape[0]} inputs but ${labels.shape[0]} labels`);
}

/** Fast gradient sign method: x + epsilon * sign(grad_x loss), clipped to the input range. */
export function fgsm(
  logits: Logits,
  x: tf.Tensor,
  labels: tf.Tensor,
  { epsilon, range = [0, 1] }: AttackOptions,
): tf.Tensor {
  checkAttack(x, labels, epsilon);
  return tf.tidy(() =>
    tf.clipByValue(tf.add(x, tf.mul(epsilon, tf.sign(lossGrad(logits, x, labels)))), range[0], range[1]),
  );
}

const perSample = (t: tf.Tensor) => [t.shape[0]!, ...t.shape.slice(1).map(() => 1)];
function l2Normalize(g: tf.Tensor): tf.Tensor {
  const n = tf.sqrt(tf.add(tf.sum(tf.square(tf.reshape(g, [g.shape[0]!, -1])), 1), 1e-12));
  return tf.div(g, tf.reshape(n, perSample(g)));
}
function projectL2(delta: tf.Tensor, epsilon: number): tf.Tensor {
  const n = tf.sqrt(tf.add(tf.sum(tf.square(tf.reshape(delta, [delta.shape[0]!, -1])), 1), 1e-12));
  return tf.mul(delta, tf.reshape(tf.minimum(1, tf.div(epsilon, n)), perSample(delta)));
}

/** Projected gradient descent (ascent on the loss) in the L-infinity or L2 ball of radius epsilon. */
export function pgd(logits: Logits, x: tf.Tensor, labels: tf.Tensor, options: PgdOptions): tf.Tensor {
  const { epsilon, range = [0, 1], norm = 'linf', steps = 10, randomStart = true, seed = 0 } = options;
  checkAttack(x, labels, epsilon);
  const stepSize = options.stepSize ?? (2.5 * epsilon) / steps;
  let adv = tf.tidy(() => {
    if (!randomStart || epsilon === 0) return x.clone();
    let delta = tf.randomUniform(x.shape, -epsilon, epsilon, 'float32', seed);
    if (norm === 'l2') delta = projectL2(delta, epsilon);
    return tf.clipByValue(tf.add(x, delta), range[0], range[1]);
  });
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => {
      const g = lossGrad(logits, adv, labels);
      const stepped = tf.add(adv, tf.mul(stepSize, norm === 'linf' ? tf.sign(g) : l2Normalize(g)));
      const delta = tf.sub(stepped, x);
      const projected =
        norm === 'linf' ? tf.clipByValue(delta, -epsilon, epsilon) : projectL2(delta, epsilon);
      return tf.clipByValue(tf.add(x, projected), range[0], range[1]);
    });
    adv.dispose();
    adv = next;
  }
  return adv;
}

/** Accuracy of `logits` on (x, labels), in batches. */
export function accuracy(logits: Logits, x: tf.Tensor, labels: tf.Tensor, batchSize = 500): number {
  const n = x.shape[0]!;
  let right = 0;
  for (let s = 0; s < n; s += batchSize) {
    const size = Math.min(batchSize, n - s);
    right += tf.tidy(() => {
      const xb = tf.slice(x, s, size);
      const yb = tf.slice(labels, s, size);
      return tf
        .sum(tf.cast(tf.equal(tf.argMax(logits(xb), 1), tf.cast(yb, 'int32')), 'int32'))
        .dataSync()[0]!;
    });
  }
  return right / n;
}

/** Accuracy under an attack at each epsilon (the attack runs in batches). */
export function robustAccuracy(
  logits: Logits,
  x: tf.Tensor,
  labels: tf.Tensor,
  epsilons: number[],
  attack: (x: tf.Tensor, labels: tf.Tensor, epsilon: number) => tf.Tensor,
  batchSize = 500,
): { epsilon: number; accuracy: number }[] {
  return epsilons.map((epsilon) => {
    const n = x.shape[0]!;
    let right = 0;
    for (let s = 0; s < n; s += batchSize) {
      const size = Math.min(batchSize, n - s);
      const xb = tf.slice(x, s, size);
      const yb = tf.slice(labels, s, size);
      const adv = epsilon === 0 ? xb.clone() : attack(xb, yb, epsilon);
      right += accuracy(logits, adv, yb, size) * size;
      tf.dispose([xb, yb, adv]);
    }
    return { epsilon, accuracy: right / n };
  });
}

export interface AdversarialTrainingOptions {
  /** The attack that makes the adversarial half of each batch (default FGSM). */
  attack?: 'fgsm' | 'pgd';
  epsilon: number;
  /** Weight of the clean loss: alpha CE(x) + (1 - alpha) CE(x_adv) (Goodfellow et al.: 0.5). */
  alpha?: number;
  range?: [number, number];
  /** PGD steps when attack is 'pgd' (default 7). */
  steps?: number;
  seed?: number;
}

/** Adversarial versions of a batch against the current model (make them before taking gradients). */
export function adversarialExamples(
  logits: Logits,
  x: tf.Tensor,
  labels: tf.Tensor,
  { attack = 'fgsm', epsilon, range = [0, 1], steps = 7, seed }: AdversarialTrainingOptions,
): tf.Tensor {
  return tf.tidy(() =>
    attack === 'pgd'
      ? pgd(logits, x, labels, { epsilon, range, steps, seed })
      : fgsm(logits, x, labels, { epsilon, range }),
  );
}

/**
 * The adversarial training objective of Goodfellow et al. (2015), alpha CE(x) + (1 - alpha)
 * CE(x_adv); alpha = 0 is Madry et al.'s PGD training. Call it inside valueAndGrads with `xAdv` from
 * adversarialExamples made before, so that no gradient flows back through the attack.
 */
export function adversarialTrainingLoss(
  logits: Logits,
  x: tf.Tensor,
  xAdv: tf.Tensor,
  labels: tf.Tensor,
  alpha = 0.5,
): tf.Scalar {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${alpha}`);
  if (xAdv.shape.join() !== x.shape.join())
    throw new RangeError(`xAdv has shape [${xAdv.shape}] but x has [${x.shape}]`);
  return tf.tidy(() => {
    const advLogits = logits(xAdv);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), advLogits.shape[1]!);
    const advLoss = tf.losses.softmaxCrossEntropy(onehot, advLogits);
    if (alpha === 0) return advLoss as tf.Scalar;
    const clean = tf.losses.softmaxCrossEntropy(onehot, logits(x));
    return tf.add(tf.mul(alpha, clean), tf.mul(1 - alpha, advLoss)) as tf.Scalar;
  });
}
