// GAN losses from raw discriminator logits, numerically stable (softplus form of BCE-with-logits).
// With D = sigmoid(l): -log D = softplus(-l) and -log(1 - D) = softplus(l).
import { add, mean, mul, neg, relu, softplus, square, sub, type Tensor, tidy } from '@tensorflow/tfjs-core';

export interface DiscriminatorLossOptions {
  /**
   * One-sided label smoothing (Salimans et al. 2016): the target for real samples becomes
   * 1 - labelSmoothing; fake targets stay 0. Default 0.
   */
  labelSmoothing?: number;
}

/** Binary cross-entropy of the discriminator: real samples labelled 1, fake samples 0. */
export function discriminatorLoss(
  realLogits: Tensor,
  fakeLogits: Tensor,
  { labelSmoothing = 0 }: DiscriminatorLossOptions = {},
): Tensor {
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new RangeError(`labelSmoothing must be in [0, 1), got ${labelSmoothing}`);
  }
  return tidy(() => {
    const target = 1 - labelSmoothing;
    // BCE(l, t) = t * softplus(-l) + (1 - t) * softplus(l)
    const real = add(mul(target, softplus(neg(realLogits))), mul(1 - target, softplus(realLogits)));
    return add(mean(real), mean(softplus(fakeLogits)));
  });
}

export type GeneratorLossKind = 'non-saturating' | 'minimax';

/**
 * Generator loss. 'minimax' is the original E[log(1 - D(G(z)))], whose gradient vanishes when D
 * rejects fakes confidently; 'non-saturating' (default) minimises -E[log D(G(z))] instead.
 */
export function generatorLoss(fakeLogits: Tensor, kind: GeneratorLossKind = 'non-saturating'): Tensor {
  return tidy(() => {
    if (kind === 'non-saturating') return mean(softplus(neg(fakeLogits)));
    if (kind === 'minimax') return neg(mean(softplus(fakeLogits)));
    throw new RangeError(`unknown generator loss kind ${JSON.stringify(kind)}`);
  });
}

export interface LeastSquaresOptions {
  /** Target for fake samples in the discriminator loss (a), real samples (b), and the generator's target (c). */
  a?: number;
  b?: number;
  c?: number;
}

/** Least-squares GAN (Mao et al. 2017) discriminator loss: 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]. */
export function leastSquaresDiscriminatorLoss(
  realScores: Tensor,
  fakeScores: Tensor,
  { a = 0, b = 1 }: LeastSquaresOptions = {},
): Tensor {
  return tidy(() => mul(0.5, add(mean(square(sub(realScores, b))), mean(square(sub(fakeScores, a))))));
}

/** Least-squares GAN generator loss: 1/2 E[(D(G(z)) - c)^2]. */
export function leastSquaresGeneratorLoss(fakeScores: Tensor, { c = 1 }: LeastSquaresOptions = {}): Tensor {
  return tidy(() => mul(0.5, mean(square(sub(fakeScores, c)))));
}

/**
 * Hinge discriminator loss (Lim & Ye 2017; SN-GAN, BigGAN) from raw scores:
 * E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]. Scores beyond the margin carry no gradient.
 */
export function hingeDiscriminatorLoss(realScores: Tensor, fakeScores: Tensor): Tensor {
  return tidy(() => add(mean(relu(sub(1, realScores))), mean(relu(add(1, fakeScores)))));
}

/** Hinge generator loss: -E[D(G(z))]. */
export function hingeGeneratorLoss(fakeScores: Tensor): Tensor {
  return tidy(() => neg(mean(fakeScores)));
}
