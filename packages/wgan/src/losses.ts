// Wasserstein GAN objectives (Arjovsky et al. 2017) and the gradient penalty (Gulrajani et al. 2017).
import {
  add,
  grad,
  mean,
  mul,
  neg,
  randomUniform,
  relu,
  reshape,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';

/** ||grad_x f(x_i)||_2 per sample (a 1e-12 floor keeps the square root differentiable at 0). */
export function perSampleGradientNorms(critic: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return tidy(() => {
    const g = grad((xx: Tensor) => sum(critic(xx)))(x);
    return sqrt(add(sum(square(reshape(g, [x.shape[0]!, -1])), 1), 1e-12));
  });
}

/** Critic loss E[f(fake)] - E[f(real)]; its negation is the critic's Wasserstein-1 estimate. */
export function criticLoss(realScores: Tensor, fakeScores: Tensor): Tensor {
  return tidy(() => sub(mean(fakeScores), mean(realScores)));
}

/** Generator loss -E[f(G(z))]. */
export function wganGeneratorLoss(fakeScores: Tensor): Tensor {
  return tidy(() => neg(mean(fakeScores)));
}

export interface GradientPenaltyOptions {
  /** Penalty weight. Default 10 (WGAN-GP). */
  lambda?: number;
  /** 'two-sided' (||g|| - 1)^2 as in WGAN-GP (default) or 'one-sided' max(0, ||g|| - 1)^2. */
  mode?: 'two-sided' | 'one-sided';
  /** Interpolation weights, one per sample in [0, 1]; default U[0, 1] drawn with `seed`. */
  epsilon?: Tensor;
  seed?: number;
}

/**
 * lambda * E[(||grad_x f(x_hat)||_2 - 1)^2] at x_hat = eps * real + (1 - eps) * fake, with one eps
 * per sample. Differentiable with respect to the critic's weights (double backprop).
 */
export function gradientPenalty(
  critic: (x: Tensor) => Tensor,
  real: Tensor,
  fake: Tensor,
  options: GradientPenaltyOptions = {},
): Tensor {
  const { lambda = 10, mode = 'two-sided', seed } = options;
  if (real.shape.join() !== fake.shape.join()) {
    throw new RangeError(`gradientPenalty: real [${real.shape}] and fake [${fake.shape}] shapes differ`);
  }
  const batch = real.shape[0]!;
  return tidy(() => {
    const epsShape = [batch, ...real.shape.slice(1).map(() => 1)];
    const eps = options.epsilon
      ? reshape(options.epsilon, epsShape)
      : randomUniform(epsShape, 0, 1, 'float32', seed);
    const xHat = add(mul(eps, real), mul(sub(1, eps), fake));
    const norms = perSampleGradientNorms(critic, xHat);
    const gap = mode === 'one-sided' ? relu(sub(norms, 1)) : sub(norms, 1);
    return mul(lambda, mean(square(gap)));
  });
}
