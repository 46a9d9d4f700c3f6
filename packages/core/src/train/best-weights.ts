// Keeps a copy of the weights of the best epoch so far and puts them back at the end of training.
import { clone, dispose, keep, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { epochMetric, type ImprovementOptions, improves } from './improvement.js';
import type { TrainingHook } from './loop.js';

export interface BestWeights {
  /** The best score offered so far and the epoch it was offered for. */
  readonly best: { score: number; epoch: number } | undefined;
  /** Copies the weights when `score` improves on the best; returns whether it did. */
  offer(score: number, epoch: number): boolean;
  /** Puts the best weights back; false (and nothing changes) when none was kept. */
  restore(): boolean;
  dispose(): void;
}

export interface BestWeightsOptions extends ImprovementOptions {
  /** Called after restore() changes the weights, e.g. to rebuild tables computed from them. */
  afterAssign?: () => void;
}

/** A keeper of the best weights of `vars` (by default the highest score wins). */
export function bestWeights(
  vars: Readonly<Record<string, Variable>>,
  { afterAssign, ...options }: BestWeightsOptions = {},
): BestWeights {
  let best: { score: number; epoch: number } | undefined;
  let copy: Record<string, Tensor> | undefined;
  return {
    get best() {
      return best;
    },
    offer(score, epoch) {
      if (!improves(score, best?.score, options)) return false;
      if (copy) dispose(Object.values(copy));
      copy = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, keep(clone(v))]));
      best = { score, epoch };
      return true;
    },
    restore() {
      if (!copy) return false;
      for (const [k, v] of Object.entries(vars)) v.assign(copy[k]!);
      afterAssign?.();
      return true;
    },
    dispose() {
      if (copy) dispose(Object.values(copy));
      copy = undefined;
    },
  };
}

/** A hook that offers each epoch's `metric` (validation first) to `keeper`, with the validated weights in place. */
export function keepBest(keeper: BestWeights, metric: string): TrainingHook {
  return {
    afterValidation: (e) => {
      keeper.offer(epochMetric(e, metric, 'keepBest'), e.epoch);
    },
    afterEpoch: (e) => {
      // without validation, the training means decide
      if (!e.validation) keeper.offer(epochMetric(e, metric, 'keepBest'), e.epoch);
    },
  };
}
