// Per-group optimizers over all of a model's parameters for gradual unfreezing: core's partition skips
// a group that gets no gradient (its state kept), so one optimizer built once serves every stage, and a
// newly unfrozen group starts from its fresh state, as if PyTorch's add_param_group had added it. What
// this adds is the check that a group trains or freezes as a whole.
import { type GradientTransformation, type Params, partition, type ScalarOrSchedule } from '@lab/core';
import { groupOfParameter, type LayerGroups } from './layer-groups.js';

/** Core's `partition`, refusing a step in which a group gets gradients for only part of its parameters. */
export function partitionSkippingFrozen(
  transforms: Readonly<Record<string, GradientTransformation<any>>>,
  groupOf: (name: string) => string,
): GradientTransformation<Record<string, unknown>> {
  const inner = partition(transforms, groupOf);
  const names = (p: Params) => {
    const byGroup = new Map<string, string[]>();
    for (const k of Object.keys(p)) {
      const g = groupOf(k);
      if (!Object.hasOwn(transforms, g))
        throw new Error(`partitionSkippingFrozen: parameter '${k}' maps to unknown group '${g}'`);
      byGroup.set(g, [...(byGroup.get(g) ?? []), k]);
    }
    return byGroup;
  };
  return {
    init: inner.init,
    update(grads, state, params) {
      if (params) {
        const got = names(grads);
        for (const [g, all] of names(params)) {
          const have = got.get(g);
          if (have && have.length !== all.length) {
            const missing = all.filter((k) => !have.includes(k));
            throw new Error(
              `partitionSkippingFrozen: group ${g} is partly frozen (no gradient for ${missing.join(', ')}); a group trains or freezes as a whole`,
            );
          }
        }
      }
      return inner.update(grads, state, params);
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
