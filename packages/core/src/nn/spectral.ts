// Spectral normalisation (Miyato et al. 2018): W / sigma(W), with sigma estimated by power iteration
// on W reshaped to [fan_in, out]; u is a persistent estimate of the top singular direction. As in
// PyTorch, u and v are constants for the gradient and sigma = v^T W u is differentiable.
import {
  add,
  div,
  matMul,
  norm,
  reshape,
  sum,
  type Tensor,
  tensor,
  tidy,
  type Variable,
} from '@tensorflow/tfjs-core';

export interface SpectralNormOptions {
  /** Power iterations per call. Default 1 (the estimate improves across training steps). */
  iterations?: number;
  /** Store the new u (training mode). Default true. */
  update?: boolean;
  eps?: number;
}

/** Returns W / sigma(W) and sigma; W is [..., out] and u is [out]. */
export function spectralNormalize(
  weight: Tensor,
  u: Variable,
  { iterations = 1, update = true, eps = 1e-12 }: SpectralNormOptions = {},
): { weight: Tensor; sigma: Tensor } {
  const out = weight.shape[weight.rank - 1]!;
  // the power iteration carries no gradient: it runs on copies of the values
  const { uData, vData } = tidy(() => {
    const W = tensor(weight.dataSync(), [weight.size / out, out]);
    let uu: Tensor = reshape(u, [out, 1]);
    let vv: Tensor = uu;
    for (let i = 0; i < Math.max(1, iterations); i++) {
      vv = matMul(W, uu);
      vv = div(vv, add(norm(vv), eps));
      uu = matMul(W, vv, true, false);
      uu = div(uu, add(norm(uu), eps));
    }
    return { uData: uu.dataSync() as Float32Array, vData: vv.dataSync() as Float32Array };
  });
  if (update) {
    const next = tensor(uData, u.shape);
    u.assign(next);
    next.dispose();
  }
  return tidy(() => {
    const W = reshape(weight, [-1, out]);
    const sigma = sum(
      matMul(matMul(tensor(vData, [vData.length, 1]), W, true, false), tensor(uData, [out, 1])),
    );
    return { weight: div(weight, sigma), sigma };
  });
}
