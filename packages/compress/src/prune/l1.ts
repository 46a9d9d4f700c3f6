// L1 sparsity regularisation: as a loss term, as a (sub)gradient transform, and as a proximal step
// (soft thresholding) that produces exact zeros, which a subgradient alone never does.
import type { GradientTransformation, Params } from '@lab/core';
import {
  abs,
  add,
  addN,
  maximum,
  mul,
  scalar,
  sign,
  sub,
  sum,
  type Tensor,
  tidy,
} from '@tensorflow/tfjs-core';

type NameFilter = (name: string) => boolean;
const defaultFilter: NameFilter = (name) => /(^|\.)weight$/.test(name);

/** lambda x sum |w| over the given weights (a scalar to add to the loss inside the gradient function). */
export function l1Penalty(weights: Readonly<Record<string, Tensor>>, lambda: number): Tensor {
  if (!(lambda >= 0)) throw new RangeError(`l1Penalty: lambda must be >= 0, got ${lambda}`);
  return tidy(() => {
    const terms = Object.values(weights).map((w) => sum(abs(w)));
    return mul(terms.length ? addN(terms) : scalar(0), lambda);
  });
}

/** Adds lambda x sign(w) to the gradients of the filtered parameters (put first in the chain). */
export function l1Gradient(lambda: number, filter: NameFilter = defaultFilter): GradientTransformation<null> {
  if (!(lambda >= 0)) throw new RangeError(`l1Gradient: lambda must be >= 0, got ${lambda}`);
  return {
    init: () => null,
    update(g, _s, params) {
      if (!params) throw new Error('l1Gradient needs params');
      const out: Record<string, Tensor> = {};
      for (const [k, x] of Object.entries(g)) out[k] = filter(k) ? add(x, mul(sign(params[k]!), lambda)) : x;
      return [out, null];
    },
  };
}

/**
 * Proximal L1 step, placed after the learning rate: the new weight is soft(p + u, threshold) where
 * soft(x, t) = sign(x) x max(|x| - t, 0), so small weights land on exactly 0. `threshold` is
 * learning rate x lambda (a number, or a function of the step).
 */
export function l1Proximal(
  threshold: number | ((step: number) => number),
  filter: NameFilter = defaultFilter,
): GradientTransformation<{ step: number }> {
  return {
    init: () => ({ step: 0 }),
    update(g, state, params) {
      if (!params) throw new Error('l1Proximal needs params');
      const t = typeof threshold === 'number' ? threshold : threshold(state.step);
      if (!(t >= 0)) throw new RangeError(`l1Proximal: threshold must be >= 0, got ${t}`);
      const out: Record<string, Tensor> = {};
      for (const [k, u] of Object.entries(g as Params)) {
        if (!filter(k)) {
          out[k] = u;
          continue;
        }
        const p = params[k]!;
        const x = add(p, u);
        out[k] = sub(mul(sign(x), maximum(sub(abs(x), t), 0)), p);
      }
      return [out, { step: state.step + 1 }];
    },
  };
}
