// Primitive gradient transformations. Defaults follow PyTorch where a PyTorch optimizer exists.
import {
  add,
  clipByValue as clip,
  div,
  maximum,
  minimum,
  mul,
  scalar,
  sign,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { fusedAdamMoments, fusedAdamMomentsList } from '../kernels/fused/adam-moments.js';
import { linearList } from '../kernels/fused/linear-list.js';
import {
  assertSameTree,
  type GradientTransformation,
  mapParams,
  namedList,
  type Params,
  resolve,
  type ScalarOrSchedule,
} from './gradient-transformation.js';

type Moments = { count: number; mu: Record<string, Tensor>; nu: Record<string, Tensor> };
const zerosOf = (params: Params) => mapParams(params, (p) => zerosLike(p));

/** Adam's moment estimates with bias correction: m_hat / (sqrt(v_hat) + eps). */
export function scaleByAdam({ b1 = 0.9, b2 = 0.999, eps = 1e-8 } = {}): GradientTransformation<Moments> {
  return {
    init: (params) => ({ count: 0, mu: zerosOf(params), nu: zerosOf(params) }),
    update(g, state) {
      const count = state.count + 1;
      const c1 = 1 - b1 ** count;
      const c2 = 1 - b2 ** count;
      const mu: Record<string, Tensor> = {};
      const nu: Record<string, Tensor> = {};
      const u: Record<string, Tensor> = {};
      // every parameter in one fused kernel call where the backend has it
      const names = Object.keys(g);
      const of = (m: Params) => names.map((k) => m[k]!);
      const list = fusedAdamMomentsList(of(g), of(state.mu), of(state.nu), { b1, b2, c1, c2, eps });
      if (list) {
        for (const [i, k] of names.entries()) [mu[k], nu[k], u[k]] = list[i]!;
        return [u, { count, mu, nu }];
      }
      for (const [k, x] of Object.entries(g)) {
        const m0 = state.mu[k]!;
        const v0 = state.nu[k]!;
        const fused = x.dtype === 'float32' ? fusedAdamMoments(x, m0, v0, { b1, b2, c1, c2, eps }) : null;
        if (fused) {
          [mu[k], nu[k], u[k]] = fused as [Tensor, Tensor, Tensor];
          continue;
        }
        mu[k] = add(mul(m0, b1), mul(x, 1 - b1));
        nu[k] = add(mul(v0, b2), mul(square(x), 1 - b2));
        u[k] = div(div(mu[k]!, c1), add(sqrt(div(nu[k]!, c2)), eps));
      }
      return [u, { count, mu, nu }];
    },
  };
}

/** RMSprop as PyTorch defines it: v = alpha v + (1 - alpha) g^2; g / (sqrt(v) + eps). */
export function scaleByRms({
  alpha = 0.99,
  eps = 1e-8,
} = {}): GradientTransformation<{ nu: Record<string, Tensor> }> {
  return {
    init: (params) => ({ nu: zerosOf(params) }),
    update(g, state) {
      const nu = mapParams(g, (x, k) => add(mul(state.nu[k]!, alpha), mul(square(x), 1 - alpha)));
      return [mapParams(g, (x, k) => div(x, add(sqrt(nu[k]!), eps))), { nu }];
    },
  };
}

/** Adagrad as PyTorch defines it: s += g^2; g / (sqrt(s) + eps). */
export function scaleByAdagrad({ initialAccumulator = 0, eps = 1e-10 } = {}): GradientTransformation<{
  sum: Record<string, Tensor>;
}> {
  return {
    init: (params) => ({ sum: mapParams(params, (p) => add(zerosLike(p), initialAccumulator)) }),
    update(g, state) {
      const s = mapParams(g, (x, k) => add(state.sum[k]!, square(x)));
      return [mapParams(g, (x, k) => div(x, add(sqrt(s[k]!), eps))), { sum: s }];
    },
  };
}

/** Heavy-ball momentum as PyTorch's SGD (dampening 0): b = m b + g; update b, or g + m b (Nesterov). */
export function traceMomentum(
  momentum: number,
  { nesterov = false } = {},
): GradientTransformation<{
  trace: Record<string, Tensor> | null;
}> {
  return {
    // PyTorch starts the buffer at the first gradient, not at zero: b_1 = g_1.
    init: () => ({ trace: null }),
    update(g, state) {
      // every parameter in one fused kernel call where the backend has it (the same float32 results)
      const names = Object.keys(g);
      const of = (m: Params) => names.map((k) => m[k]!);
      const prev = state.trace;
      const trace =
        (prev && namedList(names, linearList(of(prev), of(g), momentum, 1))) ||
        mapParams(g, (x, k) => (prev ? add(mul(prev[k]!, momentum), x) : x.clone()));
      const u = nesterov
        ? (namedList(names, linearList(of(g), of(trace), 1, momentum)) ??
          mapParams(g, (x, k) => add(x, mul(trace[k]!, momentum))))
        : mapParams(trace, (t) => t.clone());
      return [u, { trace }];
    },
  };
}

/** Multiplies by -learningRate (a constant or a schedule of the step), so that params + updates descends. */
export function scaleByLearningRate(lr: ScalarOrSchedule): GradientTransformation<{ count: number }> {
  return {
    init: () => ({ count: 0 }),
    update(g, state) {
      const rate = resolve(lr, state.count);
      const names = Object.keys(g);
      const scaled =
        namedList(
          names,
          linearList(
            names.map((k) => g[k]!),
            null,
            -rate,
          ),
        ) ?? mapParams(g, (x) => mul(x, -rate));
      return [scaled, { count: state.count + 1 }];
    },
  };
}

/** Multiplies updates by a constant. */
export function scale(factor: number): GradientTransformation<null> {
  return { init: () => null, update: (g) => [mapParams(g, (x) => mul(x, factor)), null] };
}

/** Clips each update element to [-limit, limit]. */
export function clipByValue(limit: number): GradientTransformation<null> {
  if (!(limit > 0)) throw new RangeError(`clipByValue: limit must be positive, got ${limit}`);
  return { init: () => null, update: (g) => [mapParams(g, (x) => clip(x, -limit, limit)), null] };
}

/** Rescales all updates together when their global L2 norm exceeds maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  return {
    init: () => null,
    update(g) {
      const sq = Object.values(g).map((x) => sum(square(x)));
      const norm = sqrt(sq.reduce((a, b) => add(a, b), scalar(0)));
      const factor = minimum(1, div(maxNorm, maximum(norm, 1e-12)));
      return [mapParams(g, (x) => mul(x, factor)), null];
    },
  };
}

/**
 * Weight decay. Placed before the learning rate it is L2 regularisation (g + wd p, PyTorch's SGD
 * weight_decay); placed after scaleByAdam and before the learning rate it is decoupled decay (AdamW).
 * `mask` limits it to some parameters (for example not biases).
 */
export function addDecayedWeights(
  weightDecay: number,
  mask?: (name: string) => boolean,
): GradientTransformation<null> {
  return {
    init: () => null,
    update(g, _s, params) {
      if (!params) throw new Error('addDecayedWeights needs params');
      assertSameTree(g, params, 'addDecayedWeights');
      return [mapParams(g, (x, k) => (mask && !mask(k) ? x : add(x, mul(params[k]!, weightDecay)))), null];
    },
  };
}

/** L1 penalty's subgradient l1 * sign(p), added to the gradient. */
export function addL1(l1: number): GradientTransformation<null> {
  return {
    init: () => null,
    update(g, _s, params) {
      if (!params) throw new Error('addL1 needs params');
      return [mapParams(g, (x, k) => add(x, mul(sign(params[k]!), l1))), null];
    },
  };
}

/** Zero updates for parameters the predicate rejects (frozen parameters). */
export function freeze(isFrozen: (name: string) => boolean): GradientTransformation<null> {
  return {
    init: () => null,
    update: (g) => [mapParams(g, (x, k) => (isFrozen(k) ? zerosLike(x) : x)), null],
  };
}

/**
 * Pruning masks (1 keep, 0 pruned), placed last: the update becomes mask * u - (1 - mask) * p, so
 * that p + update = mask * (p + u) and pruned weights stay exactly zero through every step.
 */
export function keepPruned(masks: Readonly<Record<string, Tensor>>): GradientTransformation<null> {
  return {
    init: () => null,
    update(g, _s, params) {
      if (!params) throw new Error('keepPruned needs params');
      return [
        mapParams(g, (x, k) => {
          const m = masks[k];
          return m ? sub(mul(m, x), mul(sub(1, m), params[k]!)) : x;
        }),
        null,
      ];
    },
  };
}

/**
 * WGAN weight clipping as a transform, placed last: params + update lands in [-c, c], i.e. the
 * update is clip(p + u, -c, c) - p.
 */
export function clipWeights(c: number, mask?: (name: string) => boolean): GradientTransformation<null> {
  if (!(c > 0)) throw new RangeError(`clipWeights: c must be positive, got ${c}`);
  return {
    init: () => null,
    update(g, _s, params) {
      if (!params) throw new Error('clipWeights needs params');
      return [
        mapParams(g, (x, k) => (mask && !mask(k) ? x : sub(clip(add(params[k]!, x), -c, c), params[k]!))),
        null,
      ];
    },
  };
}

/**
 * Sends each parameter to the transform of its group (per-group learning rates, layer-wise rates). A
 * group that gets no gradient in a step (all of it frozen) is skipped: no update, its state kept, so a
 * stateful transform (Adam's moments and count) resumes where it was when the group trains again.
 */
export function partition(
  transforms: Readonly<Record<string, GradientTransformation<any>>>,
  groupOf: (name: string) => string,
): GradientTransformation<Record<string, unknown>> {
  const split = (p: Params) => {
    const groups: Record<string, Record<string, Tensor>> = {};
    for (const [k, v] of Object.entries(p)) {
      const gname = groupOf(k);
      if (!transforms[gname]) throw new Error(`partition: parameter '${k}' maps to unknown group '${gname}'`);
      groups[gname] ??= {};
      groups[gname][k] = v;
    }
    return groups;
  };
  return {
    init(params) {
      const groups = split(params);
      return Object.fromEntries(Object.entries(transforms).map(([g, t]) => [g, t.init(groups[g] ?? {})]));
    },
    update(g, state, params) {
      const gs = split(g);
      const ps = params ? split(params) : {};
      const out: Record<string, Tensor> = {};
      const next: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(transforms)) {
        if (!gs[name]) {
          next[name] = state[name];
          continue;
        }
        const [u, s] = t.update(gs[name], state[name], ps[name]);
        Object.assign(out, u);
        next[name] = s;
      }
      return [out, next];
    },
  };
}
