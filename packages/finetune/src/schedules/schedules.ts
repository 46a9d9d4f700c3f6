// Learning-rate (and momentum) schedules for fine-tuning, as core `Schedule`s (0-based step -> value),
// so they go wherever core's optimizers take a `ScalarOrSchedule` (adam(lr), sgd(lr), partition groups).
import type { Schedule } from '@lab/core';

function positiveWhole(where: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${where} must be a whole number >= 1, got ${value}`);
}
function finite(where: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${where} must be a finite number, got ${value}`);
}

/**
 * Linear warm-up in front of `after` (a schedule or a constant rate): for step < warmupSteps the
 * rate rises linearly from startFactor * after(0) to after(0) (step 0 gives startFactor times it),
 * then `after` runs from its own step 0. With startFactor 0 this is Hugging Face's warm-up.
 */
export function linearWarmup(
  after: Schedule | number,
  warmupSteps: number,
  { startFactor = 0 } = {},
): Schedule {
  positiveWhole('linearWarmup: warmupSteps', warmupSteps);
  if (!(startFactor >= 0 && startFactor <= 1))
    throw new RangeError(`linearWarmup: startFactor must be in [0, 1], got ${startFactor}`);
  const next: Schedule = typeof after === 'number' ? () => after : after;
  if (typeof after === 'number') finite('linearWarmup: rate', after);
  return (step) =>
    step < warmupSteps
      ? next(0) * (startFactor + ((1 - startFactor) * step) / warmupSteps)
      : next(step - warmupSteps);
}

/** Cosine from `from` (t = 0) to `to` (t = 1), fastai's SchedCos. */
const cosineBetween = (from: number, to: number, t: number) =>
  to + ((from - to) / 2) * (1 + Math.cos(Math.PI * t));

/**
 * Linear warm-up from 0 to `lr` over warmupSteps, then cosine decay to minLr at totalSteps, minLr
 * after (Hugging Face's get_cosine_schedule_with_warmup, with a floor).
 */
export function cosineWithWarmup(lr: number, totalSteps: number, warmupSteps: number, minLr = 0): Schedule {
  finite('cosineWithWarmup: lr', lr);
  finite('cosineWithWarmup: minLr', minLr);
  positiveWhole('cosineWithWarmup: totalSteps', totalSteps);
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= totalSteps)
    throw new RangeError(
      `cosineWithWarmup: warmupSteps must be a whole number in [0, totalSteps), got ${warmupSteps}`,
    );
  const decaySteps = totalSteps - warmupSteps;
  const decay: Schedule = (s) => cosineBetween(lr, minLr, Math.min(s, decaySteps) / decaySteps);
  return warmupSteps === 0 ? decay : linearWarmup(decay, warmupSteps);
}

export interface OneCycleOptions {
  /** Fraction of the steps spent rising (fastai default 0.25). */
  pctStart?: number;
  /** The rate starts at maxLr / divFactor (default 25). */
  divFactor?: number;
  /** And ends at maxLr / (divFactor * finalDivFactor) (fastai default 1e5). */
  finalDivFactor?: number;
  /** Momentum (or Adam's beta1) at the start, the peak rate and the end: fastai's (0.95, 0.85, 0.95). */
  moms?: readonly [number, number, number];
}

export interface OneCycle {
  lr: Schedule;
  /** Momentum or beta1, low while the rate is high (for optimizers that take a schedule for it). */
  momentum: Schedule;
}

/**
 * One-cycle policy (Smith 2018) as fastai's fit_one_cycle computes it: at position p = step / steps,
 * the rate goes by cosine from maxLr / divFactor up to maxLr over p in [0, pctStart], then down to
 * maxLr / (divFactor * finalDivFactor) at p = 1; momentum goes the opposite way through `moms`.
 * Steps past `steps` keep the final values. (Core's oneCycleSchedule follows PyTorch's step counts.)
 */
export function oneCycle(
  maxLr: number,
  steps: number,
  { pctStart = 0.25, divFactor = 25, finalDivFactor = 1e5, moms = [0.95, 0.85, 0.95] }: OneCycleOptions = {},
): OneCycle {
  finite('oneCycle: maxLr', maxLr);
  positiveWhole('oneCycle: steps', steps);
  if (!(pctStart > 0 && pctStart < 1))
    throw new RangeError(`oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  if (!(divFactor > 0) || !(finalDivFactor > 0))
    throw new RangeError(
      `oneCycle: divFactor and finalDivFactor must be positive, got ${divFactor}, ${finalDivFactor}`,
    );
  if (!Array.isArray(moms) || moms.length !== 3 || !moms.every(Number.isFinite))
    throw new RangeError(`oneCycle: moms must be three finite numbers, got ${String(moms)}`);
  const phases =
    (start: number, middle: number, end: number): Schedule =>
    (step) => {
      const p = Math.min(Math.max(step, 0), steps) / steps;
      return p < pctStart
        ? cosineBetween(start, middle, p / pctStart)
        : cosineBetween(middle, end, (p - pctStart) / (1 - pctStart));
    };
  const initial = maxLr / divFactor;
  return {
    lr: phases(initial, maxLr, initial / finalDivFactor),
    momentum: phases(moms[0], moms[1], moms[2]),
  };
}

/** A schedule times a constant: a group's share of a common schedule (discriminative rates). */
export const scaledSchedule =
  (schedule: Schedule, factor: number): Schedule =>
  (step) =>
    factor * schedule(step);
