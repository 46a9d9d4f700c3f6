// A set of pruning masks that changes during training (schedules re-prune every few steps) while one
// keepPruned transform, built once, keeps reading it: the record it holds is updated in place.
import { type GradientTransformation, isModule, keepPruned, type Module } from '@lab/core';
import { dispose, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { type PruneCriterion, type PruneRow, pruneWeights } from './magnitude.js';
import { type ParamFilter, prunableWeights } from './weights.js';

export class MaskSet {
  /** The current keep-masks (1 keep, 0 pruned) by parameter name; owned by this set. */
  readonly masks: Record<string, Tensor> = {};
  readonly weights: Readonly<Record<string, Variable>>;

  /** Masks over the given variables, or a module's prunable weights (see prunableWeights). */
  constructor(target: Module | Readonly<Record<string, Variable>>, filter?: ParamFilter) {
    this.weights = isModule(target) ? prunableWeights(target, filter) : target;
    if (Object.keys(this.weights).length === 0) throw new Error('MaskSet: no weights to prune');
  }

  /** Prunes further (pruned weights stay pruned) and swaps in the new masks. */
  prune(criterion: PruneCriterion): PruneRow[] {
    const { masks, rows } = pruneWeights(this.weights, criterion, this.masks);
    for (const [k, m] of Object.entries(masks)) {
      this.masks[k]?.dispose();
      this.masks[k] = m;
    }
    return rows;
  }

  /**
   * core's keepPruned over these masks, to put last in an optimizer chain: pruned weights stay
   * exactly zero through every step, also after later prune() calls.
   */
  transform(): GradientTransformation<null> {
    return keepPruned(this.masks);
  }

  dispose(): void {
    dispose(Object.values(this.masks));
    for (const k of Object.keys(this.masks)) delete this.masks[k];
  }
}
