// An exponential moving average of the generator's weights (Karras et al. 2018; Yazici et al. 2019),
// kept in a second generator module of the same architecture so that it samples like one and is
// checkpointed beside the raw generator under its own module name. The averaging rule is @lab/core's
// ema(decay); the batch-norm statistics are copied from the raw generator after every step, as
// StyleGAN does, since they are not weights the optimizer moves.
import { ema, type Module, type TrainingHook } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

function sameState(source: Module, target: Module): void {
  const a = source.stateDict();
  const b = target.stateDict();
  const names = Object.keys(a);
  const missing = names.filter((k) => !b[k] || b[k]!.shape.join() !== a[k]!.shape.join());
  if (missing.length > 0 || Object.keys(b).length !== names.length)
    throw new RangeError(
      `generatorEma: the average module differs from the generator (${missing[0] ?? 'extra tensors'}): build it with the same options`,
    );
}

/** Copies every weight and buffer of `source` into `target` (same architecture), e.g. to start an average. */
export function copyModuleState(source: Module, target: Module): void {
  sameState(source, target);
  const to = target.stateDict();
  for (const [k, v] of Object.entries(source.stateDict())) to[k]!.assign(v);
}

export interface GeneratorEma {
  /** Folds the generator's current weights into the average after update number `step` (0-based). */
  update(step: number): void;
  /** A training hook that updates the average after every finite step. */
  hook: TrainingHook;
}

export interface GeneratorEmaRule {
  /** Weight of the old average per step, in (0, 1), e.g. 0.999. */
  decay: number;
  /**
   * Ramp the decay up as min(decay, (1 + t) / (10 + t)) after step t (TensorFlow's num_updates
   * rule), so that short runs are not dominated by the initial weights. Default false.
   */
  warmup?: boolean;
}

/** The decay applied after step t. */
export const emaDecayAt = ({ decay, warmup = false }: GeneratorEmaRule, t: number): number =>
  warmup ? Math.min(decay, (1 + t) / (10 + t)) : decay;

/**
 * The average of `source`'s weights in `target`: target <- d * target + (1 - d) * source after
 * every step (d = emaDecayAt(rule, step)), and target's buffers (batch-norm statistics) <- source's.
 * The target is not reset here, so a resumed run continues the average its checkpoint restored;
 * start a fresh run with copyModuleState(G, Gema).
 */
export function generatorEma(source: Module, target: Module, rule: GeneratorEmaRule): GeneratorEma {
  ema(rule.decay); // checks decay in (0, 1)
  sameState(source, target);
  const weights = source.parameters();
  const averaged = target.parameters();
  const sourceBuffers = source.buffers();
  const targetBuffers = target.buffers();
  const update = (step: number) => {
    tf.tidy(() => {
      const next = ema(emaDecayAt(rule, step)).update({ mean: averaged }, weights).mean;
      for (const [k, v] of Object.entries(next)) averaged[k]!.assign(v);
    });
    for (const [k, v] of Object.entries(sourceBuffers)) targetBuffers[k]!.assign(v);
  };
  return { update, hook: { afterStep: (e) => update(e.step) } };
}
