// Gradual unfreezing (Howard & Ruder 2018, ULMFiT): the top layer group trains first, and each
// following epoch (or every `every` epochs, or every `everySteps` steps for runs too short to unfreeze
// by epoch) unfreezes the next group down. A training-loop hook: pair
// it with one optimizer built over all parameters by discriminativeTransform (or
// partitionSkippingFrozen), and take each step's gradients over model.trainableParameters(), so a
// newly unfrozen group joins the optimizer while the groups above keep their state.
import type { Module, TrainingHook } from '@lab/core';
import { type FrozenBatchNorm, freezeLayers, unfreezeLayers } from '../freeze/freeze.js';
import { groupOfParameter, type LayerGroups } from './layer-groups.js';

export interface GradualUnfreezingOptions {
  /** Epochs between unfreezing steps (default 1). */
  every?: number;
  /**
   * Steps between unfreezing steps instead of epochs: a run of one or two epochs unfreezes nothing
   * by epoch, so it would train only the top group.
   */
  everySteps?: number;
  /** Frozen BatchNorm layers (see freezeLayers); default 'inference'. */
  batchNorm?: FrozenBatchNorm;
}

export interface GradualUnfreezing extends TrainingHook {
  /** How many groups (counted from the top) are trainable now. */
  readonly unfrozen: number;
}

/** Trainable groups at `epoch`: 1 + floor(epoch / every), at most all of them. */
export const unfrozenGroupsAt = (epoch: number, every: number, groups: number) =>
  Math.min(groups, 1 + Math.floor(epoch / every));

/** Freezes all groups but the top one now; its beforeEpoch unfreezes the next group down on schedule. */
export function gradualUnfreezing(
  model: Module,
  groups: LayerGroups,
  { every = 1, everySteps, batchNorm = 'inference' }: GradualUnfreezingOptions = {},
): GradualUnfreezing {
  if (!Number.isInteger(every) || every < 1)
    throw new RangeError(`gradualUnfreezing: every must be a whole number >= 1, got ${every}`);
  if (everySteps !== undefined && (!Number.isInteger(everySteps) || everySteps < 1))
    throw new RangeError(`gradualUnfreezing: everySteps must be a whole number >= 1, got ${everySteps}`);
  if (groups.length === 0) throw new RangeError('gradualUnfreezing: no layer groups');
  const groupOf = groupOfParameter(groups);
  const inTopGroups = (n: number) => (name: string) => Number(groupOf(name)) >= groups.length - n;
  let unfrozen = 1;
  let steps = 0;
  const unfreezeTo = (want: number) => {
    if (want <= unfrozen) return;
    unfreezeLayers(model, inTopGroups(want));
    unfrozen = want;
  };
  unfreezeLayers(model, inTopGroups(1));
  const frozenNames = Object.keys(model.parameters()).filter((name) => !inTopGroups(1)(name));
  if (frozenNames.length) freezeLayers(model, exactNames(frozenNames), { batchNorm });
  return {
    get unfrozen() {
      return unfrozen;
    },
    beforeEpoch(epoch) {
      if (everySteps === undefined) unfreezeTo(unfrozenGroupsAt(epoch, every, groups.length));
    },
    afterStep() {
      steps++;
      if (everySteps !== undefined) unfreezeTo(unfrozenGroupsAt(steps, everySteps, groups.length));
    },
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactNames = (names: string[]) => new RegExp(`^(?:${names.map(escapeRegExp).join('|')})$`);
