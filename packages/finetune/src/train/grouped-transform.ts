// Per-group optimizers over all of a model's parameters, where a group whose parameters are frozen
// (they get no gradient) is skipped: no update, its state kept as it was. So one optimizer, built once,
// serves gradual unfreezing: already-trainable groups keep their moments, and a newly unfrozen group
// starts from its fresh state (count 0), as if PyTorch's add_param_group had added it.
// Core's partition sends every group to its transform each step (a group with no gradients would
// have its per-parameter state dropped by stateful transforms such as scaleByAdam), and core's freeze
// zeroes updates but still counts steps, so this variant lives here.
import type { GradientTransformation, Params, ScalarOrSchedule } from '@lab/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { groupOfParameter, type LayerGroups } from './layer-groups.js';

/** Like core's `partition`, but a group that receives no gradient this step is left alone. */
export function partitionSkippingFrozen(
  transforms: Readonly<Record<string, GradientTransformation<any>>>,
  groupOf: (name: string) => string,
): GradientTransformation<Record<string, unknown>> {
  const split = (p: Params) => {
    const groups: Record<string, Record<string, Tensor>> = {};
    for (const [k, v] of Object.entries(p)) {
      const g = groupOf(k);
      if (!transforms[g])
        throw new Error(`partitionSkippingFrozen: parameter '${k}' maps to unknown group '${g}'`);
      groups[g] ??= {};
      groups[g][k] = v;
    }
    return groups;
  };
  return {
    init(params) {
      const groups = split(params);
      return Object.fromEntries(Object.entries(transforms).map(([g, t]) => [g, t.init(groups[g] ?? {})]));
    },
    update(grads, state, params) {
      const gs = split(grads);
      const ps = params ? split(params) : undefined;
      const out: Record<string, Tensor> = {};
      const next: Record<string, unknown> = {};
      for (const [name, t] of Object.entries(transforms)) {
        const g = gs[name];
        if (!g) {
          next[name] = state[name]; // frozen this step
          continue;
        }
        const all = ps?.[name];
        if (all && Object.keys(all).length !== Object.keys(g).length) {
          const missing = Object.keys(all).filter((k) => !(k in g));
          throw new Error(
            `partitionSkippingFrozen: group ${name} is partly frozen (no gradient for ${missing.join(', ')}); a group trains or freezes as a whole`,
          );
        }
        const [u, s] = t.update(g, state[name], all);
        Object.assign(out, u);
        next[name] = s;
      }
      return [out, next];
    },
  };
}

/**
 * Discriminative (layer-wise) rates: group i trains with `makeTransform(rates[i])` (rates input side
 * first, e.g. from layerwiseLearningRates, each a constant or a schedule), through
 * partitionSkippingFrozen, so frozen groups are skipped.
 */
export function discriminativeTransform(
  groups: LayerGroups,
  rates: readonly ScalarOrSchedule[],
  makeTransform: (lr: ScalarOrSchedule) => GradientTransformation<any>,
): GradientTransformation<Record<string, unknown>> {
  if (rates.length !== groups.length)
    throw new RangeError(`discriminativeTransform: ${groups.length} groups but ${rates.length} rates`);
  for (const [i, r] of rates.entries())
    if (typeof r === 'number' ? !(r >= 0 && Number.isFinite(r)) : typeof r !== 'function')
      throw new RangeError(
        `discriminativeTransform: rate ${i} must be a finite number >= 0 or a schedule, got ${String(r)}`,
      );
  const transforms = Object.fromEntries(rates.map((r, i) => [String(i), makeTransform(r)]));
  return partitionSkippingFrozen(transforms, groupOfParameter(groups));
}
