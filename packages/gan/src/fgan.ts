// f-GAN (Nowozin et al. 2016): train with any f-divergence of @lab/divergences through its
// activation g_f and fused conjugate f*(g_f(v)).
import type { FDivergence } from '@lab/divergences';
import { variationalBound } from '@lab/divergences';
import { mean, neg, type Tensor, tidy } from '@tensorflow/tfjs-core';

/** The critic maximises the variational bound E_P[g_f(v)] - E_Q[f*(g_f(v))]: its loss is the negation. */
export function fganCriticLoss(div: FDivergence, realLogits: Tensor, fakeLogits: Tensor): Tensor {
  return tidy(() => neg(variationalBound(div, realLogits, fakeLogits)));
}

/**
 * Generator loss. 'saddle' minimises the bound itself (its only G-dependent term, -E_Q[f*(g_f(v))]);
 * 'alternative' (the paper's practical choice, like the non-saturating GAN loss) maximises E_Q[g_f(v)].
 */
export function fganGeneratorLoss(
  div: FDivergence,
  fakeLogits: Tensor,
  kind: 'saddle' | 'alternative' = 'alternative',
): Tensor {
  return tidy(() => {
    if (kind === 'saddle') return neg(mean(div.fusedConjugateTensor(fakeLogits)));
    if (kind === 'alternative') return neg(mean(div.activationTensor(fakeLogits)));
    throw new RangeError(`unknown f-GAN generator loss ${JSON.stringify(kind)}`);
  });
}
