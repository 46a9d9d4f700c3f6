// Truncated SVD of a dense layer: W [in, out] ~ L [in, r] R [r, out] as two Dense layers (the first
// without bias), which store r (in + out) weights instead of in x out.
import { Dense, Sequential } from '@lab/core';
import { tensor1d, tensor2d } from '@tensorflow/tfjs-core';
import { type Svd, svd, truncatedFactors } from './svd.js';

/** The SVD of a Dense layer's weight [in, out], to truncate at several ranks without recomputing it. */
export function denseSvd(dense: Dense): Svd {
  return svd(dense.weight.dataSync(), dense.inFeatures, dense.outFeatures);
}

/**
 * Two Dense layers in a Sequential (`0`: [in, rank], no bias; `1`: [rank, out] with the layer's
 * bias) whose product is the best rank-`rank` approximation of the layer's weight. A new module; the
 * Dense is left as is. Pass `decomposition` (from denseSvd) to reuse one SVD for several ranks.
 */
export function lowRankDense(dense: Dense, rank: number, decomposition: Svd = denseSvd(dense)): Sequential {
  const d = decomposition;
  if (d.m !== dense.inFeatures || d.n !== dense.outFeatures)
    throw new RangeError(
      `lowRankDense: the decomposition is of [${d.m}, ${d.n}], the layer [${dense.inFeatures}, ${dense.outFeatures}]`,
    );
  const { left, right } = truncatedFactors(d, rank);
  const first = new Dense(d.m, rank, {
    bias: false,
    name: `${dense.name}.u`,
    kernelInit: () => tensor2d(Float32Array.from(left), [d.m, rank]),
  });
  const bias = dense.bias?.dataSync();
  const second = new Dense(rank, d.n, {
    bias: Boolean(bias),
    name: `${dense.name}.v`,
    kernelInit: () => tensor2d(Float32Array.from(right), [rank, d.n]),
    biasInit: bias ? () => tensor1d(Float32Array.from(bias)) : undefined,
  });
  return new Sequential([first, second], `${dense.name}.rank${rank}`);
}

/** Weights a rank-r factorisation of [in, out] stores (plus the bias): r (in + out) + out. */
export function lowRankParameters(
  inFeatures: number,
  outFeatures: number,
  rank: number,
  bias = true,
): number {
  return rank * (inFeatures + outFeatures) + (bias ? outFeatures : 0);
}
