// Weight averaging: an exponential moving average (Polyak averaging with a decay, as parsers and GANs
// use it) or the plain running mean of the iterates (Polyak-Ruppert). A rule is a pair of pure
// functions like a GradientTransformation; an averager owns the averaged tensors of a set of
// variables, updates them after each step, and can put them in place of the weights.
import { add, clone, dispose, keep, mul, sub, type Tensor, tidy, type Variable } from '@tensorflow/tfjs-core';
import type { Params } from '../optim/gradient-transformation.js';

/** The running average is the state; `update` returns the next one from the current weights. */
export interface AveragingRule<S> {
  init(params: Params): S;
  update(state: S, params: Params): S;
  /** The averaged weights of a state (tensors the state owns). */
  average(state: S): Params;
}

export interface EmaState {
  mean: Record<string, Tensor>;
}

/** mean <- decay * mean + (1 - decay) * weights after each step, starting from the initial weights. */
export function ema(decay: number): AveragingRule<EmaState> {
  if (!(decay > 0 && decay < 1)) throw new RangeError(`ema: decay must be in (0, 1), got ${decay}`);
  return {
    init: (params) => ({ mean: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, clone(v)])) }),
    update: (state, params) => ({
      mean: Object.fromEntries(
        Object.entries(state.mean).map(([k, a]) => [k, add(mul(a, decay), mul(params[k]!, 1 - decay))]),
      ),
    }),
    average: (state) => state.mean,
  };
}

export interface MeanState {
  count: number;
  mean: Record<string, Tensor>;
}

/** The mean of the weights after each step so far (the initial weights until the first step). */
export function polyak(): AveragingRule<MeanState> {
  return {
    init: (params) => ({
      count: 0,
      mean: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, clone(v)])),
    }),
    update(state, params) {
      const count = state.count + 1;
      return {
        count,
        mean: Object.fromEntries(
          Object.entries(state.mean).map(([k, a]) => [k, add(a, mul(sub(params[k]!, a), 1 / count))]),
        ),
      };
    },
    average: (state) => state.mean,
  };
}

export interface Averager {
  /** Folds the current weights into the average. */
  update(): void;
  /** The averaged weights (owned by the averager: valid until the next update or dispose). */
  average(): Params;
  /** Runs fn with the average in place of the weights, then puts the weights back exactly. */
  withAverage<T>(fn: () => T): T;
  /** Copies the average into the weights for good (the end of training). */
  assign(): void;
  dispose(): void;
}

function tensorsOf(state: unknown): Tensor[] {
  if (!state || typeof state !== 'object') return [];
  if ('dataId' in state) return [state as Tensor];
  return Object.values(state).flatMap(tensorsOf);
}

export interface AveragerOptions {
  /** Called whenever the averager changes the weights, e.g. to rebuild tables computed from them. */
  afterAssign?: () => void;
}

/** An averager of `vars` under `rule` (ema(decay) or polyak()). */
export function averager<S>(
  vars: Readonly<Record<string, Variable>>,
  rule: AveragingRule<S>,
  { afterAssign }: AveragerOptions = {},
): Averager {
  const assignAll = (values: Params) => {
    for (const [k, v] of Object.entries(vars)) v.assign(values[k]!);
    afterAssign?.();
  };
  let state = tidy(() => rule.init(vars) as never) as S;
  const own = (s: S) => {
    for (const t of tensorsOf(s)) keep(t);
  };
  own(state);
  return {
    update() {
      const previous = state;
      state = tidy(() => rule.update(previous, vars) as never) as S;
      own(state);
      dispose(tensorsOf(previous));
    },
    average: () => rule.average(state),
    withAverage(fn) {
      const weights = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, keep(clone(v))]));
      assignAll(rule.average(state));
      try {
        return fn();
      } finally {
        assignAll(weights);
        dispose(Object.values(weights));
      }
    },
    assign: () => assignAll(rule.average(state)),
    dispose: () => dispose(tensorsOf(state)),
  };
}
