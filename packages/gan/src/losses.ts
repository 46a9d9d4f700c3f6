// GAN losses from raw discriminator logits, numerically stable (softplus form of BCE-with-logits).
// With D = sigmoid(l): -log D = softplus(-l) and -log(1 - D) = softplus(l).
import { add, mean, mul, neg, softplus, type Tensor, tidy } from '@tensorflow/tfjs-core';

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
