// Adam whose beta1 follows a schedule, for the momentum half of one-cycle (fastai cycles Adam's beta1
// with the rate). Core's scaleByAdam takes a constant beta1, so this variant lives here. As fastai's
// Adam: m = b1_t m + (1 - b1_t) g, bias correction 1 - b1_t^t with the current b1_t.
import {
  chain,
  type GradientTransformation,
  type Params,
  type ScalarOrSchedule,
  scaleByLearningRate,
} from '@lab/core';
import { add, div, mul, sqrt, square, type Tensor, zerosLike } from '@tensorflow/tfjs-core';

type Moments = { count: number; mu: Record<string, Tensor>; nu: Record<string, Tensor> };
const zerosOf = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, zerosLike(v)]));

/** Adam's scaling with beta1 = b1(step) (0-based step, as core's schedules). */
export function scaleByAdamScheduledMomentum({
  b1,
  b2 = 0.999,
  eps = 1e-8,
}: {
  b1: ScalarOrSchedule;
  b2?: number;
  eps?: number;
}): GradientTransformation<Moments> {
  return {
    init: (params) => ({ count: 0, mu: zerosOf(params), nu: zerosOf(params) }),
    update(g, state) {
      const beta1 = typeof b1 === 'number' ? b1 : b1(state.count);
      if (!(beta1 >= 0 && beta1 < 1))
        throw new RangeError(`adam beta1 must be in [0, 1), got ${beta1} at step ${state.count}`);
      const count = state.count + 1;
      const c1 = 1 - beta1 ** count;
      const c2 = 1 - b2 ** count;
      const mu: Record<string, Tensor> = {};
      const nu: Record<string, Tensor> = {};
      const u: Record<string, Tensor> = {};
      for (const [k, x] of Object.entries(g)) {
        mu[k] = add(mul(state.mu[k]!, beta1), mul(x, 1 - beta1));
        nu[k] = add(mul(state.nu[k]!, b2), mul(square(x), 1 - b2));
        u[k] = div(div(mu[k]!, c1), add(sqrt(div(nu[k]!, c2)), eps));
      }
      return [u, { count, mu, nu }];
    },
  };
}

/** Adam with a rate schedule and a beta1 schedule, e.g. both halves of oneCycle(maxLr, steps). */
export function adamWithMomentumSchedule(
  lr: ScalarOrSchedule,
  { b1, b2 = 0.999, eps = 1e-8 }: { b1: ScalarOrSchedule; b2?: number; eps?: number },
) {
  return chain(scaleByAdamScheduledMomentum({ b1, b2, eps }), scaleByLearningRate(lr));
}
